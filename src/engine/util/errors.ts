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
