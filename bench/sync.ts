// Workdir sync vs rsync: a generated tree (10,000 files, ~200 MB, nested, with a .gitignore) synced to a
// sandbox node by our engine (one tar stream, then a remote-state diff) and by `rsync -az` with
// SkyPilot's filters over ssh, in the same run: initial, no change, 10 files changed.
// Run: npx tsc -p . && node out/bench/sync.js [files] [totalMB]
// Whole-process mode (the CLI and rsync as fresh processes, what a user waits for; see syncProcess.ts):
//   npm run build && node out/bench/sync.js --process [files] [totalMB] [rounds=5]
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SshPool } from '../src/engine/ssh/connect';
import { parseSshConfig } from '../src/engine/ssh/config';
import { syncDirectory } from '../src/engine/sync/sync';
import { startSandbox } from '../src/test/sandbox';
import { processMode } from './syncProcess';

function generate(root: string, files: number, totalBytes: number): void {
  const per = Math.floor(totalBytes / files);
  const words = Array.from({ length: 4096 }, () => crypto.randomBytes(6).toString('base64url'));
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `d${i % 20}`, `s${i % 7}`);
    fs.mkdirSync(dir, { recursive: true });
    // Half text (compressible, like code and configs), half random (like checkpoints).
    let body: Buffer;
    if (i % 2 === 0) {
      const parts: string[] = [];
      let n = 0;
      while (n < per) {
        const w = words[(i * 31 + n) % words.length];
        parts.push(w);
        n += w.length + 1;
      }
      body = Buffer.from(parts.join(' ').slice(0, per));
    } else body = crypto.randomBytes(per);
    fs.writeFileSync(path.join(dir, `f${i}.${i % 50 === 0 ? 'log' : 'txt'}`), body);
  }
  fs.writeFileSync(path.join(root, '.gitignore'), '*.log\n');
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

async function main(): Promise<void> {
  const whole = process.argv[2] === '--process';
  const args = process.argv.slice(whole ? 3 : 2);
  const files = Number(args[0] ?? 10_000);
  const totalMB = Number(args[1] ?? 200);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-bench-sync-'));
  const src = path.join(work, 'workdir');
  process.stderr.write(`generating ${files} files, ${totalMB} MB…\n`);
  generate(src, files, totalMB * 1024 * 1024);
  const sb = await startSandbox({ ssh: { workers: whole ? 1 : 0 }, dir: path.join(work, 'sandbox') });
  if (whole) {
    try {
      await processMode(sb, src, Math.max(5, Number(args[2] ?? 5)));
    } finally {
      await sb.stop();
      fs.rmSync(work, { recursive: true, force: true });
    }
    return;
  }
  const pool = new SshPool({
    sshConfig: parseSshConfig(sb.ssh!.sshConfigPath),
    knownHostsFile: sb.ssh!.knownHostsPath,
    strict: 'yes',
  });
  const client = (await pool.get('sky-sbx')).client;
  const rsync = (dest = 'bench-rsync') =>
    execFileSync(
      'rsync',
      [
        '-az',
        '--no-owner',
        '--no-group',
        '--filter=dir-merge,- .gitignore',
        '-e',
        `ssh -F ${sb.ssh!.sshConfigPath}`,
        `${src}/`,
        `sky-sbx:${dest}/`,
      ],
      { stdio: 'ignore' },
    );
  const ours = (dest = '~/bench-ours') => syncDirectory(client, src, dest);
  const rows: { case: string; ours: number; rsync: number }[] = [];
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  try {
    // Initial syncs: one untimed round each (page cache, sshd, the node's disk), then three timed
    // rounds into fresh folders, the two tools taking turns going first; the median counts.
    await ours('~/bench-warm-ours');
    rsync('bench-warm-rsync');
    const initial = { ours: [] as number[], rsync: [] as number[] };
    for (let i = 0; i < 3; i++) {
      const o = async () => initial.ours.push((await timeAsync(() => ours(`~/bench-init-ours-${i}`))).ms);
      const r = () => initial.rsync.push(time(() => rsync(`bench-init-rsync-${i}`)).ms);
      if (i % 2 === 0) {
        await o();
        r();
      } else {
        r();
        await o();
      }
    }
    process.stdout.write(
      `initial rounds: ours ${initial.ours.map((x) => (x / 1000).toFixed(2)).join(', ')} s; rsync ${initial.rsync.map((x) => (x / 1000).toFixed(2)).join(', ')} s\n`,
    );
    rows.push({ case: 'initial (median of 3)', ours: median(initial.ours), rsync: median(initial.rsync) });
    // The re-sync cases start from a full copy on both sides.
    await ours();
    rsync();
    const c = await timeAsync(ours);
    const d = time(rsync);
    rows.push({ case: 'no change', ours: c.ms, rsync: d.ms });
    for (let i = 1; i <= 20; i += 2)
      fs.appendFileSync(path.join(src, `d${i % 20}`, `s${i % 7}`, `f${i}.txt`), `changed ${Date.now()}\n`);
    const e = await timeAsync(ours);
    const f = time(rsync);
    rows.push({ case: '10 changed', ours: e.ms, rsync: f.ms });
    // Same content on both sides.
    const count = (dir: string) =>
      Number(
        execFileSync('bash', ['-c', `find ${JSON.stringify(dir)} -type f | wc -l`])
          .toString()
          .trim(),
      );
    const home = sb.ssh!.nodes[0].home;
    process.stdout.write(
      `files on node: ours ${count(path.join(home, 'bench-ours'))}, rsync ${count(path.join(home, 'bench-rsync'))}\n`,
    );
  } finally {
    pool.closeAll();
    await sb.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`\n| case | ours | rsync -az | ours/rsync |\n|---|---|---|---|\n`);
  for (const r of rows)
    process.stdout.write(
      `| ${r.case} | ${(r.ours / 1000).toFixed(2)} s | ${(r.rsync / 1000).toFixed(2)} s | ${(r.ours / r.rsync).toFixed(2)}× |\n`,
    );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
