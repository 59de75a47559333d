import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig, type StoreKind } from '../../../engine/config/config';
import { launchTask } from '../../../engine/launch/run';
import { createStorageMounter } from '../../../engine/mounts/attach';
import { teardownCluster } from '../../../engine/mounts/teardown';
import { discoverClusters, findCluster } from '../../../engine/cluster/clusters';
import { poolFor } from '../../../engine/cluster/pool';
import { exec } from '../../../engine/ssh/exec';
import { openStore, readRecords } from '../../../engine/storage';
import type { PromptUi } from '../../../engine/util/prompt';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { bucketKeys, bucketUri, captureLog, storageLauncher } from './storageLaunch';
import { makeTestDir } from '../../sandbox/proc';

describe('storage on the cluster: MOUNT, MOUNT_CACHED and COPY on real sshd nodes with rclone + FUSE', function () {
  this.timeout(240_000);
  let sb: Sandbox;
  let launch: ReturnType<typeof storageLauncher>;
  const keys = bucketKeys;
  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    launch = storageLauncher(makeTestDir('sky-mounts-'));
  });

  for (const store of ['s3', 'r2', 'ibm', 'gcs', 'azure'] as StoreKind[]) {
    it(`${store}: local source uploaded then MOUNT, COPY and MOUNT_CACHED on both nodes; writes reach the bucket only through the mounts`, async () => {
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
  head -c 3000000 /dev/urandom > /mnt/cached/ckpt-$SKYPILOT_NODE_RANK.bin
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
      // MOUNT: files written on the nodes are in the bucket after close; COPY writes are not.
      assert.deepStrictEqual(await keys(store, `${b}-m`), [
        'in.txt',
        'out-0.txt',
        'out-1.txt',
        'sub/deep.txt',
      ]);
      // MOUNT_CACHED: both checkpoints are uploaded before launch reports the job done.
      assert.deepStrictEqual(await keys(store, `${b}-c`), ['ckpt-0.bin', 'ckpt-1.bin']);
      const recs = readRecords().filter((x) => x.name.startsWith(b));
      assert.deepStrictEqual(recs.map((x) => `${x.name}:${x.store}:${x.status}`).sort(), [
        `${b}-c:${store}:READY`,
        `${b}-m:${store}:READY`,
      ]);
    });
  }

  it('a second launch re-uploads nothing unchanged, remounts cleanly over the live mount, and sees earlier writes', async () => {
    const b = `sky-mnt-again-${Date.now().toString(36)}`;
    const yaml = `file_mounts:
  ~/m:
    name: ${b}
    source: ./data
    store: s3
    mode: MOUNT
run: |
  ls ~/m | sort | tr '\\n' ' '; echo
  date +%s%N > ~/m/stamp-$RANDOM.txt
`;
    const first = await launch(yaml);
    assert.strictEqual(first.r.exitCode, 0);
    assert.ok(
      first.log.lines.some((l) => /2 file\(s\) uploaded, 0 unchanged/.test(l)),
      first.log.lines.join('\n'),
    );
    // Same task directory contents, launched again: nothing re-uploaded.
    const dir = first.dir;
    const config = loadConfig();
    const log = captureLog();
    const lines: string[] = [];
    const second = await launchTask(
      { kind: 'launch', taskFile: path.join(dir, 'task.yaml'), cluster: 'sky-sbx' },
      {
        config,
        log,
        output: (_n, l) => lines.push(l),
        mountStorage: createStorageMounter({ config, command: 'test' }),
      },
    );
    assert.strictEqual(second.exitCode, 0, lines.join('\n'));
    assert.ok(
      log.lines.some((l) => /0 file\(s\) uploaded, 2 unchanged/.test(l)),
      log.lines.join('\n'),
    );
    assert.match(lines[0], /^in\.txt stamp-\d+\.txt sub $/);
  });

  it('MOUNT_CACHED with one transfer: the job waits, saying it is still uploading, until every cached write is in the bucket', async () => {
    const b = `sky-mnt-flush-${Date.now().toString(36)}`;
    const jobJson = (id: number) =>
      JSON.parse(
        fs.readFileSync(
          path.join(sb.ssh!.nodes[0].home, '.sky-vscode', 'jobs', String(id), 'job.json'),
          'utf8',
        ),
      ) as { status: string };
    // The driver on the head leaves the final status to the launcher while it uploads.
    const whileUploading = new Set<string>();
    const { r, text } = await launch(
      `file_mounts:
  ~/out:
    name: ${b}
    store: s3
    mode: MOUNT_CACHED
    config:
      mount_cached:
        vfs_write_back: 4s
run: |
  for i in 1 2 3; do head -c 4000000 /dev/urandom > ~/out/part-$i.bin; done
  echo written
`,
      {
        onLine: (_n, line, id) => {
          if (/still uploading/.test(line)) whileUploading.add(jobJson(id).status);
        },
      },
    );
    assert.strictEqual(r.exitCode, 0);
    assert.deepStrictEqual([...whileUploading], ['RUNNING']);
    assert.strictEqual(jobJson(r.job!.id).status, 'SUCCEEDED');
    assert.match(text('sky-sbx'), /skypilot: cached mount is still uploading \(elapsed: \d+s\)/);
    assert.match(text('sky-sbx'), /skypilot: cached mount upload complete/);
    assert.deepStrictEqual(await keys('s3', b), ['part-1.bin', 'part-2.bin', 'part-3.bin']);
  });

  it('cloud-URI string mounts: a single object becomes a file, a prefix becomes a directory (s3 and gcs)', async () => {
    const b = `sky-mnt-uri-${Date.now().toString(36)}`;
    const seed = await launch(`file_mounts:
  ~/seed-s3:
    name: ${b}
    source: ./data
    store: s3
    mode: COPY
  ~/seed-gcs:
    name: ${b}
    source: ./data
    store: gcs
    mode: COPY
run: echo seeded
`);
    assert.strictEqual(seed.r.exitCode, 0);
    const { r, text } = await launch(`file_mounts:
  ~/uri/s3-file.txt: s3://${b}/in.txt
  /mnt/uri-s3-dir: s3://${b}/sub
  ~/uri/gcs-file.txt: gs://${b}/in.txt
  ~/uri/gcs-dir: gs://${b}/sub
run: |
  test -f ~/uri/s3-file.txt && test -f ~/uri/gcs-file.txt && echo files-ok
  cat ~/uri/s3-file.txt ~/uri/gcs-file.txt /mnt/uri-s3-dir/deep.txt ~/uri/gcs-dir/deep.txt
`);
    assert.strictEqual(r.exitCode, 0, text('sky-sbx'));
    assert.strictEqual(text('sky-sbx'), 'files-ok\ninput data\ninput data\ndeep\ndeep');
  });

  it('a bucket source URI is attached as is, and two nodes see the same MOUNT bucket', async () => {
    const b = `sky-mnt-shared-${Date.now().toString(36)}`;
    const s = await openStore('azure', loadConfig());
    await s.createBucket(b);
    try {
      const { r, text } = await launch(`num_nodes: 2
file_mounts:
  ~/shared:
    source: ${bucketUri('azure', b)}
    mode: MOUNT
run: |
  if [ "$SKYPILOT_NODE_RANK" = 0 ]; then echo "hello from head" > ~/shared/from-head.txt; echo wrote; exit 0; fi
  for i in $(seq 1 60); do [ -f ~/shared/from-head.txt ] && break; sleep 0.5; done
  cat ~/shared/from-head.txt
`);
      assert.strictEqual(r.exitCode, 0, text('sky-sbx-worker1'));
      assert.strictEqual(text('sky-sbx-worker1'), 'hello from head');
      // Attaching a bucket named by URI does not make it a managed bucket.
      assert.ok(!readRecords().some((x) => x.name === b));
    } finally {
      const { emptyAndDeleteBucket } = await import('../../../engine/storage');
      await emptyAndDeleteBucket(s, b);
    }
  });

  it('read-only MOUNT refuses writes; a non-empty mount path is refused without force, mounted over (files kept) with it', async () => {
    const b = `sky-mnt-ro-${Date.now().toString(36)}`;
    const node = sb.ssh!.nodes[0];
    const dir = path.join(node.mnt, 'busy');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
    const owner = fs.statSync(node.mnt);
    fs.chownSync(dir, owner.uid, owner.gid);
    const yaml = `file_mounts:
  /mnt/busy:
    name: ${b}
    source: ./data
    store: s3
    mode: MOUNT
    config:
      mount:
        read_only: true
run: |
  cat /mnt/busy/in.txt
  if (echo x > /mnt/busy/nope.txt) 2>/dev/null; then echo WRITABLE; else echo read-only; fi
`;
    await assert.rejects(launch(yaml), /Mount path \/mnt\/busy on sky-sbx is not empty/);
    const asked: string[] = [];
    const ui = {
      confirm: async (m: string) => (asked.push(m), true),
    } as unknown as PromptUi;
    const { r, text } = await launch(yaml, { ui });
    assert.strictEqual(r.exitCode, 0);
    assert.match(asked[0], /\/mnt\/busy on sky-sbx is not empty/);
    assert.strictEqual(text('sky-sbx'), 'input data\nread-only');
    assert.strictEqual(fs.readFileSync(path.join(dir, 'precious.txt'), 'utf8'), 'keep me');
    assert.deepStrictEqual(await keys('s3', b), ['in.txt', 'sub/deep.txt']);
  });

  it('OCI: COPY is relayed through this machine; MOUNT fails with a clear error and touches no node', async () => {
    const b = `sky-mnt-oci-${Date.now().toString(36)}`;
    const { r, text } = await launch(`file_mounts:
  ~/oci-copy:
    name: ${b}
    source: ./data
    store: oci
    mode: COPY
run: cat ~/oci-copy/in.txt ~/oci-copy/sub/deep.txt
`);
    assert.strictEqual(r.exitCode, 0);
    assert.strictEqual(text('sky-sbx'), 'input data\ndeep');
    await assert.rejects(
      launch(`file_mounts:
  ~/oci-mount:
    name: ${b}
    store: oci
    mode: MOUNT
run: echo never
`),
      /does not mount OCI buckets on the nodes/,
    );
  });

  it('an ambiguous store fails with the choices; a missing local source or bucket fails before anything runs', async () => {
    await assert.rejects(
      launch(`file_mounts:
  ~/gone:
    source: s3://sky-mnt-no-such-bucket-${Date.now().toString(36)}
run: echo never
`),
      /~\/gone: bucket s3:\/\/sky-mnt-no-such-bucket-\w+ does not exist/,
    );
    await assert.rejects(
      launch(`file_mounts:
  ~/c:
    name: sky-mnt-nosrc-${Date.now().toString(36)}
    source: ./not-there
    store: s3
run: echo never
`),
      /Local source path '\.\/not-there' does not exist/,
    );
    // Without defaultStore, six configured stores leave the choice open.
    sb.writeSkyConfig({ defaultStore: null });
    try {
      await assert.rejects(
        launch(`file_mounts:
  ~/c:
    name: sky-mnt-ambiguous
    source: ./data
run: echo never
`),
        /no store given and more than one is possible \(s3, r2, ibm, gcs, azure, oci\)/,
      );
    } finally {
      sb.writeSkyConfig();
    }
  });

  it('store credentials never appear in the launch output or logs', async () => {
    const b = `sky-mnt-secret-${Date.now().toString(36)}`;
    const { r, lines, log } = await launch(`file_mounts:
  ~/s:
    name: ${b}
    store: s3
    mode: MOUNT
run: cat ~/.sky/rclone/sky-s3-${b}.conf
`);
    assert.strictEqual(r.exitCode, 0);
    const secret = fs.readFileSync(sb.s3!.credentialsFile, 'utf8').match(/secret_access_key = (\S+)/)![1];
    const all = [...lines.map((l) => l.line), ...log.lines].join('\n');
    assert.ok(all.includes('secret_access_key = '), 'the conf was printed by the job');
    assert.ok(!all.includes(secret), 'the secret key is redacted');
  });

  it('down: unmounts our buckets on every node, removes their credentials, deletes only the persistent: false buckets (after a yes)', async () => {
    const b = `sky-mnt-down-${Date.now().toString(36)}`;
    const { r } = await launch(`file_mounts:
  ~/keep:
    name: ${b}-keep
    source: ./data
    store: s3
  ~/scratch:
    name: ${b}-tmp
    store: s3
    mode: MOUNT_CACHED
    persistent: false
run: echo hi > ~/scratch/x.txt
`);
    assert.strictEqual(r.exitCode, 0);
    const rec = readRecords().find((x) => x.name === `${b}-tmp`);
    assert.deepStrictEqual([rec?.persistent, rec?.cluster], [false, 'sky-sbx']);
    const config = loadConfig();
    const { pool } = poolFor(config, {});
    try {
      const cluster = findCluster(discoverClusters(config), 'sky-sbx');
      const refused = await teardownCluster({
        config,
        cluster,
        pool,
        ui: { confirm: async () => false } as unknown as PromptUi,
      });
      assert.deepStrictEqual(refused.kept, [`${b}-tmp (s3)`]);
      assert.ok(
        readRecords().some((x) => x.name === `${b}-tmp`),
        'refused: the bucket and its record stay',
      );
      const done = await teardownCluster({ config, cluster, pool, ui: {} as PromptUi, yes: true });
      assert.deepStrictEqual(
        done.buckets.map((x) => [x.name, x.result]),
        [[`${b}-tmp`, 'deleted']],
      );
      for (const node of ['sky-sbx', 'sky-sbx-worker1']) {
        const c = (await pool.get(node)).client;
        const left = await exec(c, 'findmnt -rn -t fuse.rclone | wc -l; ls ~/.sky/rclone | wc -l');
        assert.strictEqual(left.stdout, '0\n0\n', `${node}: no rclone mounts or conf files left`);
      }
      const s3 = await openStore('s3', config);
      assert.strictEqual(await s3.bucketExists(`${b}-tmp`), false);
      assert.strictEqual(await s3.bucketExists(`${b}-keep`), true);
      assert.deepStrictEqual(await keys('s3', `${b}-keep`), ['in.txt', 'sub/deep.txt']);
    } finally {
      pool.closeAll();
    }
  });
});
