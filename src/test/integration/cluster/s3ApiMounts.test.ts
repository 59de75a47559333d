import * as assert from 'assert';
import * as path from 'path';
import { loadConfig } from '../../../engine/config/config';
import { emptyAndDeleteBucket, openStore, readRecords } from '../../../engine/storage';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { makeTestDir } from '../../sandbox/proc';
import { s3ApiStoreConfig } from '../storage/s3ApiConfig';
import { bucketKeys, storageLauncher } from './storageLaunch';

describe('Nebius, CoreWeave and VAST Data buckets on the cluster (RGW): MOUNT, MOUNT_CACHED and COPY', function () {
  this.timeout(300_000);
  let sb: Sandbox;
  let launch: ReturnType<typeof storageLauncher>;
  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig(s3ApiStoreConfig(sb));
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    launch = storageLauncher(makeTestDir('sky-s3api-mounts-'));
  });
  after(() => sb.writeSkyConfig());

  for (const store of ['nebius', 'vastdata'] as const) {
    it(`${store}: local source uploaded then MOUNT, COPY and MOUNT_CACHED on both nodes`, async () => {
      const b = `sky-mnt-${store}-${Date.now().toString(36)}`;
      const { r, text, log } = await launch(`num_nodes: 2
file_mounts:
  /mnt/data:
    name: ${b}-m
    source: ./data
    store: ${store}
    mode: MOUNT
  ~/copy:
    name: ${b}-m
    source: ./data
    store: ${store}
    mode: COPY
  /mnt/cached:
    name: ${b}-c
    store: ${store}
    mode: MOUNT_CACHED
run: |
  cat /mnt/data/in.txt /mnt/data/sub/deep.txt ~/copy/sub/deep.txt
  echo "mounted by rank $SKYPILOT_NODE_RANK" > /mnt/data/out-$SKYPILOT_NODE_RANK.txt
  echo "local only" > ~/copy/copy-write-$SKYPILOT_NODE_RANK.txt
  head -c 300000 /dev/urandom > /mnt/cached/ckpt-$SKYPILOT_NODE_RANK.bin
  stat -c 'mode %a %n' ~/.sky/rclone/*.conf
  findmnt -rn -o FSTYPE -M /mnt/data; findmnt -rn -o FSTYPE -M /mnt/cached
`);
      assert.strictEqual(r.exitCode, 0, `${text('sky-sbx')}\n${log.lines.join('\n')}`);
      for (const node of ['sky-sbx', 'sky-sbx-worker1']) {
        const out = text(node);
        assert.match(out, /input data\ndeep\ndeep/, out);
        const modes = [...out.matchAll(/^mode (\d+) /gm)].map((m) => m[1]);
        assert.ok(modes.length >= 2 && modes.every((m) => m === '600'), `credential files are 0600: ${out}`);
        assert.match(out, /fuse\.rclone\nfuse\.rclone/);
      }
      assert.deepStrictEqual(await bucketKeys(store, `${b}-m`), [
        'in.txt',
        'out-0.txt',
        'out-1.txt',
        'sub/deep.txt',
      ]);
      assert.deepStrictEqual(await bucketKeys(store, `${b}-c`), ['ckpt-0.bin', 'ckpt-1.bin']);
      assert.deepStrictEqual(
        readRecords()
          .filter((x) => x.name.startsWith(b))
          .map((x) => `${x.name}:${x.store}:${x.status}`)
          .sort(),
        [`${b}-c:${store}:READY`, `${b}-m:${store}:READY`],
      );
    });
  }

  it('coreweave: an existing bucket is attached by cw:// URI with MOUNT, MOUNT_CACHED and COPY; a new one is refused before any node work', async () => {
    const b = `sky-mnt-cw-${Date.now().toString(36)}`;
    // Made outside sky-vscode, as CoreWeave buckets are (here through the S3 store on the same RGW).
    const s3 = await openStore('s3', loadConfig());
    await s3.createBucket(b);
    const data = makeTestDir('sky-cw-seed-');
    const fs = await import('fs');
    fs.mkdirSync(path.join(data, 'sub'));
    fs.writeFileSync(path.join(data, 'in.txt'), 'input data\n');
    fs.writeFileSync(path.join(data, 'sub', 'deep.txt'), 'deep\n');
    await s3.putFile(b, 'in.txt', path.join(data, 'in.txt'));
    await s3.putFile(b, 'sub/deep.txt', path.join(data, 'sub', 'deep.txt'));
    try {
      const { r, text, log } = await launch(`file_mounts:
  /mnt/cw:
    source: cw://${b}
    mode: MOUNT
  /mnt/cw-cached:
    source: cw://${b}
    mode: MOUNT_CACHED
  ~/cw-copy:
    source: cw://${b}/sub
    mode: COPY
  ~/cw-file.txt: cw://${b}/in.txt
run: |
  cat /mnt/cw/in.txt ~/cw-copy/deep.txt ~/cw-file.txt
  echo written > /mnt/cw/from-mount.txt
  echo cached > /mnt/cw-cached/from-cache.txt
  findmnt -rn -o FSTYPE -M /mnt/cw; findmnt -rn -o FSTYPE -M /mnt/cw-cached
`);
      assert.strictEqual(r.exitCode, 0, `${text('sky-sbx')}\n${log.lines.join('\n')}`);
      assert.strictEqual(text('sky-sbx'), 'input data\ndeep\ninput data\nfuse.rclone\nfuse.rclone');
      assert.deepStrictEqual(await bucketKeys('coreweave', b), [
        'from-cache.txt',
        'from-mount.txt',
        'in.txt',
        'sub/deep.txt',
      ]);
      // Attached, not managed.
      assert.ok(!readRecords().some((x) => x.name === b));

      const missing = `${b}-new`;
      const refused = await launch(`file_mounts:
  /mnt/new:
    name: ${missing}
    store: coreweave
    mode: MOUNT
run: echo should-not-run
`).then(
        (x) => ({ ok: true as const, x }),
        (err: Error) => ({ ok: false as const, err }),
      );
      const message = refused.ok
        ? `${refused.x.log.lines.join('\n')}\n${refused.x.text('sky-sbx')}`
        : refused.err.message;
      if (refused.ok) assert.notStrictEqual(refused.x.r.exitCode, 0);
      assert.match(message, /CoreWeave AI Object Storage buckets are not created by sky-vscode/);
      assert.ok(!/should-not-run/.test(message));
      assert.ok(!(await s3.bucketExists(missing)));
      assert.ok(!readRecords().some((x) => x.name === missing));
    } finally {
      await emptyAndDeleteBucket(s3, b);
    }
  });
});
