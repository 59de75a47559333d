import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../../engine/config/config';
import type { JobRecord } from '../../../engine/launch/jobs';
import { JOBS_DIR } from '../../../engine/launch/scripts';
import { emptyAndDeleteBucket, openStore, readRecords } from '../../../engine/storage';
import { SkyError } from '../../../engine/util/errors';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { TEST_USER } from '../../sandbox/sshNodes';
import { bucketKeys, hideOnNode, inNodeNamespace, mountedOnNode, storageLauncher } from './storageLaunch';
import { makeTestDir } from '../../sandbox/proc';

const HEAD = 'sky-sbx';
const WORKER = 'sky-sbx-worker1';

/**
 * Gives one node /dev/fuse as a machine without udev has it (crw------- root), inside that node's
 * own mount namespace: the same device, bind-mounted over /dev/fuse with mode 0600. The host's
 * /dev/fuse (and every other node, and any other test running meanwhile) keeps its mode. Returns the undo.
 */
function freshMachineFuseOnNode(sb: Sandbox, alias: string): () => void {
  const dev = path.join(sb.dir, 'nodes', alias, 'fuse-0600');
  inNodeNamespace(
    sb,
    alias,
    `rm -f '${dev}' && mknod -m 0600 '${dev}' c $((0x$(stat -c %t /dev/fuse))) $((0x$(stat -c %T /dev/fuse))) && mount --bind '${dev}' /dev/fuse`,
  );
  return () => inNodeNamespace(sb, alias, `umount /dev/fuse || true; rm -f '${dev}'`);
}

/**
 * Makes fusermount3's setuid bit ineffective on one node (a nosuid bind mount over it), as in a
 * container started with no-new-privileges: /dev/fuse opens, but every unprivileged mount is refused
 * by fusermount3, inside rclone's already started daemon. Returns the undo.
 */
function noSetuidFusermountOnNode(sb: Sandbox, alias: string): () => void {
  const bin = fs.realpathSync('/usr/bin/fusermount3');
  inNodeNamespace(sb, alias, `mount --bind '${bin}' '${bin}' && mount -o remount,bind,nosuid '${bin}'`);
  return () => inNodeNamespace(sb, alias, `umount '${bin}' || true`);
}

/** The launch's rejection, which must be a SkyError. */
async function skyError(p: Promise<unknown>): Promise<SkyError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SkyError, `expected a SkyError, got ${String(err)}`);
    return err;
  }
  assert.fail('the launch did not fail');
}

