// Launch and exec on an SSH cluster, in SkyPilot's order (reference §3.8): sync workdir to
// ~/sky_workdir on every node → local file_mounts → setup on all nodes → run on num_nodes nodes.
// `exec` syncs the workdir and runs (optionally also file_mounts, SkyPilot #3479).
import * as fs from 'fs';
import * as path from 'path';
import { PassThrough } from 'stream';
import pLimit from 'p-limit';
import type { Client } from 'ssh2';
import type { SkyConfig } from '../config/config';
import { discoverClusters, findCluster, ClusterNode } from '../cluster/clusters';
import { SshPool, StrictMode } from '../ssh/connect';
import { exec, execChecked } from '../ssh/exec';
import { remotePath, shellQuote } from '../ssh/quote';
import { syncDirectory, syncFile } from '../sync/sync';
import { describeMount } from '../mounts/describe';
import { parseTask } from '../task/model';
import type { Task, FileMount } from '../task/model';
import { CancellationToken, CancelledError, noCancel } from '../util/cancellation';
import { SkyError, UsageError } from '../util/errors';
import type { LogSink } from '../util/log';
import { noLog } from '../util/log';
import type { PromptUi } from '../util/prompt';
import { ProgressSink, noProgress } from '../util/progress';
import { redact, registerSecret } from '../util/redact';
import { gpusPerNode, skypilotEnv, taskIdFor, exportLines } from './env';
import { JobRecord, JobStatus, reserveJobId, writeJob } from './jobs';
import {
  cancelCommand,
  followCommand,
  headLogDir,
  jobDir,
  startDetachedCommand,
  wrapScript,
} from './scripts';
import { driverScript, HeadTarget, probeCommand, waitCommand } from './driver';
import { mountTarget } from './mountTarget';
import { JobFile, writeJobFilesCommand } from './jobFiles';
import { previewLaunch, type LaunchPreview } from './preview';

export { headLogDir };

export const REMOTE_WORKDIR = '~/sky_workdir';

export interface LaunchRequest {
  kind: 'launch' | 'exec';
  taskFile: string;
  cluster: string;
  workdir?: string;
  env?: Record<string, string>;
  secrets?: Record<string, string>;
  noSetup?: boolean;
  withFileMounts?: boolean;
  dryRun?: boolean;
  /** With dryRun: do not connect to the nodes or the stores (every local file counts as to be sent). */
  offline?: boolean;
  /** Remove files on the nodes that were deleted locally (opt-in, SkyPilot #8096). */
  syncDelete?: boolean;
}

export interface LaunchDeps {
  config: SkyConfig;
  ui?: PromptUi;
  log?: LogSink;
  progress?: ProgressSink;
  token?: CancellationToken;
  /** One line of job output from a node (already redacted). */
  output?: (node: string, line: string) => void;
  pool?: SshPool;
  /** Called as soon as the job id is known (the UI shows it, cancel needs it). */
  onJob?: (job: JobRecord) => void;
  /** Attaches cloud-storage file_mounts (uri/storage entries); absent → such mounts are refused. */
  mountStorage?: MountStorage;
  /** Told as each phase of the launch ends (for `--timings` and the extension's log). */
  timings?: { mark(phase: string): void };
}

/**
 * Extension point for storage mounts (reference §3.3 order: after local file_mounts, before
 * setup). The mounts engine fills it in two steps: first, before any node is touched, it resolves
 * the mounts on this machine (store, credentials, bucket checks and uploads) and returns the
 * second step, which launch calls with the connected nodes.
 */
export type MountStorage = (
  mounts: Exclude<FileMount, { kind: 'local' }>[],
  ctx: { task: Task; token: CancellationToken; progress: ProgressSink; log: LogSink },
) => Promise<AttachStorage>;

export type AttachStorage = (nodes: { node: ClusterNode; client: Client }[]) => Promise<{
  flush(say: (node: string, line: string) => void, token: CancellationToken): Promise<void>;
} | void>;

export interface PlannedStep {
  phase: string;
  detail: string;
  nodes: string[];
}

export interface LaunchResult {
  job?: JobRecord;
  plan: PlannedStep[];
  /** Set by a dry run: what the launch would send, exclude, delete and do to buckets. */
  preview?: LaunchPreview;
  exitCode: number;
  nodeExitCodes: Record<string, number>;
}

