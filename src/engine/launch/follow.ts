// Following a job's logs: one phase on one node, streamed until it ends.
import type { Client } from 'ssh2';
import { exec } from '../ssh/exec';
import type { CancellationToken } from '../util/cancellation';
import { SkyError } from '../util/errors';
import { followCommand, jobDir } from './scripts';

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