describe('storage mounts on the cluster: clear errors (no FUSE, rclone missing, no credentials, bucket gone)', function () {
  this.timeout(240_000);
  let sb: Sandbox;
  let launch: ReturnType<typeof storageLauncher>;
  let userHome: string;
  const node = (alias: string) => sb.ssh!.nodes.find((n) => n.alias === alias)!;
  /** Job ids on the head, from its job folders. */
  const jobIds = () =>
    (fs.existsSync(path.join(node(HEAD).home, JOBS_DIR))
      ? fs.readdirSync(path.join(node(HEAD).home, JOBS_DIR))
      : []
    )
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .sort((a, b) => a - b);
  const confOn = (alias: string, bucket: string) =>
    path.join(node(alias).home, '.sky', 'rclone', `sky-s3-${bucket}.conf`);

  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    launch = storageLauncher(makeTestDir('sky-mount-errors-'));
    userHome = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${TEST_USER}:`))!
      .split(':')[5];
  });

  it('no FUSE on a worker: MOUNT fails naming that worker, nothing is mounted on the head, the job ends FAILED; COPY there still works', async () => {
    const b = `sky-mnterr-fuse-${Date.now().toString(36)}`;
    const undo = hideOnNode(sb, WORKER, ['/dev/fuse']);
    try {
      const before = jobIds();
      const err = await skyError(
        launch(`num_nodes: 2
file_mounts:
  /mnt/nofuse:
    name: ${b}
    source: ./data
    store: s3
    mode: MOUNT
run: echo never
`),
      );
      assert.strictEqual(err.code, 'no-fuse', err.message);
      assert.strictEqual(
        err.message,
        `${WORKER} has no FUSE (/dev/fuse with fusermount3), needed for MOUNT at /mnt/nofuse; nothing was mounted.`,
      );
      assert.match(err.hint ?? '', /apt-get install -y fuse3.*or use mode: COPY/);
      // The head could mount, but was not left with a mount (or its credentials) while the worker could not.
      assert.strictEqual(mountedOnNode(sb, HEAD, '/mnt/nofuse'), false, 'no mount on the head');
      assert.strictEqual(fs.existsSync(confOn(HEAD, b)), false, 'no rclone conf on the head');
      assert.strictEqual(fs.existsSync(confOn(WORKER, b)), false, 'no rclone conf on the worker');
      // The job that never ran is recorded as failed, not left PENDING in the queue.
      const ids = jobIds().filter((x) => !before.includes(x));
      assert.strictEqual(ids.length, 1, `one new job: ${ids.join(', ')}`);
      const job = JSON.parse(
        fs.readFileSync(path.join(node(HEAD).home, JOBS_DIR, String(ids[0]), 'job.json'), 'utf8'),
      ) as JobRecord;
      assert.deepStrictEqual([job.status, typeof job.endedAt], ['FAILED', 'string']);

      // COPY needs no FUSE: the same bucket is copied onto both nodes, the worker included.
      const { r, text } = await launch(`num_nodes: 2
file_mounts:
  ~/copied:
    name: ${b}
    source: ./data
    store: s3
    mode: COPY
run: |
  cat ~/copied/in.txt ~/copied/sub/deep.txt
  [ -c /dev/fuse ] && echo fuse-device || echo no-fuse-device
`);
      assert.strictEqual(r.exitCode, 0, text(WORKER));
      assert.strictEqual(text(WORKER), 'input data\ndeep\nno-fuse-device');
      assert.strictEqual(text(HEAD), 'input data\ndeep\nfuse-device');
    } finally {
      undo();
    }
    assert.strictEqual(mountedOnNode(sb, WORKER, '/dev/fuse'), false, 'the fault is undone');
  });

  it('/dev/fuse that the node user cannot open (crw------- root, a machine without udev) on a worker: MOUNT fails within seconds naming node, user, mode and the fix; nothing is mounted on any node', async () => {
    const b = `sky-mnterr-fmode-${Date.now().toString(36)}`;
    const undo = freshMachineFuseOnNode(sb, WORKER);
    try {
      const started = Date.now();
      const err = await skyError(
        launch(`num_nodes: 2
file_mounts:
  /mnt/fusemode:
    name: ${b}
    store: s3
    mode: MOUNT
run: echo never
`),
      );
      const secs = (Date.now() - started) / 1000;
      assert.strictEqual(err.code, 'fuse-unusable', err.message);
      assert.strictEqual(
        err.message,
        `${TEST_USER} on ${WORKER} cannot open /dev/fuse (crw------- root:root), needed for MOUNT at /mnt/fusemode; nothing was mounted.`,
      );
      assert.strictEqual(
        err.hint,
        `As root on ${WORKER}: chmod 0666 /dev/fuse (the mode udev gives it; without udev, repeat it at boot), or add ${TEST_USER} to the group that owns /dev/fuse (e.g. groupadd -f fuse; chgrp fuse /dev/fuse; chmod 0660 /dev/fuse; usermod -aG fuse ${TEST_USER}). Or use mode: COPY, which needs no FUSE.`,
      );
      // Before, the probe saw only that the device exists, and rclone's daemon-wait ran out its 30 s.
      assert.ok(secs < 15, `the launch failed after ${secs.toFixed(1)} s`);
      for (const alias of [HEAD, WORKER]) {
        assert.strictEqual(mountedOnNode(sb, alias, '/mnt/fusemode'), false, `${alias}: no mount`);
        assert.strictEqual(fs.existsSync(confOn(alias, b)), false, `${alias}: no rclone conf`);
      }
    } finally {
      undo();
    }
    assert.strictEqual(
      inNodeNamespace(sb, WORKER, 'stat -c %a /dev/fuse').trim(),
      '666',
      'the fault is undone',
    );
    await emptyAndDeleteBucket(await openStore('s3', loadConfig()), b);
  });

  it("rclone mount daemon that dies at once (fusermount3 refused, as with no-new-privileges) is reported within seconds with rclone's own message", async () => {
    const b = `sky-mnterr-dead-${Date.now().toString(36)}`;
    const undo = noSetuidFusermountOnNode(sb, WORKER);
    try {
      const started = Date.now();
      const err = await skyError(
        launch(`num_nodes: 2
file_mounts:
  /mnt/dead:
    name: ${b}
    store: s3
    mode: MOUNT
run: echo never
`),
      );
      const secs = (Date.now() - started) / 1000;
      assert.strictEqual(err.code, 'mount-failed', err.message);
      assert.match(
        err.message,
        new RegExp(
          `^Mounting s3 bucket ${b} at /mnt/dead on ${WORKER} failed: rclone mount exited \\(status 1\\) before /mnt/dead was mounted:\n`,
        ),
      );
      // rclone's own words, from its log.
      assert.match(err.message, /mount helper error: fusermount: mount failed: Operation not permitted/);
      assert.match(err.message, /Fatal error: failed to mount FUSE fs/);
      assert.ok(secs < 15, `the launch failed after ${secs.toFixed(1)} s`);
      assert.strictEqual(mountedOnNode(sb, WORKER, '/mnt/dead'), false, 'no mount on the worker');
    } finally {
      undo();
      // The head mounted it (the mounts run in parallel once every node passed the probe).
      inNodeNamespace(sb, HEAD, `umount -l /mnt/dead || true`);
    }
    await emptyAndDeleteBucket(await openStore('s3', loadConfig()), b);
  });

  it('rclone missing on a worker and not installable (no passwordless sudo): mount-tool-missing names the node, why and how to install', async () => {
    const b = `sky-mnterr-tool-${Date.now().toString(36)}`;
    const rclone = fs.realpathSync('/usr/bin/rclone');
    const undo = hideOnNode(sb, WORKER, [rclone]);
    try {
      const err = await skyError(
        launch(`num_nodes: 2
file_mounts:
  ~/tool:
    name: ${b}
    store: s3
    mode: MOUNT
run: echo never
`),
      );
      assert.strictEqual(err.code, 'mount-tool-missing', err.message);
      assert.strictEqual(
        err.message,
        `rclone is not installed on ${WORKER} and could not be installed: its user has no passwordless sudo to run apt-get.`,
      );
      assert.match(
        err.hint ?? '',
        /^Install it on the node \(sudo apt-get install -y rclone fuse3, or curl https:\/\/rclone\.org\/install\.sh \| sudo bash\)/,
      );
      assert.strictEqual(mountedOnNode(sb, HEAD, `${userHome}/tool`), false, 'no mount on the head');
      assert.strictEqual(fs.existsSync(confOn(HEAD, b)), false, 'no rclone conf on the head');
    } finally {
      undo();
    }
  });

  it('no credentials for the store: fails before any node work, naming the mount and the store', async () => {
    const b = `sky-mnterr-cred-${Date.now().toString(36)}`;
    const before = jobIds();
    // S3 with a profile that is not in its credentials file.
    sb.writeSkyConfig({ stores: { s3: { profile: 'sky-no-such-profile' } } });
    try {
      const err = await skyError(
        launch(`file_mounts:
  ~/data:
    name: ${b}
    source: ./data
    store: s3
    mode: MOUNT
run: echo never
`),
      );
      assert.strictEqual(err.code, 'store-credentials', err.message);
      assert.match(err.message, /^~\/data: No credentials for s3: .*sky-no-such-profile/);
      assert.match(err.hint ?? '', /stores\.s3\.credentialsFile/);
    } finally {
      sb.writeSkyConfig();
    }
    // Azure with no section in the config at all; the source is an existing container given by URI.
    const az = await openStore('azure', loadConfig());
    await az.createBucket(b);
    sb.writeSkyConfig({ stores: { azure: null } });
    try {
      const err = await skyError(
        launch(`num_nodes: 2
file_mounts:
  /mnt/az:
    source: https://devstoreaccount1.blob.core.windows.net/${b}
    mode: MOUNT
run: echo never
`),
      );
      assert.strictEqual(err.code, 'store-credentials', err.message);
      assert.strictEqual(
        err.message,
        '/mnt/az: Azure needs stores.azure.connectionString, or account (+ sasToken) in the config.',
      );
    } finally {
      sb.writeSkyConfig();
      await emptyAndDeleteBucket(az, b);
    }
    // Nothing reached the nodes: no job was reserved, no bucket created, no mount or conf anywhere.
    assert.deepStrictEqual(jobIds(), before, 'no job folder on the head');
    assert.strictEqual(await (await openStore('s3', loadConfig())).bucketExists(b), false);
    for (const alias of [HEAD, WORKER]) {
      assert.strictEqual(mountedOnNode(sb, alias, '/mnt/az'), false, `${alias}: no mount`);
      assert.strictEqual(mountedOnNode(sb, alias, `${userHome}/data`), false, `${alias}: no mount`);
      assert.strictEqual(fs.existsSync(confOn(alias, b)), false, `${alias}: no rclone conf`);
    }
  });

  it('bucket gone: a managed bucket deleted outside the tool fails a URI mount of it before any node work (saying so), and is recreated empty for MOUNT by name, with a warning', async () => {
    const b = `sky-mnterr-gone-${Date.now().toString(36)}`;
    const made = await launch(`file_mounts:
  ~/made:
    name: ${b}
    source: ./data
    store: s3
    mode: COPY
run: cat ~/made/in.txt
`);
    assert.strictEqual(made.r.exitCode, 0, made.text(HEAD));
    const s3 = await openStore('s3', loadConfig());
    await emptyAndDeleteBucket(s3, b); // outside sky-vscode: its record stays
    assert.ok(readRecords().some((x) => x.name === b && x.store === 's3'));
    const before = jobIds();

    // A file of the gone bucket by URI (string form, COPY), and the bucket as a MOUNT source (dict form).
    for (const [dst, entry] of [
      ['~/again.txt', `s3://${b}/in.txt`],
      ['/mnt/again', `\n    source: s3://${b}\n    mode: MOUNT`],
    ]) {
      const err = await skyError(
        launch(`num_nodes: 2
file_mounts:
  ${dst}: ${entry}
run: echo never
`),
      );
      assert.strictEqual(err.code, 'bucket-missing', err.message);
      assert.strictEqual(
        err.message,
        `${dst}: bucket s3://${b} does not exist (it was deleted outside sky-vscode; its storage record remains).`,
      );
      assert.strictEqual(
        err.hint,
        `Give a name + local source to create it again, or \`sky-vscode storage delete ${b}\` forgets the record.`,
      );
    }
    assert.deepStrictEqual(jobIds(), before, 'it fails before any node work');
    assert.strictEqual(await s3.bucketExists(b), false, 'nothing recreated it');
    assert.strictEqual(mountedOnNode(sb, HEAD, '/mnt/again'), false);

    // By name with MOUNT, as SkyPilot does, the bucket is created again (empty) — and the user is told.
    const { r, text, log } = await launch(`file_mounts:
  ~/remade:
    name: ${b}
    store: s3
    mode: MOUNT
run: |
  ls -A ~/remade | wc -l
  echo new > ~/remade/new.txt
`);
    assert.strictEqual(r.exitCode, 0, text(HEAD));
    assert.strictEqual(text(HEAD), '0');
    assert.ok(
      log.lines.includes(
        `~/remade: bucket s3://${b} no longer exists (it was deleted outside sky-vscode); creating it again, empty.`,
      ),
      log.lines.join('\n'),
    );
    assert.deepStrictEqual(await bucketKeys('s3', b), ['new.txt']);
    // Unmounted here, so no rclone daemon outlives the sandbox.
    for (const alias of [HEAD, WORKER]) inNodeNamespace(sb, alias, `umount -l '${userHome}/remade' || true`);
    await emptyAndDeleteBucket(s3, b);
  });
});
