// Launch and exec on an SSH cluster, in SkyPilot's order (reference §3.8): sync workdir to
// ~/sky_workdir on every node → local file_mounts → setup on all nodes → run on num_nodes nodes.
// `exec` syncs the workdir and runs (optionally also file_mounts, SkyPilot #3479).
import * as fs from 'fs';
import * as path from 'path';
import pLimit from 'p-limit';
import type { Client } from 'ssh2';
import { discoverClusters, findCluster, ClusterNode } from '../cluster/clusters';
import { poolFor } from '../cluster/pool';
import { exec, execChecked } from '../ssh/exec';
import { remotePath, shellQuote } from '../ssh/quote';
import { listRemote, syncDirectory, syncFile, type RemoteState } from '../sync/sync';
import type { LocalTree } from '../sync/localTree';
import { walkInBackground } from '../sync/prewalk';
import { CancelledError, noCancel } from '../util/cancellation';
import { noLog } from '../util/log';
import { noProgress } from '../util/progress';
import { redact } from '../util/redact';
import { gpusPerNode, skypilotEnv, taskIdFor, exportLines } from './env';
import { JobRecord, JobStatus, submitJob, writeJob } from './jobs';
import { startDetachedCommand, wrapScript } from './scripts';
import { driverScript, waitCommand } from './driver';
import { mountTarget } from './mountTarget';
import { JobFile, writeJobFilesCommand } from './jobFiles';
import { previewLaunch, type LaunchPreview } from './preview';
import {
  planLaunch,
  readTask,
  REMOTE_WORKDIR,
  type AttachStorage,
  type LaunchDeps,
  type LaunchRequest,
  type PlannedStep,
} from './plan';
import { headTargets, holdLease, keepLogsOnHead } from './head';
import { follow } from './follow';
import { cancelJob } from './cancel';

export interface LaunchResult {
  job?: JobRecord;
  plan: PlannedStep[];
  /** Set by a dry run: what the launch would send, exclude, delete and do to buckets. */
  preview?: LaunchPreview;
  exitCode: number;
  nodeExitCodes: Record<string, number>;
}

