import { redact } from './redact';

/**
 * An error the user can act on: what went wrong, the cause, and what to do. Messages pass the
 * redaction point so that no secret reaches a notification, a log or stderr.
 */
export class SkyError extends Error {
  readonly code: string;
  readonly hint?: string;
  constructor(code: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(redact(message), options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'SkyError';
    this.code = code;
    this.hint = options.hint ? redact(options.hint) : undefined;
  }
}

/** Bad input or environment (CLI exit code 2). */
export class UsageError extends SkyError {
  constructor(message: string, hint?: string) {
    super('usage', message, { hint });
    this.name = 'UsageError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof SkyError) return err.hint ? `${err.message}\n${err.hint}` : err.message;
  if (err instanceof Error) return redact(err.message || err.name);
  return redact(String(err));
}

/** What each local file-system failure means to the user. */
const LOCAL_FS: Record<string, string> = {
  ENOSPC: 'no space left on its disk',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'its file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a file stands where its path needs a folder',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long for its file system',
  EIO: 'an input/output error on its disk',
};

/**
 * A failure of the local file system (Node's fs errors carry `syscall` and `path`; network errors carry
 * no path) as an error to act on. Retrying it would not help, so it is not a store error.
 */
export function localFsError(err: unknown): SkyError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || typeof e !== 'object' || !e.syscall || !e.path || !e.code || !(e.code in LOCAL_FS))
    return undefined;
  const full = e.code === 'ENOSPC' || e.code === 'EDQUOT';
  return new SkyError('local-fs', `Could not ${e.syscall} ${e.path}: ${LOCAL_FS[e.code]}.`, {
    cause: err,
    hint: full ? 'Free some space or pick another destination, then run it again.' : undefined,
  });
}
