// Bucket transfers vs rclone: 1,000 × 64 KiB files + 4 × 64 MiB files uploaded and downloaded by our
// engine (S3 adapter on Ceph RGW) and by `rclone copy` on the same server, in the same run, with the
// same concurrency; then the time to the first page (1,000 keys) of a bucket with many objects.
// Run: npx tsc -p . && node out/bench/storage.js [objectsForFirstPage=100000] [concurrency=16]
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { constants as perfConstants, PerformanceObserver } from 'perf_hooks';
import pLimit from 'p-limit';
import { loadConfig } from '../src/engine/config/config';
import { downloadToFolder, emptyAndDeleteBucket, openStore, uploadSources } from '../src/engine/storage';
import { startSandbox } from '../src/test/sandbox';
import { rgwRcloneEnv } from './anchors';
import { dirBytes, generateTransferSet, treeHash } from './trees';

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

/** The command name and the fields after it of /proc/PID/stat, or none when the process has gone. */
function procStat(pid: number | 'self'): { comm: string; fields: number[] } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    return {
      comm: stat.slice(stat.indexOf('(') + 1, close),
      fields: stat
        .slice(close + 2)
        .split(' ')
        .map(Number),
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) of a process, or with `children` of its reaped children only. In stat(5)
 * these are fields 14-17 (utime stime cutime cstime), here offset by the two before the fields.
 */
function procCpu(pid: number | 'self', children = false): number {
  const f = procStat(pid)?.fields;
  if (!f) return 0;
  return (children ? f[13] + f[14] : f[11] + f[12]) / 100;
}

/** The servers this bench started (RGW and its Ceph daemons): every process below this one but rclone. */
function serverPids(): number[] {
  const byParent = new Map<number, number[]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(Number(d));
    if (!st || st.comm === 'rclone') continue;
    const ppid = st.fields[1];
    byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(d)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of byParent.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(process.pid);
  return out;
}

/** One timed step: wall time and CPU seconds of the client (this process, or rclone) and of the servers. */
interface Step {
  ms: number;
  cpu: number;
  servers: number;
  /** V8 major GCs in this process during the step (ours only: rclone is another process). */
  gcs: number;
}

let majorGcs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    if ((e as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR)
      majorGcs++;
}).observe({ entryTypes: ['gc'] });

/** Times `fn` on an idle machine; `child` when the work is done by a child process (rclone). */
async function timed(fn: () => Promise<unknown> | unknown, child = false): Promise<Step> {
  await quiesce();
  const servers = serverPids();
  const serverCpu = () => servers.reduce((n, p) => n + procCpu(p), 0);
  const own = () => procCpu('self', child);
  const before = { own: own(), servers: serverCpu() };
  const t = process.hrtime.bigint();
  const gcs = majorGcs;
  await fn();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const step = { ms, cpu: own() - before.own, servers: serverCpu() - before.servers };
  // GC entries reach the observer a tick later.
  await new Promise((r) => setTimeout(r, 20));
  return { ...step, gcs: majorGcs - gcs };
}

