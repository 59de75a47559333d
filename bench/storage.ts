// Bucket transfers vs rclone: 1,000 × 64 KiB files + 4 × 64 MiB files uploaded and downloaded by our
// engine (S3 adapter on Ceph RGW) and by `rclone copy` on the same server, in the same run, with the
// same concurrency; then the time to the first page (1,000 keys) of a bucket with many objects.
// Run: npx tsc -p . && node out/bench/storage.js [objectsForFirstPage=100000] [concurrency=16]
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import pLimit from 'p-limit';
import { loadConfig } from '../src/engine/config/config';
import { downloadToFolder, emptyAndDeleteBucket, openStore, uploadSources } from '../src/engine/storage';
import { startSandbox } from '../src/test/sandbox';

function generate(root: string): number {
  let bytes = 0;
  for (let i = 0; i < 1000; i++) {
    const dir = path.join(root, 'small', `d${i % 10}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.bin`), crypto.randomBytes(64 * 1024));
    bytes += 64 * 1024;
  }
  fs.mkdirSync(path.join(root, 'large'), { recursive: true });
  for (let i = 0; i < 4; i++) {
    const fd = fs.openSync(path.join(root, 'large', `big${i}.bin`), 'w');
    for (let j = 0; j < 64; j++) fs.writeSync(fd, crypto.randomBytes(1024 * 1024));
    fs.closeSync(fd);
    bytes += 64 * 1024 * 1024;
  }
  return bytes;
}

/** Busy and total jiffies of all CPUs (first line of /proc/stat). */
function cpuJiffies(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

/**
 * Waits until the machine is idle: the step before leaves dirty pages to write back and RGW keeps
 * working for a second or so after a burst of writes, and whoever went next would pay for it.
 */
async function quiesce(): Promise<void> {
  execFileSync('sync');
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const a = cpuJiffies();
    await new Promise((r) => setTimeout(r, 300));
    const b = cpuJiffies();
    if ((b.busy - a.busy) / Math.max(1, b.total - a.total) < 0.05) return;
  }
}

