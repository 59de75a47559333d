// Reading a 1 GiB object on a cluster node through a MOUNT path and a MOUNT_CACHED path (cold, then
// warm from the VFS cache), next to a plain download of the same object to the node's disk
// (`rclone copyto`, what COPY mode does), in the same run against the sandbox's Ceph RGW.
// The mounts are made by the real launch path (createStorageMounter); the reads run on the node.
// Run: npx tsc -p . && node out/bench/mounts.js [sizeMiB=1024]
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../src/engine/config/config';
import { launchTask } from '../src/engine/launch/run';
import { createStorageMounter } from '../src/engine/mounts/attach';
import { syncLocalSourceToBucket } from '../src/engine/storage';
import { startSandbox } from '../src/test/sandbox';

async function main(): Promise<void> {
  const sizeMiB = Number(process.argv[2] ?? 1024);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-bench-mounts-'));
  const sb = await startSandbox({ ssh: { workers: 0 }, s3: true, dir: path.join(work, 'sandbox') });
  try {
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    const config = loadConfig();
    const bucket = `sky-bench-mounts-${crypto.randomBytes(3).toString('hex')}`;
    const src = path.join(work, 'src');
    fs.mkdirSync(src);
    const fd = fs.openSync(path.join(src, 'big.bin'), 'w');
    for (let i = 0; i < sizeMiB; i++) fs.writeSync(fd, crypto.randomBytes(1024 * 1024));
    fs.closeSync(fd);
    await syncLocalSourceToBucket({ config, store: 's3', name: bucket, sources: [src], command: 'bench' });
    const profile = `sky-s3-${bucket}`;
    // Each read: drop nothing (no root on a real node either), time it, print ms and bytes.
    const task = path.join(work, 'task.yaml');
    fs.writeFileSync(
      task,
      `file_mounts:
  ~/m:
    name: ${bucket}
    store: s3
    mode: MOUNT
  ~/mc:
    name: ${bucket}
    store: s3
    mode: MOUNT_CACHED
    config:
      mount_cached:
        vfs_cache_max_size: 4G
run: |
  t() { local name=$1; shift; local s=$(date +%s%N); local n=$("$@" | wc -c); echo "RESULT $name $(( ($(date +%s%N) - s) / 1000000 )) $n"; }
  dl() { env -u AWS_CA_BUNDLE rclone copyto --config ~/.sky/rclone/${profile}.conf ${profile}:${bucket}/big.bin ~/dl.bin && cat ~/dl.bin; rm -f ~/dl.bin; }
  t download-1 dl
  t mount cat ~/m/big.bin
  t mount_cached-cold cat ~/mc/big.bin
  t mount_cached-warm cat ~/mc/big.bin
  t download-2 dl
`,
    );
    const results = new Map<string, { ms: number; bytes: number }>();
    const r = await launchTask(
      { kind: 'launch', taskFile: task, cluster: 'sky-sbx' },
      {
        config,
        mountStorage: createStorageMounter({ config, command: 'bench' }),
        output: (_node, line) => {
          const m = /^RESULT (\S+) (\d+) (\d+)$/.exec(line);
          if (m) results.set(m[1], { ms: Number(m[2]), bytes: Number(m[3]) });
          else console.log(`  node: ${line}`);
        },
      },
    );
    if (r.exitCode !== 0) throw new Error(`bench job failed with exit code ${r.exitCode}`);
    const expected = sizeMiB * 1024 * 1024;
    for (const [k, v] of results)
      if (v.bytes !== expected) throw new Error(`${k} read ${v.bytes} bytes, expected ${expected}`);
    const dl = (results.get('download-1')!.ms + results.get('download-2')!.ms) / 2;
    const mbs = (ms: number) => (expected / 1024 / 1024 / (ms / 1000)).toFixed(0);
    console.log(`\nRead of a ${sizeMiB} MiB object on a node (Ceph RGW, same run):`);
    console.log(`  ${'path'.padEnd(22)} ${'ms'.padStart(7)} ${'MiB/s'.padStart(7)}  vs download`);
    for (const [k, v] of results) {
      console.log(
        `  ${k.padEnd(22)} ${String(v.ms).padStart(7)} ${mbs(v.ms).padStart(7)}  ${(dl / v.ms).toFixed(2)}×`,
      );
    }
    console.log(
      `  (download = rclone copyto to the node's disk then read; mean of the two runs: ${dl.toFixed(0)} ms)`,
    );
  } finally {
    await sb.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
