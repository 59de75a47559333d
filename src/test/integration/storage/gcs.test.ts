import * as assert from 'assert';
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { loadConfig } from '../../../engine/config/config';
import {
  deleteBuckets,
  downloadToFolder,
  listAll,
  openStore,
  readRecords,
  syncLocalSourceToBucket,
} from '../../../engine/storage';
import { CancellationSource, isCancelledError } from '../../../engine/util/cancellation';
import { ScriptedUi } from '../../../ui/scriptedUi';
import { startGcsFake, type GcsFake } from '../../sandbox/fakes/gcsFake';
import { makeTestDir } from '../../sandbox/proc';
import { CLI } from '../../harness/cli';

const run = promisify(execFile);
const NASTY = ['a b.txt', 'ünï/cødé.txt', 'hash#1.txt', 'q?x.txt', 'pct%20.txt', '-lead.txt'];
const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

describe('storage engine on the GCS fake (@google-cloud/storage against the JSON API)', function () {
  this.timeout(60_000);
  let fake: GcsFake;
  let tmp: string;
  let oldHome: string | undefined;
  before(async () => {
    fake = await startGcsFake({ host: '127.0.0.1' });
    tmp = makeTestDir('sky-gcs-');
    oldHome = process.env.SKY_VSCODE_HOME;
    process.env.SKY_VSCODE_HOME = path.join(tmp, 'home');
    fs.mkdirSync(process.env.SKY_VSCODE_HOME);
    fs.writeFileSync(
      path.join(process.env.SKY_VSCODE_HOME, 'config.yaml'),
      `stores:\n  gcs:\n    endpoint: ${fake.endpoint}\n    projectId: sky-test\n`,
    );
  });
  after(async () => {
    if (oldHome === undefined) delete process.env.SKY_VSCODE_HOME;
    else process.env.SKY_VSCODE_HOME = oldHome;
    await fake?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('gcs: upload (SkyPilot layout, incremental), paging, prefix filter, nasty names, download, delete', async () => {
    const config = loadConfig();
    const name = `sky-it-gcs-${crypto.randomBytes(3).toString('hex')}`;
    const src = path.join(tmp, 'src');
    for (const n of NASTY) {
      fs.mkdirSync(path.dirname(path.join(src, 'data', n)), { recursive: true });
      fs.writeFileSync(path.join(src, 'data', n), crypto.randomBytes(500));
    }
    for (let i = 0; i < 7; i++)
      fs.writeFileSync(path.join(src, 'data', `p${i}.bin`), crypto.randomBytes(100));
    fs.writeFileSync(path.join(src, 'single.txt'), 'one file');
    const sources = [path.join(src, 'data'), path.join(src, 'single.txt')];
    const r1 = await syncLocalSourceToBucket({ config, store: 'gcs', name, sources, command: 'test' });
    assert.strictEqual(r1.created, true);
    assert.strictEqual(r1.uploaded, NASTY.length + 7 + 1);
    assert.strictEqual(readRecords().find((r) => r.name === name)?.status, 'READY');
    const r2 = await syncLocalSourceToBucket({ config, store: 'gcs', name, sources, command: 'test' });
    assert.strictEqual(r2.uploaded, 0);
    const store = await openStore('gcs', config);
    assert.strictEqual(store.uri(name, 'data/x'), `gs://${name}/data/x`);
    const keys = (await listAll(store, name)).map((o) => o.key).sort();
    assert.ok(
      keys.includes('single.txt') && keys.includes('data/a b.txt') && keys.includes('data/ünï/cødé.txt'),
    );
    const pages: number[] = [];
    let token: string | undefined;
    do {
      const page = await store.listObjects({ bucket: name, prefix: 'data/p', pageSize: 3, pageToken: token });
      pages.push(page.objects.length);
      token = page.nextPageToken;
    } while (token);
    assert.deepStrictEqual(pages, [3, 3, 2], 'p0…p6 and pct%20.txt');
    const folders = await store.listObjects({ bucket: name, delimiter: '/' });
    assert.deepStrictEqual(folders.prefixes, ['data/']);
    assert.deepStrictEqual(
      folders.objects.map((o) => o.key),
      ['single.txt'],
    );
    const dest = path.join(tmp, 'dl');
    const d1 = await downloadToFolder(store, name, 'data/', dest);
    assert.strictEqual(d1.files, NASTY.length + 7);
    for (const n of NASTY)
      assert.strictEqual(sha(path.join(dest, 'data', n)), sha(path.join(src, 'data', n)), n);
    const out = await deleteBuckets({ config, patterns: [name], ui: new ScriptedUi([true]) });
    assert.deepStrictEqual(
      out.map((o) => o.result),
      ['deleted'],
    );
    assert.strictEqual(await store.bucketExists(name), false);
    assert.ok(!readRecords().some((r) => r.name === name));
  });

  it('gcs: a 20 MB resumable upload round-trips; cancel mid-upload leaves no object; bucket-not-empty and bucket-gone errors', async () => {
    const config = loadConfig();
    const store = await openStore('gcs', config);
    const bucket = `sky-it-gcsbig-${crypto.randomBytes(3).toString('hex')}`;
    await store.createBucket(bucket);
    await assert.rejects(store.createBucket(bucket), /already exists/);
    const big = path.join(tmp, 'big.bin');
    fs.writeFileSync(big, crypto.randomBytes(20 * 1024 * 1024));
    let sent = 0;
    await store.putFile(bucket, 'big.bin', big, { onBytes: (n) => (sent += n) });
    assert.strictEqual(sent, 20 * 1024 * 1024);
    const back = path.join(tmp, 'big.back');
    await store.getToFile(bucket, 'big.bin', back);
    assert.strictEqual(sha(back), sha(big));
    const up = new CancellationSource();
    let upBytes = 0;
    await assert.rejects(
      store.putFile(bucket, 'cancelled.bin', big, {
        token: up.token,
        onBytes: (n) => {
          upBytes += n;
          if (upBytes > 4 * 1024 * 1024) up.cancel();
        },
      }),
      (e) => isCancelledError(e),
    );
    const keys = (await listAll(store, bucket)).map((o) => o.key);
    assert.deepStrictEqual(keys, ['big.bin']);
    await assert.rejects(store.deleteEmptyBucket(bucket), /not empty/);
    await store.deleteObjects(bucket, ['big.bin']);
    await store.deleteEmptyBucket(bucket);
    await assert.rejects(store.listObjects({ bucket }), /does not exist/);
  });
  it('gcs: the CLI verbs (upload, ls --json, objects --json, download, delete)', async () => {
    const env = { ...process.env };
    const name = `sky-it-cligcs-${crypto.randomBytes(3).toString('hex')}`;
    const src = path.join(tmp, 'cli-src');
    fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'f.txt'), 'file f');
    fs.writeFileSync(path.join(src, 'sub', 'g.txt'), 'file g');
    await run('node', [CLI, 'storage', 'upload', '--name', name, '--store', 'gcs', src], { env });
    const ls = JSON.parse((await run('node', [CLI, 'storage', 'ls', '--json'], { env })).stdout) as {
      name: string;
      store: string;
      status: string;
    }[];
    const rec = ls.find((r) => r.name === name);
    assert.strictEqual(rec?.status, 'READY');
    assert.strictEqual(rec?.store.toLowerCase(), 'gcs');
    const objects = JSON.parse(
      (await run('node', [CLI, 'storage', 'objects', `gs://${name}`, '--prefix', 'sub/', '--json'], { env }))
        .stdout,
    ) as { objects: { key: string }[] };
    assert.deepStrictEqual(
      objects.objects.map((o) => o.key),
      ['sub/g.txt'],
    );
    const dl = path.join(tmp, 'cli-dl');
    await run('node', [CLI, 'storage', 'download', `gs://${name}/sub/g.txt`, dl], { env });
    assert.strictEqual(fs.readFileSync(path.join(dl, 'g.txt'), 'utf8'), 'file g');
    await run('node', [CLI, 'storage', 'delete', name, '-y'], { env });
    const after = JSON.parse((await run('node', [CLI, 'storage', 'ls', '--json'], { env })).stdout) as {
      name: string;
    }[];
    assert.ok(!after.some((r) => r.name === name));
  });
});
