// Progress crosses the engine boundary as plain events; each front end renders them its own way.
export interface ProgressEvent {
  /** A short phase name, e.g. "Connecting", "Syncing workdir", "Setup". */
  phase?: string;
  /** Human detail for the current step. */
  message?: string;
  /** Bytes done/total so far (total may be unknown). */
  bytes?: { done: number; total?: number };
  /** Files done/total so far. */
  files?: { done: number; total?: number };
  /** Node (host alias) the event is about, for multi-node work. */
  node?: string;
}

export interface ProgressSink {
  report(event: ProgressEvent): void;
}

export const noProgress: ProgressSink = { report() {} };

/**
 * Drops events that arrive faster than `intervalMs`, but always keeps phase changes and the last
 * event (flushed on `flush()`), so a UI never shows stale numbers at the end.
 */
export function throttleProgress(sink: ProgressSink, intervalMs = 250): ProgressSink & { flush(): void } {
  let last = 0;
  let pending: ProgressEvent | undefined;
  let lastPhase: string | undefined;
  return {
    report(event) {
      const now = Date.now();
      const phaseChanged = event.phase !== undefined && event.phase !== lastPhase;
      if (phaseChanged || now - last >= intervalMs) {
        last = now;
        lastPhase = event.phase ?? lastPhase;
        pending = undefined;
        sink.report(event);
      } else {
        pending = event;
      }
    },
    flush() {
      if (pending) sink.report(pending);
      pending = undefined;
    },
  };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
