import { errorMessage, SkyError, UsageError } from '../engine/util/errors';
import { isCancelledError } from '../engine/util/cancellation';
import { LogSink } from '../engine/util/log';
import { redact } from '../engine/util/redact';
import { ProgressSink, formatBytes } from '../engine/util/progress';

/** Exit codes: 0 ok, 1 a failure was found (e.g. invalid task, failed job), 2 usage or environment error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Human output goes to stderr so that --json output on stdout stays machine-readable. */
export const stderrLog: LogSink = {
  trace: () => {},
  debug: (m) => {
    if (process.env.SKY_VSCODE_DEBUG) process.stderr.write(`debug: ${redact(m)}\n`);
  },
  info: (m) => process.stderr.write(`${redact(m)}\n`),
  warn: (m) => process.stderr.write(`warning: ${redact(m)}\n`),
  error: (m) => process.stderr.write(`error: ${redact(m)}\n`),
};

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Progress on stderr: one line per phase, and a rewritten status line on a TTY. */
export function stderrProgress(): ProgressSink {
  const tty = process.stderr.isTTY;
  let lastPhase: string | undefined;
  return {
    report(e) {
      if (e.phase && e.phase !== lastPhase) {
        lastPhase = e.phase;
        process.stderr.write(
          `${tty ? '\r\x1b[K' : ''}${e.node ? `[${e.node}] ` : ''}${e.phase}${e.message ? `: ${redact(e.message)}` : ''}\n`,
        );
        return;
      }
      if (!tty) return;
      const parts: string[] = [];
      if (e.files)
        parts.push(`${e.files.done}${e.files.total !== undefined ? `/${e.files.total}` : ''} files`);
      if (e.bytes)
        parts.push(
          `${formatBytes(e.bytes.done)}${e.bytes.total !== undefined ? ` / ${formatBytes(e.bytes.total)}` : ''}`,
        );
      if (e.message) parts.push(redact(e.message));
      process.stderr.write(`\r\x1b[K  ${parts.join('  ')}`);
    },
  };
}

/** Maps an error to a message on stderr and an exit code. */
export function reportError(err: unknown): number {
  if (isCancelledError(err)) {
    process.stderr.write('Cancelled.\n');
    return EXIT_FAILURE;
  }
  process.stderr.write(`error: ${errorMessage(err)}\n`);
  if (process.env.SKY_VSCODE_DEBUG && err instanceof Error && err.stack)
    process.stderr.write(`debug: ${redact(err.stack)}\n`);
  if (err instanceof UsageError) return EXIT_USAGE;
  if (err instanceof SkyError && err.code.startsWith('config')) return EXIT_USAGE;
  return err instanceof SkyError ? EXIT_FAILURE : EXIT_USAGE;
}
