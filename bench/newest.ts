// "Newest first" on RGW: the newest 100 objects of a 100,000-object prefix (100 folders of 1,000
// checkpoint shards), by `newestObjects` (the engine of `storage ls --newest` and the Storage
// view's Newest First), with its fan-out over first-level folders and without it (one listing at a
// time). Goal: under 5 s. Not a test: the numbers go to docs/performance.md.
// Run: npx tsc -p . && node out/bench/newest.js [objects=100000] [rounds=3]
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import pLimit from 'p-limit';
import { loadConfig } from '../src/engine/config/config';
import { openStore } from '../src/engine/storage';
import { newestObjects } from '../src/engine/storage/newest';
import { startSandbox } from '../src/test/sandbox';

async function main(): Promise<void> {
  const objects = Number(process.argv[2] ?? 100_000);
  const rounds = Number(process.argv[3] ?? 3);
  const sb = await startSandbox({ s3: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-bench-newest-'));
  try {
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    Object.assign(process.env, sb.env());
    const store = await openStore('s3', loadConfig());
    const bucket = 'bench-newest';
    await store.createBucket(bucket);
    const one = path.join(work, 'one.bin');
    fs.writeFileSync(one, 'x');
    const folders = Math.max(1, Math.round(objects / 1000));
    const fillStart = Date.now();
    const fill = pLimit(128);
    await Promise.all(
      Array.from({ length: objects }, (_, i) =>
        fill(async () => {
          const key = `ckpt/step-${String(i % folders).padStart(4, '0')}/shard-${String(Math.floor(i / folders)).padStart(5, '0')}.pt`;
          // One more try: RGW may hold writes while it reshards the bucket index.
          await store.putFile(bucket, key, one).catch(() => store.putFile(bucket, key, one));
        }),
      ),
    );
    process.stderr.write(`filled ${objects} objects in ${((Date.now() - fillStart) / 1000).toFixed(0)} s\n`);
    const results: Record<string, { ms: number[]; requests: number; scanned: number }> = {};
    for (const [name, parallel] of [
      ['fan-out (8 listings at a time)', 8],
      ['one listing at a time', 1],
    ] as const) {
      const r = (results[name] = { ms: [] as number[], requests: 0, scanned: 0 });
      for (let i = 0; i < rounds; i++) {
        const t0 = performance.now();
        let firstShown = 0;
        const out = await newestObjects(store, bucket, 'ckpt/', {
          n: 100,
          parallel,
          onPage: () => (firstShown ||= performance.now() - t0),
        });
        r.ms.push(performance.now() - t0);
        r.requests = out.requests;
        r.scanned = out.scanned;
        if (out.newest.length !== 100) throw new Error(`expected 100 newest, got ${out.newest.length}`);
        process.stderr.write(
          `${name}: ${(r.ms[i] / 1000).toFixed(2)} s (first page shown after ${firstShown.toFixed(0)} ms)\n`,
        );
      }
    }
    for (const [name, r] of Object.entries(results)) {
      const sorted = [...r.ms].sort((a, b) => a - b);
      process.stdout.write(
        `newest 100 of ${r.scanned.toLocaleString('en-US')} objects, ${name}: median ${(sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(2)} s, best ${(sorted[0] / 1000).toFixed(2)} s, ${r.requests} list requests\n`,
      );
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await sb.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
