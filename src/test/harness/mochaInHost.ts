// Runs mocha over compiled test files inside a VS Code extension host and records the counts in a
// JSON file named by SKY_TIER_RESULT, so the launcher can print the tier's closing line last.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import { removeTestDirs } from '../sandbox/proc';

export function findCompiled(dir: string, suffix: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findCompiled(p, suffix));
    else if (e.name.endsWith(suffix)) out.push(p);
  }
  return out.sort();
}

export async function runMochaInHost(tier: string, files: string[], timeoutMs: number): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: timeoutMs,
    color: false,
    reporter: 'spec',
    grep: process.env.SKY_TEST_GREP,
  });
  for (const f of files) mocha.addFile(f);
  const counts = { passed: 0, failed: 0, skipped: 0, failures: [] as string[] };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => counts.passed++);
    runner.on('fail', (t, err: Error) => {
      counts.failed++;
      counts.failures.push(`${t.fullTitle()}: ${err?.message}`);
    });
    runner.on('pending', () => counts.skipped++);
  });
  if (files.length === 0) counts.failed++;
  removeTestDirs(counts.failed > 0);
  const line = `${tier}: ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`;
  console.log(line);
  if (process.env.SKY_TIER_RESULT) fs.writeFileSync(process.env.SKY_TIER_RESULT, JSON.stringify(counts));
  if (counts.failed > 0) throw new Error(`${counts.failed} test(s) failed`);
}