async function main(): Promise<void> {
  const firstPageObjects = Number(process.argv[2] ?? 100_000);
  const concurrency = Number(process.argv[3] ?? 16);
  const started = Date.now();
  const sb = await startSandbox({ s3: true });
  try {
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    Object.assign(process.env, sb.env());
    const s3 = sb.s3!;
    const store = await openStore('s3', loadConfig());
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-bench-storage-'));
    const src = path.join(work, 'src');
    const total = generateTransferSet(src);
    const mb = total / 1024 / 1024;
    // rclone reads its remote from the environment.
    const rcloneEnv = rgwRcloneEnv(s3);
    const rclone = (...args: string[]) =>
      execFileSync(
        'rclone',
        [...args, '--transfers', String(concurrency), '--checkers', String(concurrency)],
        {
          env: rcloneEnv,
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );

    // Warm-up (untimed): both tools upload and download a full small set and one multipart file, so
    // connections are open, RGW's caches are warm (its first multipart upload also creates a pool,
    // which takes seconds) and our process has compiled its hot paths, as a long-lived extension host
    // has. rclone is a fresh process for every copy, as users run it; its start-up is in its times.
    const warm = path.join(work, 'warm');
    fs.mkdirSync(warm);
    fs.cpSync(path.join(src, 'small'), path.join(warm, 'small'), { recursive: true });
    fs.writeFileSync(path.join(warm, 'multipart'), crypto.randomBytes(24 * 1024 * 1024));
    await store.createBucket('bench-warm-ours');
    await store.createBucket('bench-warm-rclone');
    await uploadSources(store, 'bench-warm-ours', [warm], { concurrency });
    await downloadToFolder(store, 'bench-warm-ours', '', path.join(work, 'warm-dl-ours'), { concurrency });
    rclone('copy', warm, 'rgw:bench-warm-rclone');
    rclone('copy', 'rgw:bench-warm-rclone', path.join(work, 'warm-dl-rclone'));
    await emptyAndDeleteBucket(store, 'bench-warm-ours');
    await emptyAndDeleteBucket(store, 'bench-warm-rclone');
    await s3.collectGarbage();
    // On ext4 without a journal (this machine's disk) a new inode skips every inode freed in the last
    // 30 s, each skip a buffer-cache lookup: creating files soon after a deletion costs several times
    // the CPU, and hits whichever tool's folder lands in that block group. The deletions before the
    // rounds (a previous run's work folder and sandbox) are waited out, and download folders are
    // removed only at the end.
    await new Promise((r) => setTimeout(r, Math.max(0, 35_000 - (Date.now() - started))));

    const steps = ['upOurs', 'upRclone', 'downOurs', 'downRclone'] as const;
    type Steps = Record<(typeof steps)[number], Step>;
    const rows: (Steps & { part: string; mib: number })[] = [];
    // BENCH_PARTS=large (or small) times one part only; BENCH_ROUNDS sets the rounds (odd, for a median).
    const parts = (process.env.BENCH_PARTS ?? 'small,large').split(',');
    const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
    for (const [i, part] of ['small', 'large'].entries()) {
      if (!parts.includes(part)) continue;
      const dir = path.join(src, part);
      const mib = dirBytes(dir) / 1024 / 1024;
      // Rounds into fresh buckets and folders, the tools taking turns going first; the median of each
      // step counts.
      const all: Steps[] = [];
      const want = treeHash(dir);
      for (let round = 0; round < rounds; round++) {
        const ours = `bench-ours-${part}-${round}`;
        const theirs = `bench-rclone-${part}-${round}`;
        await store.createBucket(ours);
        await store.createBucket(theirs);
        const dlOurs = path.join(work, `dl-ours-${part}-${round}`);
        const dlRclone = path.join(work, `dl-rclone-${part}-${round}`);
        const upO = () => timed(() => uploadSources(store, ours, [dir], { concurrency }));
        const upR = () => timed(() => rclone('copy', dir, `rgw:${theirs}`), true);
        const downO = () => timed(() => downloadToFolder(store, ours, '', dlOurs, { concurrency }));
        const downR = () => timed(() => rclone('copy', `rgw:${theirs}`, dlRclone), true);
        // [ours, rclone], run in the given order.
        const pair = async (o: () => Promise<Step>, r: () => Promise<Step>, oursFirst: boolean) => {
          if (oursFirst) return [await o(), await r()];
          const rr = await r();
          return [await o(), rr];
        };
        const oursFirst = (i + round) % 2 === 0;
        const [upOurs, upRclone] = await pair(upO, upR, oursFirst);
        const [downOurs, downRclone] = await pair(downO, downR, oursFirst);
        all.push({ upOurs, upRclone, downOurs, downRclone });
        if (treeHash(dlOurs) !== want) throw new Error(`our ${part} download differs from the source`);
        if (treeHash(dlRclone) !== want) throw new Error(`rclone's ${part} download differs from the source`);
        // RGW's sandbox store is 2 GiB of memory: a full OSD blocks every write.
        await emptyAndDeleteBucket(store, ours);
        await emptyAndDeleteBucket(store, theirs);
        await s3.collectGarbage();
      }
      const median = (xs: Step[]) => [...xs].sort((x, y) => x.ms - y.ms)[Math.floor(xs.length / 2)];
      const list = (k: (typeof steps)[number]) => all.map((r) => `${(r[k].ms / 1000).toFixed(2)}`).join(', ');
      console.log(
        `${part} rounds (s): upload ours ${list('upOurs')} / rclone ${list('upRclone')}; download ours ${list('downOurs')} / rclone ${list('downRclone')}`,
      );
      const row = { part, mib } as Steps & { part: string; mib: number };
      for (const k of steps) row[k] = median(all.map((r) => r[k]));
      rows.push(row);
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
      firstPage.push(
        (await timed(() => store.listObjects({ bucket: many, prefix: 'obj/', pageSize: 1000 }))).ms,
      );
    firstPage.sort((a, b) => a - b);
    const rcloneFirst = await timed(() =>
      execFileSync('rclone', ['lsf', `rgw:${many}/obj/`, '--max-depth', '1'], {
        env: rcloneEnv,
        stdio: ['ignore', 'ignore', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
      }),
    );

    // What a fresh rclone process costs before its first byte: start-up plus one list request.
    await store.createBucket('bench-empty');
    const rcloneStart: number[] = [];
    for (let n = 0; n < 3; n++)
      rcloneStart.push((await timed(() => rclone('lsf', 'rgw:bench-empty'), true)).ms);
    rcloneStart.sort((a, b) => a - b);

    console.log(
      `payload: 1,000 × 64 KiB + 4 × 64 MiB = ${mb.toFixed(0)} MiB, concurrency ${concurrency}, medians of ${rounds} rounds`,
    );
    console.log(
      `| part | direction | ours | rclone copy | ours/rclone throughput | CPU s ours / rclone / RGW+Ceph (ours, rclone) | major GCs (ours) |`,
    );
    console.log(`|---|---|---|---|---|---|---|`);
    const cell = (st: Step, mib: number) =>
      `${(st.ms / 1000).toFixed(2)} s (${(mib / (st.ms / 1000)).toFixed(1)} MiB/s)`;
    const add = (k: (typeof steps)[number]): Step =>
      rows.reduce(
        (n, r) => ({
          ms: n.ms + r[k].ms,
          cpu: n.cpu + r[k].cpu,
          servers: n.servers + r[k].servers,
          gcs: n.gcs + r[k].gcs,
        }),
        {
          ms: 0,
          cpu: 0,
          servers: 0,
          gcs: 0,
        },
      );
    const totals = {
      part: 'all',
      mib: mb,
      upOurs: add('upOurs'),
      upRclone: add('upRclone'),
      downOurs: add('downOurs'),
      downRclone: add('downRclone'),
    };
    for (const r of [...rows, ...(rows.length > 1 ? [totals] : [])])
      for (const [dir, o, t] of [
        ['upload', r.upOurs, r.upRclone],
        ['download', r.downOurs, r.downRclone],
      ] as const)
        console.log(
          `| ${r.part} | ${dir} | ${cell(o, r.mib)} | ${cell(t, r.mib)} | ${(t.ms / o.ms).toFixed(2)}× | ${o.cpu.toFixed(2)} / ${t.cpu.toFixed(2)} / ${o.servers.toFixed(2)}, ${t.servers.toFixed(2)} | ${o.gcs} |`,
        );
    console.log(
      `first page (1,000 keys) of a ${firstPageObjects.toLocaleString('en-US')}-object bucket: median ${firstPage[2].toFixed(0)} ms, best ${firstPage[0].toFixed(0)} ms (rclone lsf of the whole listing: ${rcloneFirst.ms.toFixed(0)} ms)`,
    );
    console.log(
      `rclone start-up plus one list request (in each rclone time above): median ${rcloneStart[1].toFixed(0)} ms`,
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
