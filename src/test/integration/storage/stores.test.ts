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
  emptyAndDeleteBucket,
  listAll,
  openStore,
  readRecords,
  syncLocalSourceToBucket,
  type StoreKind,
  uploadSources,
} from '../../../engine/storage';
import { CancellationSource, isCancelledError } from '../../../engine/util/cancellation';
import { SkyError } from '../../../engine/util/errors';
import { ScriptedUi } from '../../../ui/scriptedUi';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { makeTestDir } from '../../sandbox/proc';
import { CLI } from '../../harness/cli';

const run = promisify(execFile);
const NASTY = [
  'a b.txt',
  'ünï/cødé.txt',
  'hash#1.txt',
  'q?x.txt',
  'pct%20.txt',
  '-lead.txt',
  // The characters encodeURIComponent leaves alone but SigV4 paths must escape, and other reserved ones.
  "sq'(x)!*.txt",
  'eq=+&,;@$~[1].txt',
];

function sha(f: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
}

describe('storage engine on real servers (RGW for S3/R2/IBM, Azurite for Azure)', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let tmp: string;
  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    tmp = makeTestDir('sky-storage-');
  });

  for (const kind of ['s3', 'r2', 'ibm', 'azure'] as StoreKind[]) {
    it(`${kind}: upload (SkyPilot layout, incremental), paging, prefix filter, nasty names, download, delete`, async () => {
      const config = loadConfig();
      const name = `sky-it-${kind}-${crypto.randomBytes(3).toString('hex')}`;
      const src = path.join(tmp, `src-${kind}`);
      for (const n of NASTY) {
        fs.mkdirSync(path.dirname(path.join(src, 'data', n)), { recursive: true });
        fs.writeFileSync(path.join(src, 'data', n), crypto.randomBytes(500));
      }
      for (let i = 0; i < 7; i++)
        fs.writeFileSync(path.join(src, 'data', `p${i}.bin`), crypto.randomBytes(100));
      fs.mkdirSync(path.join(src, 'data', '.git'));
      fs.writeFileSync(path.join(src, 'data', '.git', 'HEAD'), 'ref');
      fs.symlinkSync('p0.bin', path.join(src, 'data', 'link.bin'));
      fs.writeFileSync(path.join(src, 'single.txt'), 'one file');
      const warnings: string[] = [];
      const log = {
        trace() {},
        debug() {},
        info: (m: string) => warnings.push(m),
        warn: (m: string) => warnings.push(m),
        error() {},
      };
      const r1 = await syncLocalSourceToBucket({
        config,
        store: kind,
        name,
        sources: [path.join(src, 'data'), path.join(src, 'single.txt')],
        command: 'test',
        log,
      });
      assert.strictEqual(r1.created, true);
      assert.strictEqual(r1.uploaded, NASTY.length + 7 + 1);
      assert.ok(warnings.some((w) => /Symbolic links are not uploaded.*link\.bin/.test(w)));
      assert.ok(warnings.some((w) => /'\.git' directory/.test(w)));
      assert.strictEqual(readRecords().find((r) => r.name === name)?.status, 'READY');
      // Unchanged files are not uploaded again.
      const r2 = await syncLocalSourceToBucket({
        config,
        store: kind,
        name,
        sources: [path.join(src, 'data'), path.join(src, 'single.txt')],
        command: 'test',
      });
      assert.strictEqual(r2.uploaded, 0);
      const store = await openStore(kind, config);
      // A list source: data/ under its basename, the file at the root; no .git, no symlink.
      const keys = (await listAll(store, name)).map((o) => o.key).sort();
      assert.ok(
        keys.includes('single.txt') &&
          keys.includes('data/a b.txt') &&
          !keys.some((k) => k.includes('.git') || k.endsWith('link.bin')),
      );
      // Paging across ≥3 pages with a server-side prefix.
      const pages: number[] = [];
      let token: string | undefined;
      do {
        const page = await store.listObjects({
          bucket: name,
          prefix: 'data/p',
          pageSize: 3,
          pageToken: token,
        });
        pages.push(page.objects.length);
        token = page.nextPageToken;
      } while (token);
      assert.deepStrictEqual(pages, [3, 3, 2], 'p0…p6 and pct%20.txt');
      const folders = await store.listObjects({ bucket: name, delimiter: '/' });
      assert.deepStrictEqual(folders.prefixes, ['data/']);
      // Download the folder: byte-identical nasty names, no partial files, overwrite prompt honoured.
      const dest = path.join(tmp, `dl-${kind}`);
      const d1 = await downloadToFolder(store, name, 'data/', dest);
      assert.strictEqual(d1.files, NASTY.length + 7);
      for (const n of NASTY)
        assert.strictEqual(sha(path.join(dest, 'data', n)), sha(path.join(src, 'data', n)), n);
      const ui = new ScriptedUi(['no', 'yesToAll']);
      const d2 = await downloadToFolder(store, name, 'data/', dest, { ui, concurrency: 1 });
      assert.strictEqual(d2.skipped, 1);
      assert.strictEqual(d2.files, NASTY.length + 7 - 1);
      ui.assertDone();
      assert.ok(!fs.readdirSync(path.join(dest, 'data')).some((f) => f.includes('sky-partial')));
      // Delete like `sky storage delete`: confirm, empty, delete, record removed.
      const out = await deleteBuckets({ config, patterns: [name], ui: new ScriptedUi([true]) });
      assert.deepStrictEqual(
        out.map((o) => o.result),
        ['deleted'],
      );
      assert.strictEqual(await store.bucketExists(name), false);
      assert.ok(!readRecords().some((r) => r.name === name));
    });
  }

  it('a recorded bucket deleted outside clears its record; unmanaged buckets are refused unless forced; bad names are refused', async () => {
    const config = loadConfig();
    const name = `sky-it-gone-${crypto.randomBytes(3).toString('hex')}`;
    fs.mkdirSync(path.join(tmp, 'g'));
    fs.writeFileSync(path.join(tmp, 'g', 'x'), 'x');
    await syncLocalSourceToBucket({
      config,
      store: 's3',
      name,
      sources: [path.join(tmp, 'g')],
      command: 'test',
    });
    const store = await openStore('s3', config);
    await store.deleteObjects(name, ['x']);
    await store.deleteEmptyBucket(name);
    const out = await deleteBuckets({ config, patterns: [name], ui: new ScriptedUi([]), yes: true });
    assert.match(out[0].message, /deleted externally/);
    const foreign = `sky-it-foreign-${crypto.randomBytes(3).toString('hex')}`;
    await store.createBucket(foreign);
    await assert.rejects(
      deleteBuckets({ config, patterns: [foreign], ui: new ScriptedUi([]), yes: true }),
      /not found/,
    );
    await assert.rejects(
      syncLocalSourceToBucket({
        config,
        store: 's3',
        name: foreign,
        sources: [path.join(tmp, 'g')],
        command: 't',
      }),
      /not created by sky-vscode/,
    );
    const forced = await deleteBuckets({
      config,
      patterns: [foreign],
      force: true,
      store: 's3',
      ui: new ScriptedUi([]),
      yes: true,
    });
    assert.strictEqual(forced[0].result, 'deleted');
    await assert.rejects(
      syncLocalSourceToBucket({
        config,
        store: 's3',
        name: 'Bad_Name',
        sources: [path.join(tmp, 'g')],
        command: 't',
      }),
      /bucket-name|must|name/i,
    );
  });

  it('multipart uploads (100 MB streamed, 3 × 24 MB read whole) round-trip with the same checksum; cancel mid-upload leaves no object', async () => {
    const config = loadConfig();
    const store = await openStore('s3', config);
    const bucket = `sky-it-big-${crypto.randomBytes(3).toString('hex')}`;
    await store.createBucket(bucket);
    const big = path.join(tmp, 'big.bin');
    const fd = fs.openSync(big, 'w');
    for (let i = 0; i < 100; i++) fs.writeSync(fd, crypto.randomBytes(1024 * 1024));
    fs.closeSync(fd);
    // Files up to a quarter of the store's memory budget go up from memory, several at once.
    const mids = [0, 1, 2].map((i) => {
      const f = path.join(tmp, `mid${i}.bin`);
      fs.writeFileSync(f, crypto.randomBytes(24 * 1024 * 1024 + i));
      return f;
    });
    await Promise.all(mids.map((f, i) => store.putFile(bucket, `mid${i}.bin`, f)));
    for (const [i, f] of mids.entries()) {
      const back = path.join(tmp, `mid${i}.back`);
      await store.getToFile(bucket, `mid${i}.bin`, back);
      assert.strictEqual(sha(back), sha(f), `mid${i}.bin`);
    }
    await store.deleteObjects(
      bucket,
      mids.map((_, i) => `mid${i}.bin`),
    );
    // An empty file round-trips, with the size known from a listing and without.
    fs.writeFileSync(path.join(tmp, 'empty.txt'), '');
    await store.putFile(bucket, 'e/empty.txt', path.join(tmp, 'empty.txt'));
    await downloadToFolder(store, bucket, 'e/', path.join(tmp, 'empty-dl'));
    await store.getToFile(bucket, 'e/empty.txt', path.join(tmp, 'empty.back'));
    assert.strictEqual(fs.statSync(path.join(tmp, 'empty-dl', 'e', 'empty.txt')).size, 0);
    assert.strictEqual(fs.statSync(path.join(tmp, 'empty.back')).size, 0);
    await store.deleteObjects(bucket, ['e/empty.txt']);
    await store.putFile(bucket, 'big.bin', big);
    const back = path.join(tmp, 'big.back');
    await store.getToFile(bucket, 'big.bin', back);
    assert.strictEqual(sha(back), sha(big));
    const source = new CancellationSource();
    let sent = 0;
    const p = store.putFile(bucket, 'cancelled.bin', big, {
      token: source.token,
      onBytes: (n) => {
        sent += n;
        if (sent > 10 * 1024 * 1024) source.cancel();
      },
    });
    await assert.rejects(p, (e: unknown) => isCancelledError(e));
    const keys = (await listAll(store, bucket)).map((o) => o.key);
    assert.deepStrictEqual(keys, ['big.bin']);
    // Cancel mid-download (parallel ranged GETs): no file under its final name, no temp file left.
    const dest = path.join(tmp, 'cancelled-download');
    const down = new CancellationSource();
    let got = 0;
    await assert.rejects(
      downloadToFolder(store, bucket, 'big.bin', dest, {
        token: down.token,
        progress: {
          report: (e) => {
            got = e.bytes?.done ?? got;
            if (got > 10 * 1024 * 1024) down.cancel();
          },
        },
      }),
      (e: unknown) => isCancelledError(e),
    );
    assert.ok(got > 10 * 1024 * 1024 && got < 100 * 1024 * 1024, `cancelled after ${got} bytes`);
    assert.deepStrictEqual(fs.existsSync(dest) ? fs.readdirSync(dest) : [], []);
    await store.deleteObjects(bucket, keys);
    await store.deleteEmptyBucket(bucket);
  });

  it('a download onto a full disk (a 1 MiB tmpfs) fails at once with a local error, leaves no partial file and keeps existing files', async () => {
    const store = await openStore('s3', loadConfig());
    const bucket = `sky-it-full-${crypto.randomBytes(3).toString('hex')}`;
    await store.createBucket(bucket);
    const src = path.join(tmp, 'full-src');
    fs.mkdirSync(path.join(src, 'fill'), { recursive: true });
    for (let i = 0; i < 40; i++)
      fs.writeFileSync(path.join(src, 'fill', `f${i}.bin`), crypto.randomBytes(64 * 1024));
    fs.writeFileSync(path.join(src, 'large.bin'), crypto.randomBytes(3 * 1024 * 1024));
    await uploadSources(store, bucket, [src]);
    const disk = path.join(tmp, 'full-disk');
    fs.mkdirSync(disk);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
    try {
      // A file already there under an object's name: no overwrite without a yes.
      const kept = path.join(disk, 'fill', 'f0.bin');
      fs.mkdirSync(path.dirname(kept));
      fs.writeFileSync(kept, 'precious');
      const started = Date.now();
      const err = await downloadToFolder(store, bucket, 'fill/', disk, { concurrency: 8 }).catch(
        (e: unknown) => e,
      );
      assert.ok(err instanceof SkyError, String(err));
      assert.strictEqual(err.code, 'local-fs');
      assert.match(err.message, /no space left on its disk/);
      assert.match(err.hint ?? '', /Free some space/);
      // Not retried as if the store had failed (three tries with back-off take over 1.5 s).
      assert.ok(Date.now() - started < 1500, `failed after ${Date.now() - started} ms`);
      assert.strictEqual(fs.readFileSync(kept, 'utf8'), 'precious');
      const files = fs.readdirSync(path.join(disk, 'fill'));
      assert.ok(!files.some((f) => f.includes('sky-partial')), files.join(' '));
      assert.ok(files.length > 5 && files.length < 40, `${files.length} files written`);
      for (const f of files.filter((x) => x !== 'f0.bin'))
        assert.strictEqual(sha(path.join(disk, 'fill', f)), sha(path.join(src, 'fill', f)), f);
      // A larger object (vectored writes at offsets, not one write job) fails the same way.
      const big = await downloadToFolder(store, bucket, 'large.bin', disk).catch((e: unknown) => e);
      assert.ok(big instanceof SkyError && big.code === 'local-fs', String(big));
      assert.deepStrictEqual(fs.readdirSync(disk).sort(), ['fill']);
    } finally {
      await run('umount', [disk]);
    }
    await emptyAndDeleteBucket(store, bucket);
  });

  it('two concurrent CLI processes do not corrupt the records; the CLI contract works', async () => {
    const env = { ...sb.env() };
    const mk = (i: number) => {
      const d = path.join(tmp, `cli${i}`);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, 'f.txt'), `file ${i}`);
      return d;
    };
    const names = [0, 1, 2, 3].map((i) => `sky-it-cli-${i}-${crypto.randomBytes(2).toString('hex')}`);
    await Promise.all(
      names.map((n, i) =>
        run('node', [CLI, 'storage', 'upload', '--name', n, '--store', 's3', mk(i)], { env }),
      ),
    );
    const ls = JSON.parse((await run('node', [CLI, 'storage', 'ls', '--json'], { env })).stdout) as {
      name: string;
      store: string;
      status: string;
      command: string;
    }[];
    for (const n of names) {
      const rec = ls.find((r) => r.name === n);
      assert.ok(rec, `${n} recorded`);
      assert.strictEqual(rec.store, 'S3');
      assert.strictEqual(rec.status, 'READY');
    }
    const objects = JSON.parse(
      (await run('node', [CLI, 'storage', 'objects', `s3://${names[0]}`, '--json'], { env })).stdout,
    ) as { objects: { key: string }[] };
    assert.deepStrictEqual(
      objects.objects.map((o) => o.key),
      ['f.txt'],
    );
    const dl = path.join(tmp, 'cli-dl');
    await run('node', [CLI, 'storage', 'download', `s3://${names[0]}/f.txt`, dl], { env });
    assert.strictEqual(fs.readFileSync(path.join(dl, 'f.txt'), 'utf8'), 'file 0');
    await assert.rejects(
      run('node', [CLI, 'storage', 'delete'], { env }),
      (e: { code?: number }) => e.code === 2,
    );
    await run('node', [CLI, 'storage', 'delete', 'sky-it-cli-*', '-y'], { env });
    const after = JSON.parse((await run('node', [CLI, 'storage', 'ls', '--json'], { env })).stdout) as {
      name: string;
    }[];
    assert.ok(!after.some((r) => names.includes(r.name)));
  });
});
