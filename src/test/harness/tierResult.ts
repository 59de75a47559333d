import * as fs from 'fs';

export interface TierCounts {
  passed: number;
  failed: number;
  skipped: number;
  failures?: string[];
}

/** Reads the counts a tier wrote; a missing or broken file counts as one failure (the tier did not finish). */
export function readTierResult(file: string): TierCounts {
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as TierCounts;
    if (typeof c.passed === 'number' && typeof c.failed === 'number')
      return { ...c, skipped: c.skipped ?? 0 };
  } catch {
    /* fall through */
  }
  return { passed: 0, failed: 1, skipped: 0, failures: ['the tier did not report results'] };
}

export function closingLine(tier: string, c: TierCounts): string {
  return `${tier}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`;
}