export function poolFor(
  config: SkyConfig,
  deps: { ui?: PromptUi; log?: LogSink },
): { pool: SshPool; inventory: ReturnType<typeof discoverClusters> } {
  const inventory = discoverClusters(config);
  const strict: StrictMode = config.ssh.strictHostKeyChecking ?? 'ask';
  const pool = new SshPool({
    sshConfig: inventory.sshConfig,
    knownHostsFile: inventory.knownHostsFile,
    strict,
    ui: deps.ui,
    log: deps.log,
  });
  return { pool, inventory };
}

function loadTask(req: LaunchRequest): Task {
  let text: string;
  try {
    text = fs.readFileSync(req.taskFile, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read ${req.taskFile}: ${(err as Error).message}`);
  }
  // Secrets are masked before anything can quote them: a rule's message may hold a substituted value.
  for (const v of Object.values(req.secrets ?? {})) registerSecret(v);
  const overrides = { ...(req.env ?? {}), ...(req.secrets ?? {}) };
  const parsed = parseTask(text, { file: req.taskFile, env: overrides });
  for (const t of parsed.tasks) for (const v of Object.values(t.secrets)) registerSecret(v);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const first = errors
      .slice(0, 5)
      .map((d) => `${req.taskFile}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`)
      .join('\n');
    throw new SkyError('task-invalid', `The task is invalid (${errors.length} error(s)):\n${first}`);
  }
  if (parsed.tasks.length !== 1)
    throw new UsageError(
      `${req.taskFile} has ${parsed.tasks.length} tasks; launch takes a single task (pipelines are not supported here).`,
    );
  return parsed.tasks[0];
}

/** Final env values: task envs/secrets with --env/--secret overrides; a null left over is an error (SkyPilot's "required" envs). */
function resolveEnv(
  task: Task,
  req: LaunchRequest,
): { envs: Record<string, string>; secrets: Record<string, string> } {
  const envs: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(task.envs)) {
    const value = req.env?.[k] ?? v;
    if (value === null || value === undefined)
      throw new UsageError(`Environment variable '${k}' is None. Please set a value with --env ${k}=VALUE.`);
    envs[k] = String(value);
  }
  for (const [k, v] of Object.entries(req.env ?? {})) envs[k] = v;
  for (const [k, v] of Object.entries(task.secrets)) {
    const value = req.secrets?.[k] ?? v;
    if (value === null || value === undefined)
      throw new UsageError(`Secret '${k}' is None. Please set a value with --secret ${k}=VALUE.`);
    secrets[k] = String(value);
  }
  for (const [k, v] of Object.entries(req.secrets ?? {})) secrets[k] = v;
  for (const v of Object.values(secrets)) registerSecret(v);
  return { envs, secrets };
}

export async function launchTask(req: LaunchRequest, deps: LaunchDeps): Promise<LaunchResult> {
  const log = deps.log ?? noLog;
  const progress = deps.progress ?? noProgress;
  const token = deps.token ?? noCancel;
  const mark = (phase: string) => deps.timings?.mark(phase);
  const task = loadTask(req);
  const { envs, secrets } = resolveEnv(task, req);
  mark('read task');
  const owned = !deps.pool;
  const { pool, inventory } = deps.pool
    ? { pool: deps.pool, inventory: discoverClusters(deps.config) }
    : poolFor(deps.config, deps);
  const cluster = findCluster(inventory, req.cluster);
  if (task.numNodes > cluster.nodes.length) {
    throw new UsageError(
      `The task needs ${task.numNodes} nodes but cluster ${cluster.name} has ${cluster.nodes.length} (${cluster.nodes.map((n) => n.alias).join(', ')}).`,
    );
  }
  const allNodes = cluster.nodes;
  const runNodes = allNodes.slice(0, task.numNodes);
  const workdir = req.workdir
    ? path.resolve(req.workdir)
    : task.workdir?.kind === 'local'
      ? task.workdir.localPath
      : undefined;
  if (task.workdir?.kind === 'git' && !req.workdir)
    throw new UsageError(
      'Git workdirs ({url, ref}) are not supported on SSH clusters yet; use a local workdir or --workdir.',
    );
  if (workdir && !fs.statSync(workdir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(
      `Workdir must be a valid directory (or a symlink to a directory). ${workdir} not found.`,
    );
  }
  const syncMounts = req.kind === 'launch' || !!req.withFileMounts;
  const mounts = syncMounts ? task.fileMounts : [];
  const storageMounts = mounts.filter((m): m is Exclude<FileMount, { kind: 'local' }> => m.kind !== 'local');
  const unsupported = deps.mountStorage ? [] : storageMounts;
  if (unsupported.length) {
    throw new SkyError(
      'mounts-unsupported',
      `This version syncs local file_mounts only; ${unsupported.map((m) => `${m.dst} (${m.kind})`).join(', ')} cannot be attached on SSH clusters yet.`,
      { hint: 'Remove those entries or mount the bucket from your run script.' },
    );
  }
  const names = allNodes.map((n) => n.alias);
  const plan: PlannedStep[] = [];
  if (workdir)
    plan.push({ phase: 'Syncing workdir', detail: `${workdir} → ${REMOTE_WORKDIR}`, nodes: names });
  for (const m of mounts)
    plan.push({
      phase: m.kind === 'local' ? 'File mounts' : 'Storage mounts',
      detail:
        m.kind === 'local'
          ? `${m.localPath} → ${m.remotePath}`
          : describeMount(m, { nodes: allNodes.length, defaultStore: deps.config.defaultStore }).summary,
      nodes: names,
    });
  if (req.kind === 'launch' && task.setup && !req.noSetup)
    plan.push({ phase: 'Setup', detail: 'setup script', nodes: names });
  if (task.run) plan.push({ phase: 'Running', detail: 'run script', nodes: runNodes.map((n) => n.alias) });
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
    const headClient = (await pool.get(head.alias)).client;
    const jobId = await reserveJobId(headClient);
    const taskId = taskIdFor(cluster.name, jobId);
    job = {
      id: jobId,
      taskId,
      name: task.name ?? path.basename(req.taskFile),
      cluster: cluster.name,
      kind: req.kind,
      nodes: runNodes.map((n) => n.alias),
      status: 'PENDING',
      submittedAt: new Date().toISOString(),
    };
    await writeJob(headClient, job);
    deps.onJob?.(job);
    mark('submit');
    const ips = await onNodes(allNodes, async (n, c) => {
      const r = await exec(c, "hostname -I 2>/dev/null | awk '{print $1}'");
      return r.stdout.trim() || (await pool.get(n.alias)).host.hostName;
    });
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

/**
 * How the head reaches every worker over ssh, when it can (probed from the head, once per launch):
 * the address the node itself reports (SKYPILOT_NODE_IPS), its user, and the port this machine
 * uses when that is the same address (else 22). A single node needs no ssh. Undefined, with one
 * warning naming the worker and ssh's error, when some worker cannot be reached from the head.
 */
async function headTargets(
  pool: SshPool,
  jobId: number,
  nodes: ClusterNode[],
  ips: string[],
  log: LogSink,
): Promise<HeadTarget[] | undefined> {
  const targets = await Promise.all(
    nodes.map(async (n, i) => {
      const { host } = await pool.get(n.alias);
      const port = host.hostName === ips[i] ? host.port : 22;
      return { rank: n.rank, alias: n.alias, dest: `${host.user}@${ips[i]}`, port };
    }),
  );
  const head = (await pool.get(nodes[0].alias)).client;
  const limit = pLimit(8); // sshd's MaxSessions (10) bounds the channels of one connection
  const probes = await Promise.all(
    targets.slice(1).map((t) => limit(async () => ({ t, r: await exec(head, probeCommand(t, jobId)) }))),
  );
  const bad = probes.find((p) => p.r.code !== 0);
  if (!bad) return targets;
  const why = `${bad.r.stdout}\n${bad.r.stderr}`.trim().split('\n').pop() || `exit ${bad.r.code}`;
  log.warn(
    `The head ${nodes[0].alias} cannot reach ${bad.t.alias} over ssh (${bad.t.dest} port ${bad.t.port}: ${why}), ` +
      'so this launcher runs the job itself: if it disconnects, the job will not progress past setup.',
  );
  return undefined;
}

/**
 * A process on the head that lives as long as this launcher's connection (cat until stdin closes):
 * while it is alive the driver leaves the final status to the launcher. Returns its release.
 */
async function holdLease(head: Client, jobId: number): Promise<() => void> {
  const stdin = new PassThrough();
  let started!: () => void;
  const ready = new Promise<undefined>((resolve) => (started = () => resolve(undefined)));
  const done = exec(
    head,
    `cd ${jobDir(jobId)} && echo $$ > launcher.lease && echo ok && exec cat > /dev/null`,
    { stdin, onStdout: () => started() },
  );
  done.catch(() => undefined);
  const first = await Promise.race([ready, done]);
  if (first) throw new SkyError('remote-command', `Holding the job's lease failed: ${first.stderr.trim()}`);
  return () => stdin.end();
}

/**
 * Copies every node's setup/run log to the head (`<phase>-<rank>-<node>.log`), streamed node → this
 * machine → head, so the logs of a multi-node job stay readable on the head after workers go away.
 * A failure here is reported, never fatal: the job itself has finished.
 */
async function keepLogsOnHead(
  head: Client,
  nodes: ClusterNode[],
  job: JobRecord,
  clientOf: (alias: string) => Promise<Client>,
  log: LogSink,
): Promise<void> {
  const dir = headLogDir(job.taskId);
  try {
    await execChecked(head, `mkdir -p ${dir}`, 'Creating the log folder on the head');
    for (const n of nodes) {
      const c = await clientOf(n.alias);
      for (const phase of ['setup', 'run']) {
        const from = `${jobDir(job.id)}/${phase}.log`;
        const to = `${dir}/${shellQuote(`${phase}-${n.rank}-${n.alias}.log`)}`;
        if (c === head) {
          await exec(head, `[ -f ${from} ] && cp ${from} ${to}`);
          continue;
        }
        const src = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
          c.exec(`cat ${from} 2>/dev/null || true`, (err, ch) => (err ? reject(err) : resolve(ch))),
        );
        await execChecked(
          head,
          `cat > ${to}.tmp && { [ -s ${to}.tmp ] && mv ${to}.tmp ${to} || rm -f ${to}.tmp; }`,
          'Keeping logs on the head',
          { stdin: src },
        );
      }
    }
  } catch (err) {
    log.warn(`Could not keep job ${job.id}'s logs on the head: ${(err as Error).message}`);
  }
}

/** Streams a phase's log lines until it ends; returns its exit code. */
export async function follow(
  client: Client,
  jobId: number,
  phase: string,
  onLine: (line: string) => void,
  token?: CancellationToken,
  waitStart = false,
): Promise<number> {
  let buf = '';
  let rc = 137;
  // The exit-code marker is printed after a newline; an empty line just before it is not output.
  let heldEmpty = 0;
  const r = await exec(client, followCommand(jobId, phase, true, waitStart), {
    token,
    onStdout: (d) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /^__SKY_RC__(\d+)$/.exec(line);
        if (m) {
          rc = Number(m[1]);
          heldEmpty = Math.max(0, heldEmpty - 1);
        }
        for (; heldEmpty > 0 && (m || line !== ''); heldEmpty--) onLine('');
        if (m) continue;
        if (line === '') heldEmpty++;
        else onLine(line);
      }
    },
  });
  for (; heldEmpty > 0; heldEmpty--) onLine('');
  if (buf && !buf.startsWith('__SKY_RC__')) onLine(buf);
  if (r.code === 3)
    throw new SkyError(
      'job-unknown',
      waitStart
        ? `Job ${jobId}'s ${phase} did not start on this node (see ${jobDir(jobId)}/driver.log on the head).`
        : `Job ${jobId} has no ${phase} on this node.`,
    );
  return rc;
}

/** Cancels a job on every node: kills its process groups and records CANCELLED on the head. */
export async function cancelJob(
  pool: SshPool,
  nodes: string[],
  job: Pick<JobRecord, 'id'> & Partial<JobRecord>,
): Promise<void> {
  await Promise.all(
    nodes.map(async (a) =>
      execChecked((await pool.get(a)).client, cancelCommand(job.id), `Cancelling job ${job.id} on ${a}`),
    ),
  );
  if (job.taskId) {
    const head = (await pool.get(nodes[0])).client;
    const rec: JobRecord = {
      ...(job as JobRecord),
      status: 'CANCELLED' as JobStatus,
      endedAt: new Date().toISOString(),
    };
    await writeJob(head, rec);
  }
}
