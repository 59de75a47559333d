import * as assert from 'assert';
import { cachedFlags, mountFlags } from '../../../engine/mounts/flags';
import { describeMount } from '../../../engine/mounts/describe';
import { scriptCommand } from '../../../engine/mounts/nodeScripts';
import { parseTask } from '../../../engine/task/model';

/** The flag that follows `name` in an rclone argument list. */
const flag = (f: string[], name: string) => (f.includes(name) ? f[f.indexOf(name) + 1] : undefined);

function mountOf(yaml: string) {
  const t = parseTask(yaml, { file: '/tmp/task.yaml' }).tasks[0];
  return t.fileMounts[0];
}

describe('mounts: rclone flags and the words launch uses', () => {
  it('MOUNT_CACHED defaults are SkyPilot’s: full cache, 1 s write-back, 10G cache, and one transfer so uploads keep write order', () => {
    const f = cachedFlags('/out');
    assert.strictEqual(flag(f, '--vfs-cache-mode'), 'full');
    assert.strictEqual(flag(f, '--vfs-write-back'), '1s');
    assert.strictEqual(flag(f, '--vfs-cache-max-size'), '10G');
    assert.strictEqual(flag(f, '--transfers'), '1');
    assert.strictEqual(flag(f, '--checkers'), '4');
    assert.ok(f.includes('--vfs-fast-fingerprint'));
    assert.ok(!f.includes('--read-only'));
  });

  it('a type preset and config.mount_cached map to rclone flags (sizes upper-cased, checkers from transfers)', () => {
    const m = mountOf(`file_mounts:
  /ckpt:
    name: b
    store: s3
    mode: MOUNT_CACHED
    type: MODEL_CHECKPOINT_RW
    config:
      mount_cached:
        buffer_size: 64m
        vfs_cache_max_age: 2h
        vfs_read_ahead: 128m
        vfs_write_back: 3s
`);
    assert.ok(m.kind === 'storage');
    const f = cachedFlags('/ckpt', m.storage.mountCached, '1.68.2');
    assert.strictEqual(flag(f, '--transfers'), '8');
    assert.strictEqual(flag(f, '--checkers'), '16');
    assert.strictEqual(flag(f, '--buffer-size'), '64M');
    assert.strictEqual(flag(f, '--vfs-read-ahead'), '128M');
    assert.strictEqual(flag(f, '--vfs-cache-max-age'), '2h');
    assert.strictEqual(flag(f, '--vfs-write-back'), '3s');
    assert.strictEqual(flag(f, '--vfs-read-chunk-size'), '32M');
    assert.strictEqual(flag(f, '--vfs-read-chunk-streams'), '16');
  });

  it('vfs_read_chunk_streams is dropped with a warning on rclone older than 1.68; read-only presets mount read-only', () => {
    const warnings: string[] = [];
    const log = { trace() {}, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const f = cachedFlags('/data', { vfs_read_chunk_streams: 16, read_only: true }, '1.60.1', log);
    assert.ok(!f.includes('--vfs-read-chunk-streams'));
    assert.match(warnings[0], /needs rclone 1\.68\+ \(the node has 1\.60\.1\)/);
    assert.ok(f.includes('--read-only'));
    assert.deepStrictEqual(mountFlags(true).slice(-1), ['--read-only']);
    assert.strictEqual(flag(mountFlags(false), '--vfs-cache-mode'), 'off');
  });

  it('scripts take every value as a quoted argument', () => {
    assert.strictEqual(
      scriptCommand(['/mnt/a b', "it's", '$(rm -rf ~)', '-x', 3]),
      `bash -s -- '/mnt/a b' 'it'\\''s' '$(rm -rf ~)' '-x' 3`,
    );
  });

  it('describes what launch does with each kind of mount', () => {
    const upload = describeMount(
      mountOf(
        `file_mounts:\n  ~/d:\n    name: b1\n    source: ./data\n    mode: COPY\n    persistent: false\n`,
      ),
      { nodes: 2, defaultStore: 'gcs' },
    );
    assert.strictEqual(upload.summary, 'COPY of b1 at ~/d on each of the 2 nodes');
    assert.match(upload.details.join('\n'), /created if missing, then \.\/data uploaded/);
    assert.match(upload.details.join('\n'), /Store: gcs \(the config's defaultStore\)/);
    assert.match(upload.details.join('\n'), /persistent: false — `sky-vscode down` deletes this bucket/);
    const attach = describeMount(mountOf(`file_mounts:\n  /in:\n    source: s3://shared/x\n`), { nodes: 1 });
    assert.strictEqual(attach.summary, 'MOUNT of shared at /in on the node');
    assert.match(attach.details[0], /s3:\/\/shared\/x is attached as is/);
    const uri = describeMount(mountOf(`file_mounts:\n  /w: gs://b/weights.bin\n`), { nodes: 3 });
    assert.strictEqual(uri.summary, 'GCS gs://b/weights.bin downloaded at /w on each of the 3 nodes');
  });
});
