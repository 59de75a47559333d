// The launcher's work with the head node: how it reaches the workers, the lease that keeps the
// final status with this launcher, and the copy of every node's logs kept on the head.
import { PassThrough } from 'stream';
import pLimit from 'p-limit';
import type { Client } from 'ssh2';
import type { ClusterNode } from '../cluster/clusters';
import type { SshPool } from '../ssh/connect';
import { exec, execChecked } from '../ssh/exec';
import { shellQuote } from '../ssh/quote';
import { SkyError } from '../util/errors';
import type { LogSink } from '../util/log';
import type { JobRecord } from './jobs';
import { headLogDir, jobDir } from './scripts';
import { probeCommand, type HeadTarget } from './driver';

/**
 * How the head reaches every worker over ssh, when it can (probed from the head, once per launch):
 * the address the node itself reports (SKYPILOT_NODE_IPS), its user, and the port this machine
 * uses when that is the same address (else 22). A single node needs no ssh. Undefined, with one
 * warning naming the worker and ssh's error, when some worker cannot be reached from the head.
 */
export async function headTargets(
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
export async function holdLease(head: Client, jobId: number): Promise<() => void> {
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
export async function keepLogsOnHead(
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