export async function launchTask(req: LaunchRequest, deps: LaunchDeps): Promise<LaunchResult> {
  const log = deps.log ?? noLog;
  const progress = deps.progress ?? noProgress;
  const token = deps.token ?? noCancel;
  const mark = (phase: string) => deps.timings?.mark(phase);
  const { task, envs, secrets } = readTask(req);
  mark('read task');
  const owned = !deps.pool;
  const { pool, inventory } = deps.pool
    ? { pool: deps.pool, inventory: discoverClusters(deps.config) }
    : poolFor(deps.config, deps);
  const { cluster, allNodes, runNodes, workdir, mounts, storageMounts, plan } = planLaunch(
    req,
    task,
    findCluster(inventory, req.cluster),
    { config: deps.config, mountsStorage: !!deps.mountStorage },
  );
  const names = allNodes.map((n) => n.alias);
  if (req.dryRun) {
    // The plan, worked out against the nodes and stores without changing anything on them.
    try {
      const preview = await previewLaunch({
        kind: req.kind,
        taskFile: req.taskFile,
        cluster: cluster.name,
        nodes: allNodes,
        workdir: workdir ? { source: workdir, target: REMOTE_WORKDIR } : undefined,
        mounts,
        steps: plan,
        delete: !!req.syncDelete,
        offline: !!req.offline,
        pool,
        config: deps.config,
        token,
        log,
      });
      return { plan, preview, exitCode: 0, nodeExitCodes: {} };
    } finally {
      if (owned) pool.closeAll();
    }
  }

  // The local trees are walked on a worker thread while the nodes are connected and the job is
  // submitted: a re-sync with nothing to send then waits only for the nodes' listings.
  const walks = new Map<string, Promise<LocalTree>>();
  for (const root of [workdir, ...mounts.map((m) => (m.kind === 'local' ? m.localPath : undefined))]) {
    if (root && !walks.has(root) && fs.statSync(root, { throwIfNoEntry: false })?.isDirectory())
      walks.set(root, walkInBackground({ root }));
  }
  const limit = pLimit(8);
  const onNodes = <T>(nodes: ClusterNode[], fn: (n: ClusterNode, c: Client) => Promise<T>) =>
    Promise.all(nodes.map((n) => limit(async () => fn(n, (await pool.get(n.alias)).client))));
  let job: JobRecord | undefined;
  let releaseLease: (() => void) | undefined;
  const head = allNodes[0];
  try {
    // Storage is resolved first: a store without credentials or a missing bucket fails before any node work.
    let attachStorage: AttachStorage | undefined;
    if (storageMounts.length && deps.mountStorage) {
      progress.report({ phase: 'Storage mounts', message: `resolving ${storageMounts.length} mount(s)` });
      attachStorage = await deps.mountStorage(storageMounts, { task, token, progress, log });
      mark('resolve storage');
    }
    progress.report({ phase: 'Connecting', message: `${cluster.name} (${names.join(', ')})` });
    await onNodes(allNodes, async () => undefined);
    mark('connect');
    if (token.isCancellationRequested) throw new CancelledError();
    // Read while the job is submitted: the nodes' addresses and what their workdir holds. (Only the
    // workdir: a file_mount's folder may be changed by the syncs before its own.)
    const remoteWorkdir = new Map<string, Promise<RemoteState>>();
    if (workdir)
      for (const n of allNodes) {
        const listing = pool.get(n.alias).then((c) => listRemote(c.client, REMOTE_WORKDIR, token));
        listing.catch(() => undefined);
        remoteWorkdir.set(n.alias, listing);
      }
    const addresses = onNodes(allNodes, async (n, c) => {
      const r = await exec(c, "hostname -I 2>/dev/null | awk '{print $1}'");
      return r.stdout.trim() || (await pool.get(n.alias)).host.hostName;
    });
    addresses.catch(() => undefined);
    const headClient = (await pool.get(head.alias)).client;
    const submittedAt = new Date();
    job = await submitJob(
      headClient,
      {
        name: task.name ?? path.basename(req.taskFile),
        cluster: cluster.name,
        kind: req.kind,
        nodes: runNodes.map((n) => n.alias),
        status: 'PENDING',
        submittedAt: submittedAt.toISOString(),
      },
      (id) => taskIdFor(cluster.name, id, submittedAt),
    );
    const jobId = job.id;
    const taskId = job.taskId;
    deps.onJob?.(job);
    mark('submit');
    const ips = await addresses;
    const setup = req.kind === 'launch' && !req.noSetup ? task.setup : undefined;
    const doSetup = !!setup;
    // The nodes a phase runs on; the head probes its ssh to those workers during the sync.
    const involved = doSetup ? allNodes : task.run ? runNodes : [];
    const probing = involved.length
      ? headTargets(pool, jobId, involved, ips.slice(0, involved.length), log)
      : undefined;
    probing?.catch(() => undefined); // awaited below; not an unhandled rejection if the sync fails first

    if (workdir) {
      await onNodes(allNodes, (n, c) =>
        syncDirectory(c, workdir, REMOTE_WORKDIR, {
          token,
          progress,
          log,
          node: n.alias,
          phase: 'Syncing workdir',
          delete: req.syncDelete,
          prepared: { tree: walks.get(workdir), remote: remoteWorkdir.get(n.alias) },
        }),
      );
    }
    for (const m of mounts) {
      if (m.kind !== 'local') continue;
      const target = mountTarget(m.remotePath);
      progress.report({ phase: 'File mounts', message: `${m.localPath} → ${m.remotePath}` });
      await onNodes(allNodes, async (n, c) => {
        const st = fs.statSync(m.localPath);
        if (st.isDirectory())
          await syncDirectory(c, m.localPath, target.path, {
            token,
            progress,
            log,
            node: n.alias,
            phase: 'File mounts',
            delete: req.syncDelete,
            prepared: { tree: walks.get(m.localPath) },
          });
        else await syncFile(c, m.localPath, target.path, { token, node: n.alias });
        if (target.symlinkFrom) {
          const from = shellQuote(target.symlinkFrom);
          const to = remotePath(target.path);
          await execChecked(
            c,
            // The path reaches the shell once, quoted, as $from: never inside another string the shell reads.
            `to=${to}; from=${from}; if [ -e "$from" ] && [ ! -L "$from" ]; then printf '!!! Failed mounting because path exists (%s)\\n' "$from" >&2; exit 1; fi; ` +
              `(mkdir -p "$(dirname -- "$from")" 2>/dev/null && ln -sfn "$to" "$from") || (sudo -n mkdir -p "$(dirname -- "$from")" && sudo -n ln -sfn "$to" "$from")`,
            `Linking ${target.symlinkFrom} on ${n.alias}`,
          );
        }
      });
    }

    mark('sync');
    let mounted: Awaited<ReturnType<AttachStorage>> | undefined;
    if (attachStorage) {
      progress.report({ phase: 'Storage mounts', message: `${storageMounts.length} mount(s)` });
      const clients = await onNodes(allNodes, async (n, c) => ({ node: n, client: c }));
      mounted = await attachStorage(clients);
    }

    const gpus = gpusPerNode(task.resources);
    const userEnv = exportLines({ ...envs, ...secrets });
    if (req.kind === 'launch' && req.noSetup) log.info('Setup commands skipped.');
    const phases = [
      ...(doSetup ? [{ name: 'setup' as const, nodes: allNodes, script: setup }] : []),
      ...(task.run ? [{ name: 'run' as const, nodes: runNodes, script: task.run }] : []),
    ];
    // A node's files: the env file (with secrets: written through stdin with umask 077, never on a
    // command line) and the wrapped script of each phase it takes part in.
    const filesOf = (n: ClusterNode): JobFile[] => {
      const mine = phases.filter((p) => p.nodes.includes(n));
      if (!mine.length) return [];
      return [
        { name: 'env', body: `${userEnv}\n`, secret: true },
        ...mine.map((p) => ({
          name: `${p.name}.sh`,
          body: wrapScript(
            p.script,
            skypilotEnv({
              cluster: cluster.name,
              taskId,
              jobId,
              rank: n.rank,
              ips: ips.slice(0, p.nodes.length),
              numNodes: p.nodes.length,
              gpusPerNode: gpus,
              phase: p.name,
            }),
          ),
        })),
      ];
    };
    const writeFiles = (c: Client, files: JobFile[], then?: string, what = 'Writing the job scripts') => {
      const w = writeJobFilesCommand(jobId, files, then);
      return execChecked(c, w.command, what, { stdin: w.stdin });
    };
    // Every phase is written on its nodes before anything starts: the driver only starts them. The
    // workers' files go while the head probes them; the head's files, its job record and the
    // driver go in one command that also starts the driver.
    await onNodes(allNodes.slice(1), async (n, c) => {
      const files = filesOf(n);
      if (files.length) await writeFiles(c, files);
    });
    const targets = await probing;
    if (phases.length) {
      job.status = doSetup ? 'SETTING_UP' : 'RUNNING';
      job.startedAt = new Date().toISOString();
    }
    const headFiles = filesOf(head);
    if (targets) {
      if (mounted) releaseLease = await holdLease(headClient, jobId);
      const script = driverScript({
        job,
        nodes: targets,
        phases: phases.map((p) => ({ name: p.name, ranks: p.nodes.map((n) => n.rank) })),
        launcherFinishes: !!mounted,
      });
      await writeFiles(
        headClient,
        [
          ...headFiles,
          { name: 'job.json', body: JSON.stringify(job, null, 2) },
          { name: 'driver.sh', body: script },
        ],
        startDetachedCommand(jobId, 'driver'),
        'Starting the job driver',
      );
    } else if (phases.length) {
      if (headFiles.length) await writeFiles(headClient, headFiles);
      await writeJob(headClient, job);
    }
    mark('start');
    const runPhase = async (
      phase: 'setup' | 'run',
      nodes: ClusterNode[],
    ): Promise<Record<string, number>> => {
      const codes: Record<string, number> = {};
      await onNodes(nodes, async (n, c) => {
        if (!targets)
          await execChecked(c, startDetachedCommand(jobId, phase), `Starting ${phase} on ${n.alias}`);
        codes[n.alias] = await follow(
          c,
          jobId,
          phase,
          (line) => deps.output?.(n.alias, redact(line)),
          token,
          !!targets,
        );
      });
      return codes;
    };
    // The end of the job: with a driver, it records the status and keeps every node's logs on the
    // head itself (the status is left to this launcher only after a run with MOUNT_CACHED mounts,
    // for the flush); waiting for it means both are in place when launch returns. Without a driver,
    // this launcher does both.
    const record = job;
    const finish = async (status: JobStatus, exitCode: number) => {
      record.status = status;
      record.exitCode = exitCode;
      record.endedAt = new Date().toISOString();
      if (targets) {
        await exec(headClient, waitCommand(jobId, 'driver'), { token });
        if (mounted && status !== 'FAILED_SETUP') await writeJob(headClient, record);
        return;
      }
      await writeJob(headClient, record);
      await keepLogsOnHead(headClient, allNodes, record, (n) => pool.get(n).then((x) => x.client), log);
    };
    let nodeExitCodes: Record<string, number> = {};
    if (doSetup) {
      progress.report({ phase: 'Setup', message: `on ${allNodes.length} node(s)` });
      const codes = await runPhase('setup', allNodes);
      mark('setup');
      const failed = Object.entries(codes).filter(([, c]) => c !== 0);
      if (failed.length) {
        log.error(
          `Job ${jobId}'s setup failed. Failed workers: ${failed.map(([a, c]) => `(${a}, returncode=${c})`).join(', ')}`,
        );
        await finish('FAILED_SETUP', failed[0][1]);
        return { job, plan, exitCode: failed[0][1], nodeExitCodes: codes };
      }
    }
    if (task.run) {
      if (doSetup && !targets) {
        job.status = 'RUNNING';
        await writeJob(headClient, job);
      }
      progress.report({ phase: 'Running', message: `on ${runNodes.length} node(s)` });
      nodeExitCodes = await runPhase('run', runNodes);
      mark('run');
    }
    if (mounted) {
      // MOUNT_CACHED: the job is not done until every cached write is in its bucket (SkyPilot's flush).
      progress.report({ phase: 'Uploading cached writes', message: 'waiting for MOUNT_CACHED uploads' });
      await mounted.flush((node, line) => {
        progress.report({ phase: 'Uploading cached writes', node, message: line });
        deps.output?.(node, line);
      }, token);
    }
    // The lowest failed rank's code, as the driver records it (not whichever node ended first).
    const exitCode = runNodes.map((n) => nodeExitCodes[n.alias]).find((c) => c !== undefined && c !== 0) ?? 0;
    await finish(exitCode === 0 ? 'SUCCEEDED' : 'FAILED', exitCode);
    mark('finish');
    return { job, plan, exitCode, nodeExitCodes };
  } catch (err) {
    if (job && (err instanceof CancelledError || token.isCancellationRequested)) {
      await cancelJob(
        pool,
        allNodes.map((n) => n.alias),
        job,
      ).catch((e: Error) => log.error(`Cancelling job ${job?.id}: ${e.message}`));
      throw new CancelledError(`Job ${job.id} cancelled.`);
    }
    // A job that failed before setup or run started (e.g. a storage mount) ends FAILED, not PENDING
    // forever in the queue; once they started, the detached scripts' exit codes tell how it ended.
    if (job?.status === 'PENDING') {
      const failedJob: JobRecord = { ...job, status: 'FAILED', endedAt: new Date().toISOString() };
      await pool
        .get(head.alias)
        .then((h) => writeJob(h.client, failedJob))
        .catch((e: Error) => log.error(`Recording job ${failedJob.id} as failed: ${e.message}`));
    }
    throw err;
  } finally {
    releaseLease?.();
    if (owned) pool.closeAll();
  }
}
