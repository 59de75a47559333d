// Cancellation crosses the engine boundary as a structural type: a vscode.CancellationToken fits it,
// and so does the AbortSignal-backed token the CLI makes.
export interface Disposable {
  dispose(): void;
}

export interface CancellationToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): Disposable;
}

export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export const noCancel: CancellationToken = Object.freeze({
  isCancellationRequested: false,
  onCancellationRequested: () => ({ dispose() {} }),
});

export class CancellationSource {
  private readonly controller = new AbortController();
  readonly token: CancellationToken = tokenFromSignal(this.controller.signal);
  cancel(): void {
    this.controller.abort();
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
}

export function tokenFromSignal(signal: AbortSignal): CancellationToken {
  return {
    get isCancellationRequested() {
      return signal.aborted;
    },
    onCancellationRequested(listener: () => void): Disposable {
      if (signal.aborted) {
        queueMicrotask(listener);
        return { dispose() {} };
      }
      const once = () => listener();
      signal.addEventListener('abort', once, { once: true });
      return { dispose: () => signal.removeEventListener('abort', once) };
    },
  };
}

/** An AbortSignal that fires when the token is cancelled (for SDKs that take a signal). */
export function signalFromToken(token: CancellationToken | undefined): AbortSignal {
  const controller = new AbortController();
  if (!token) return controller.signal;
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

export function throwIfCancelled(token: CancellationToken | undefined): void {
  if (token?.isCancellationRequested) throw new CancelledError();
}

export function isCancelledError(err: unknown): boolean {
  return (
    err instanceof CancelledError ||
    (err instanceof Error && (err.name === 'AbortError' || err.name === 'CancelledError'))
  );
}

/**
 * Runs `work` with `onCancel` hooked to the token (to abort a stream or an SDK call); a failure after
 * cancellation is reported as CancelledError, whatever the aborted call threw.
 */
export async function whileCancellable<T>(
  token: CancellationToken | undefined,
  onCancel: () => void,
  work: () => Promise<T>,
): Promise<T> {
  const sub = token?.onCancellationRequested(onCancel);
  try {
    return await work();
  } catch (err) {
    if (token?.isCancellationRequested) throw new CancelledError();
    throw err;
  } finally {
    sub?.dispose();
  }
}
