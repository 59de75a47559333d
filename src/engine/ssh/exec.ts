// Runs one command on a node over an exec channel, streaming output, with cancellation.
import type { Client } from 'ssh2';
import { CancellationToken, CancelledError } from '../util/cancellation';
import { SkyError } from '../util/errors';

export interface ExecOptions {
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Data written to the command's stdin, then stdin is closed. */
  stdin?: Buffer | string | NodeJS.ReadableStream;
  token?: CancellationToken;
}

export interface ExecResult {
  code: number;
  signal?: string;
  stdout: string;
  stderr: string;
}

const MAX_CAPTURE = 8 * 1024 * 1024;

export function exec(client: Client, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (opts.token?.isCancellationRequested) return reject(new CancelledError());
    client.exec(command, (err, ch) => {
      if (err)
        return reject(
          new SkyError('ssh-exec', `Could not start a remote command: ${err.message}`, { cause: err }),
        );
      const out: Buffer[] = [];
      const errs: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      let cancelled = false;
      // On cancel, settle at once: sshd may hold the channel open until the remote process exits.
      const sub = opts.token?.onCancellationRequested(() => {
        cancelled = true;
        try {
          ch.signal('TERM');
          ch.close();
        } catch {
          /* connection already gone */
        }
        reject(new CancelledError());
      });
      ch.on('data', (d: Buffer) => {
        if (outLen < MAX_CAPTURE) out.push(d);
        outLen += d.length;
        opts.onStdout?.(d);
      });
      ch.stderr.on('data', (d: Buffer) => {
        if (errLen < MAX_CAPTURE) errs.push(d);
        errLen += d.length;
        opts.onStderr?.(d);
      });
      ch.on('error', (e: Error) => reject(e));
      ch.on('close', (code: number | null, signal?: string) => {
        sub?.dispose();
        if (cancelled) return reject(new CancelledError());
        resolve({
          code: code ?? (signal ? 128 : 255),
          signal,
          stdout: Buffer.concat(out).toString(),
          stderr: Buffer.concat(errs).toString(),
        });
      });
      if (opts.stdin === undefined) ch.end();
      else if (typeof opts.stdin === 'string' || Buffer.isBuffer(opts.stdin)) ch.end(opts.stdin);
      else opts.stdin.pipe(ch);
    });
  });
}

/** exec that fails with the command's stderr when it exits non-zero. */
export async function execChecked(
  client: Client,
  command: string,
  what: string,
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const r = await exec(client, command, opts);
  if (r.code !== 0) {
    throw new SkyError(
      'remote-command',
      `${what} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-5).join('\n') || r.stdout.trim().slice(-500)}`,
    );
  }
  return r;
}
