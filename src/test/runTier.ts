// Runs one test tier with mocha and ends with the tier's own plain closing line:
// "<tier>: N passed, N failed[, N skipped]". Usage: node out/src/test/runTier.js unit|integration [--grep RE] [files...]
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import { removeTestDirs } from './sandbox/proc';

function findTests(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(p));
    else if (entry.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const tier = args.shift();
  if (!tier) {
    process.stderr.write('usage: runTier <tier> [--grep RE] [file-filter...]\n');
    return 2;
  }
  let grep: string | undefined;
  const filters: string[] = [];
  while (args.length) {
    const a = args.shift()!;
    if (a === '--grep') grep = args.shift();
    else filters.push(a);
  }
  const dir = path.join(__dirname, tier);
  const hooksFile = path.join(dir, 'hooks.js');
  const rootHooks = fs.existsSync(hooksFile)
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require(hooksFile) as { mochaHooks?: Mocha.RootHookObject }).mochaHooks
    : undefined;
  const mocha = new Mocha({
    timeout: tier === 'unit' ? 20_000 : 180_000,
    reporter: 'spec',
    rootHooks,
    grep,
  });
  const files = findTests(dir).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
  for (const f of files) mocha.addFile(f);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => passed++);
    runner.on('fail', () => failed++);
    runner.on('pending', () => skipped++);
  });
  if (files.length === 0) failed++;
  removeTestDirs(failed > 0);
  process.stdout.write(
    `${tier}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
  );
  return failed > 0 || files.length === 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
