// Phase timings of one launch or exec (`--timings`, and the extension's log): where the time a
// user waits goes, from the process start to the exit code.
import { performance } from 'perf_hooks';

export interface PhaseMark {
  phase: string;
  /** Milliseconds since the clock's origin when the phase ended. */
  at: number;
}

export class PhaseClock {
  readonly marks: PhaseMark[] = [];
  /** `origin` in performance.now() milliseconds; 0 (the default) is this process's start. */
  constructor(private readonly origin = 0) {}

  /** Records that `phase` ended now. */
  mark(phase: string): void {
    this.marks.push({ phase, at: performance.now() - this.origin });
  }

  /** One line: each phase's own duration, then the total. */
  render(): string {
    let prev = 0;
    const parts = this.marks.map((m) => {
      const d = m.at - prev;
      prev = m.at;
      return `${m.phase} ${Math.round(d)} ms`;
    });
    return `Timings: ${parts.join(', ')}; total ${Math.round(prev)} ms`;
  }
}