async function timed<T>(fn: () => Promise<T> | T): Promise<number> {
  await quiesce();
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function dirBytes(root: string): number {
  let n = 0;
  for (const e of fs.readdirSync(root, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  return n;
}

function treeHash(root: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
      else h.update(`${rel}${e.name}\0`).update(fs.readFileSync(p));
    }
  };
  walk(root, '');
  return h.digest('hex');
}

async function main(): Promise<void> {
  const firstPageObjects = Number(process.argv[2] ?? 100_000);
  const concurrency = Number(process.argv[3] ?? 16);
  const sb = await startSandbox({ s3: true });
  try {
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    Object.assign(process.env, sb.env());
    const s3 = sb.s3!;
    const store = await openStore('s3', loadConfig());
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-bench-storage-'));
    const src = path.join(work, 'src');
    const total = generate(src);
    const mb = total / 1024 / 1024;
    // rclone reads its remote from the environment; AWS_CA_BUNDLE breaks its S3 backend.
    const rcloneEnv: NodeJS.ProcessEnv = {
      ...process.env,
      RCLONE_CONFIG_RGW_TYPE: 's3',
      RCLONE_CONFIG_RGW_PROVIDER: 'Ceph',
      RCLONE_CONFIG_RGW_ENDPOINT: s3.endpoint,
      RCLONE_CONFIG_RGW_ACCESS_KEY_ID: s3.accessKeyId,
      RCLONE_CONFIG_RGW_SECRET_ACCESS_KEY: s3.secretAccessKey,
      RCLONE_CONFIG_RGW_REGION: s3.region,
    };
    delete rcloneEnv.AWS_CA_BUNDLE;
    const rclone = (...args: string[]) =>
      execFileSync(
        'rclone',
        [...args, '--transfers', String(concurrency), '--checkers', String(concurrency)],
        {
          env: rcloneEnv,
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );

    // Warm-up (untimed): both tools open connections and RGW warms its caches (its first multipart
    // upload also creates a pool, which takes seconds), so neither pays for
    // going first. Then each part is timed for both tools, alternating which goes first.
    const warm = path.join(work, 'warm');
    fs.mkdirSync(warm);
    for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(warm, `w${i}`), crypto.randomBytes(64 * 1024));
    fs.writeFileSync(path.join(warm, 'multipart'), crypto.randomBytes(24 * 1024 * 1024));
    await store.createBucket('bench-warm-ours');
    await store.createBucket('bench-warm-rclone');
    await uploadSources(store, 'bench-warm-ours', [warm], { concurrency });
    await downloadToFolder(store, 'bench-warm-ours', '', path.join(work, 'warm-dl-ours'), { concurrency });
    rclone('copy', warm, 'rgw:bench-warm-rclone');
    rclone('copy', 'rgw:bench-warm-rclone', path.join(work, 'warm-dl-rclone'));
    const rows: {
      part: string;
      upOurs: number;
      upRclone: number;
      downOurs: number;
      downRclone: number;
      mib: number;
    }[] = [];
    // BENCH_PARTS=large (or small) times one part only.
    const parts = (process.env.BENCH_PARTS ?? 'small,large').split(',');
    for (const [i, part] of ['small', 'large'].entries()) {
      if (!parts.includes(part)) continue;
      const dir = path.join(src, part);
      const mib = dirBytes(dir) / 1024 / 1024;
      // Three rounds into fresh buckets and folders, the tools taking turns going first; the median
      // of each counts (RGW's background work after a big write otherwise penalises whoever is second).
      const times = {
        upOurs: [] as number[],
        upRclone: [] as number[],
        downOurs: [] as number[],
        downRclone: [] as number[],
      };
      const want = treeHash(dir);
      for (let round = 0; round < 3; round++) {
        const ours = `bench-ours-${part}-${round}`;
        const theirs = `bench-rclone-${part}-${round}`;
        await store.createBucket(ours);
        await store.createBucket(theirs);
        const dlOurs = path.join(work, `dl-ours-${part}-${round}`);
        const dlRclone = path.join(work, `dl-rclone-${part}-${round}`);
        const upO = () => timed(() => uploadSources(store, ours, [dir], { concurrency }));
        const upR = () => timed(() => rclone('copy', dir, `rgw:${theirs}`));
        const downO = () => timed(() => downloadToFolder(store, ours, '', dlOurs, { concurrency }));
        const downR = () => timed(() => rclone('copy', `rgw:${theirs}`, dlRclone));
        // [ours, rclone], run in the given order.
        const pair = async (o: () => Promise<number>, r: () => Promise<number>, oursFirst: boolean) => {
          if (oursFirst) return [await o(), await r()];
          const rr = await r();
          return [await o(), rr];
        };
        const oursFirst = (i + round) % 2 === 0;
        const [uo, ur] = await pair(upO, upR, oursFirst);
        const [dO, dR] = await pair(downO, downR, oursFirst);
        times.upOurs.push(uo);
        times.upRclone.push(ur);
        times.downOurs.push(dO);
        times.downRclone.push(dR);
        if (treeHash(dlOurs) !== want) throw new Error(`our ${part} download differs from the source`);
        if (treeHash(dlRclone) !== want) throw new Error(`rclone's ${part} download differs from the source`);
        fs.rmSync(dlOurs, { recursive: true, force: true });
        fs.rmSync(dlRclone, { recursive: true, force: true });
        // RGW's sandbox store is 2 GiB of memory: a full OSD blocks every write.
        await emptyAndDeleteBucket(store, ours);
        await emptyAndDeleteBucket(store, theirs);
      }
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[1];
      const round2 = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(2)).join(', ');
      console.log(
        `${part} rounds (s): upload ours ${round2(times.upOurs)} / rclone ${round2(times.upRclone)}; download ours ${round2(times.downOurs)} / rclone ${round2(times.downRclone)}`,
      );
      const [upOurs, upRclone, downOurs, downRclone] = [
        median(times.upOurs),
        median(times.upRclone),
        median(times.downOurs),
        median(times.downRclone),
      ];
      rows.push({ part, upOurs, upRclone, downOurs, downRclone, mib });
    }

    // A bucket with many small objects, filled once at high concurrency (not timed).
    const many = 'bench-many';
    await store.createBucket(many);
    const one = path.join(work, 'one.txt');
    fs.writeFileSync(one, 'x');
    const fill = pLimit(128);
    await Promise.all(
      Array.from({ length: firstPageObjects }, (_, i) =>
        fill(async () => {
          const key = `obj/${String(i).padStart(6, '0')}.txt`;
          // One more try: RGW may hold writes while it reshards the bucket index.
          await store.putFile(many, key, one).catch(() => store.putFile(many, key, one));
        }),
      ),
    );
    const firstPage: number[] = [];
    for (let i = 0; i < 5; i++)
      firstPage.push(await timed(() => store.listObjects({ bucket: many, prefix: 'obj/', pageSize: 1000 })));
    firstPage.sort((a, b) => a - b);
    const rcloneFirst = await timed(() =>
      execFileSync('rclone', ['lsf', `rgw:${many}/obj/`, '--max-depth', '1'], {
        env: rcloneEnv,
        stdio: ['ignore', 'ignore', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
      }),
    );

    console.log(`payload: 1,000 × 64 KiB + 4 × 64 MiB = ${mb.toFixed(0)} MiB, concurrency ${concurrency}`);
    console.log(`| part | direction | ours | rclone copy | ours/rclone throughput |`);
    console.log(`|---|---|---|---|---|`);
    const cell = (ms: number, mib: number) =>
      `${(ms / 1000).toFixed(2)} s (${(mib / (ms / 1000)).toFixed(1)} MiB/s)`;
    const sum = (k: 'upOurs' | 'upRclone' | 'downOurs' | 'downRclone') => rows.reduce((n, r) => n + r[k], 0);
    for (const r of [
      ...rows,
      {
        part: 'all',
        upOurs: sum('upOurs'),
        upRclone: sum('upRclone'),
        downOurs: sum('downOurs'),
        downRclone: sum('downRclone'),
        mib: mb,
      },
    ]) {
      console.log(
        `| ${r.part} | upload | ${cell(r.upOurs, r.mib)} | ${cell(r.upRclone, r.mib)} | ${(r.upRclone / r.upOurs).toFixed(2)}× |`,
      );
      console.log(
        `| ${r.part} | download | ${cell(r.downOurs, r.mib)} | ${cell(r.downRclone, r.mib)} | ${(r.downRclone / r.downOurs).toFixed(2)}× |`,
      );
    }
    console.log(
      `first page (1,000 keys) of a ${firstPageObjects.toLocaleString('en-US')}-object bucket: median ${firstPage[2].toFixed(0)} ms, best ${firstPage[0].toFixed(0)} ms (rclone lsf of the whole listing: ${rcloneFirst.toFixed(0)} ms)`,
    );
    fs.rmSync(work, { recursive: true, force: true });
  } finally {
    await sb.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
