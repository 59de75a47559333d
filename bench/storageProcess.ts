// Whole-process bucket transfers: what a user waits for. `sky-vscode storage upload` and
// `sky-vscode storage download` as fresh processes against `rclone copy --transfers 16` as fresh
// processes, on the same Ceph RGW (S3 API) in the same run: 1,000 × 64 KiB files + 4 × 64 MiB files.
// Every round goes into a fresh bucket and folder, the tools take turns going first, every round is
// printed, medians are compared, and every download is checked byte for byte against the source.
// `npm run build && node out/bench/storageProcess.js [rounds]`
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../src/engine/config/config';
import { emptyAndDeleteBucket, openStore } from '../src/engine/storage';
import { startSandbox } from '../src/test/sandbox';
import { rgwRcloneEnv } from './anchors';
import { dirBytes, generateTransferSet, treeHash } from './trees';

const ROOT = path.resolve(__dirname, '..', '..');
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0)
    throw new Error(
      `${path.basename(cmd)} ${args.slice(0, 3).join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`,
    );
  return ms;
}

async function main(): Promise<void> {
  const rounds = Math.max(5, Number(process.argv[2] ?? 5));
  const cli = path.join(ROOT, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: npm run build');
  const started = Date.now();
  const sb = await startSandbox({ s3: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-bench-storage-process-'));
  try {
    sb.writeSkyConfig();
    const env: NodeJS.ProcessEnv = { ...process.env, ...sb.env(), SKY_VSCODE_HOME: sb.skyHome };
    const s3 = sb.s3!;
    const rcloneEnv = rgwRcloneEnv(s3);
    const rclone = (...args: string[]) =>
      timed('rclone', [...args, '--transfers', '16', '--checkers', '16'], rcloneEnv);
    const ours = (...args: string[]) => timed(process.execPath, [cli, 'storage', ...args], env);
    const store = await openStore('s3', loadConfig(path.join(sb.skyHome, 'config.yaml')));

    const src = path.join(work, 'src');
    const bytes = generateTransferSet(src);
    const want = treeHash(src);
    // Warm-up, untimed: RGW creates its data pool on the first multipart upload (seconds).
    ours('upload', '--name', 'bench-proc-warm', '--store', 's3', path.join(src, 'large'));
    await emptyAndDeleteBucket(store, 'bench-proc-warm');
    // Files created soon after a deletion are slower on this disk (ext4 inode reuse, see
    // bench/storage.ts): wait out the deletions before the first round.
    await new Promise((r) => setTimeout(r, Math.max(0, 35_000 - (Date.now() - started))));

    console.log(
      `storage, whole process: ${(bytes / 1024 / 1024).toFixed(0)} MiB (1,000 × 64 KiB + 4 × 64 MiB) on Ceph RGW; node ${process.version}`,
    );
    console.log(
      `load average: ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    const up = { ours: [] as number[], rclone: [] as number[] };
    const down = { ours: [] as number[], rclone: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      const [bo, br] = [`bench-proc-ours-${i}`, `bench-proc-rclone-${i}`];
      const [dO, dR] = [path.join(work, `dl-ours-${i}`), path.join(work, `dl-rclone-${i}`)];
      const oursFirst = i % 2 === 0;
      // The first tool's writes are flushed before the second runs: neither pays the other's writeback.
      const pair = (a: () => number, b: () => number): [number, number] => {
        if (oursFirst) {
          const x = a();
          execFileSync('sync');
          return [x, b()];
        }
        const y = b();
        execFileSync('sync');
        return [a(), y];
      };
      await store.createBucket(br);
      const [uo, ur] = pair(
        () => ours('upload', '--name', bo, '--store', 's3', src),
        () => rclone('copy', src, `rgw:${br}`),
      );
      const [doo, dr] = pair(
        () => ours('download', `s3://${bo}`, dO),
        () => rclone('copy', `rgw:${br}`, dR),
      );
      if (treeHash(dO) !== want) throw new Error(`round ${i + 1}: our download differs from the source`);
      if (treeHash(dR) !== want) throw new Error(`round ${i + 1}: rclone's download differs from the source`);
      up.ours.push(uo);
      up.rclone.push(ur);
      down.ours.push(doo);
      down.rclone.push(dr);
      console.log(
        `round ${i + 1} (${oursFirst ? 'ours' : 'rclone'} first): upload ours ${s(uo)} / rclone ${s(ur)}; download ours ${s(doo)} / rclone ${s(dr)}`,
      );
      await emptyAndDeleteBucket(store, bo);
      await emptyAndDeleteBucket(store, br);
      await s3.collectGarbage();
    }
    console.log('| what the user runs | sky-vscode | rclone copy --transfers 16 | ratio (ours / rclone) |');
    console.log('|---|---|---|---|');
    for (const [what, r] of [
      ['storage upload', up],
      ['storage download', down],
    ] as const) {
      const [a, b] = [median(r.ours), median(r.rclone)];
      console.log(`| ${what}, fresh process | ${s(a)} | ${s(b)} | ${(a / b).toFixed(2)}× |`);
    }
    console.log(`(downloads checked byte for byte; ${dirBytes(src)} bytes each)`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await sb.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
