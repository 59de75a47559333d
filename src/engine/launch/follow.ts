// A job's logs: one phase on one node streamed until it ends (`follow`), and every phase on every
// node the job ran on (`jobLogs`), for the CLI's `logs` and the extension's Show Job Logs.
import type { Client } from 'ssh2';
import type { SshPool } from '../ssh/connect';
import { exec } from '../ssh/exec';
import type { CancellationToken } from '../util/cancellation';
import { SkyError } from '../util/errors';
import type { JobRecord } from './jobs';
import { followCommand, jobDir, phaseLogCommand, phaseStartedCommand } from './scripts';

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

/**
 * A job's setup and then run log from every node it ran on (the nodes of a phase in parallel; a
 * phase a node never started is skipped). `follow` streams each phase until it ends, else prints what
 * is there. Returns 0, or a failed phase's exit code when following.
 */
export async function jobLogs(
  pool: Pick<SshPool, 'get'>,
  job: Pick<JobRecord, 'id' | 'nodes'>,
  opts: { follow: boolean; onLine: (node: string, line: string) => void; token?: CancellationToken },
): Promise<number> {
  let code = 0;
  for (const phase of ['setup', 'run'] as const) {
    await Promise.all(
      job.nodes.map(async (alias) => {
        const c = (await pool.get(alias)).client;
        if ((await exec(c, phaseStartedCommand(job.id, phase))).code !== 0) return;
        if (opts.follow) {
          const rc = await follow(c, job.id, phase, (l) => opts.onLine(alias, l), opts.token);
          if (rc !== 0) code = rc;
        } else {
          const r = await exec(c, phaseLogCommand(job.id, phase));
          for (const l of r.stdout.split('\n').slice(0, -1)) opts.onLine(alias, l);
        }
      }),
    );
  }
  return code;
}
