// `storage stat | ls --newest | find | cp | mv | presign` through the CLI on every store API of the
// sandbox: RGW (S3), Azurite (Azure), the GCS fake and the OCI fake.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { loadConfig } from '../../../engine/config/config';
import { openStore, type Store, type StoreKind } from '../../../engine/storage';
import { copyUri } from '../../../engine/storage/copy';
import { CancellationSource, isCancelledError } from '../../../engine/util/cancellation';
import type { Sandbox } from '../../sandbox';
import { startCountingRelay } from '../../sandbox/countingRelay';
import { startGcsFake, type GcsFake } from '../../sandbox/fakes/gcsFake';
import { makeTestDir } from '../../sandbox/proc';
import { runCli } from '../../harness/cli';
import { readAll } from '../../harness/objectBytes';
import { sandboxStores } from '../../harness/sandboxStores';

const KINDS: StoreKind[] = ['s3', 'azure', 'gcs', 'oci'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');

async function put(store: Store, bucket: string, key: string, data: Buffer, meta?: Record<string, string>) {
  await store.putStream(bucket, key, Readable.from([data]), data.length, {
    contentType: 'application/x-sky-test',
    metadata: meta,
  });
}

describe('object verbs through the CLI on RGW, Azurite, the GCS fake and the OCI fake', function () {
  this.timeout(240_000);
  let sb: Sandbox;
  let stores: Map<StoreKind, Store>;
  const buckets = new Map<StoreKind, string[]>();
  const cli = (...args: string[]) => runCli(['storage', ...args], sb.env());
  const json = async <T>(...args: string[]): Promise<T> => {
    const r = await cli(...args, '--json');
    assert.strictEqual(r.code, 0, `storage ${args.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  const uri = (kind: StoreKind, i: number, key = '') => stores.get(kind)!.uri(buckets.get(kind)![i], key);

  before(async () => {
    ({ sb, stores } = await sandboxStores(KINDS));
    for (const [kind, store] of stores) {
      const names = [0, 1].map((i) => `sky-ov-${kind}-${i}-${crypto.randomBytes(3).toString('hex')}`);
      for (const n of names) await store.createBucket(n);
      buckets.set(kind, names);
    }
  });

  for (const kind of KINDS) {
    it(`${kind}: stat shows size, last modified, ETag/generation, content type, metadata (and tags where the store has them)`, async () => {
      const store = stores.get(kind)!;
      const [b] = buckets.get(kind)!;
      const data = crypto.randomBytes(3000);
      await put(store, b, 'props/model.bin', data, { step: '1200', owner: 'sky' });
      // Tags are set with the provider's own SDK, as another tool would.
      if (kind === 's3') {
        const sdk = await import('@aws-sdk/client-s3');
        const client = new sdk.S3Client({
          endpoint: sb.s3!.endpoint,
          region: sb.s3!.region,
          forcePathStyle: true,
          credentials: { accessKeyId: sb.s3!.accessKeyId, secretAccessKey: sb.s3!.secretAccessKey },
        });
        await client.send(
          new sdk.PutObjectTaggingCommand({
            Bucket: b,
            Key: 'props/model.bin',
            Tagging: { TagSet: [{ Key: 'stage', Value: 'best' }] },
          }),
        );
      }
      if (kind === 'azure') {
        const az = await import('@azure/storage-blob');
        await az.BlobServiceClient.fromConnectionString(sb.azure!.connectionString)
          .getContainerClient(b)
          .getBlobClient('props/model.bin')
          .setTags({ stage: 'best' });
      }
      const s = await json<Record<string, unknown>>('stat', uri(kind, 0, 'props/model.bin'));
      if (kind === 's3' || kind === 'azure') assert.deepStrictEqual(s.tags, { stage: 'best' });
      else assert.strictEqual(s.tags, undefined, 'this store has no object tags');
      assert.strictEqual(s.size, 3000);
      assert.strictEqual(s.contentType, 'application/x-sky-test');
      assert.deepStrictEqual(s.metadata, { step: '1200', owner: 'sky' });
      assert.ok(typeof s.etag === 'string' && s.etag.length > 0, 'an ETag');
      assert.ok(
        Math.abs(Date.parse(String(s.lastModified)) - Date.now()) < 120_000,
        'a recent last modified',
      );
      if (s.md5 !== undefined) assert.strictEqual(s.md5, md5(data));
      if (kind === 'gcs') assert.ok(s.generation, 'GCS has a generation');
      const human = await cli('stat', uri(kind, 0, 'props/model.bin'));
      assert.match(human.stdout, /Size:\s+2\.9 KiB \(3000 bytes\)/);
      assert.match(human.stdout, /step = 1200/);
      const missing = await cli('stat', uri(kind, 0, 'props/nope.bin'));
      assert.strictEqual(missing.code, 1);
      assert.match(missing.stderr, /There is no object .*props\/nope\.bin/);
    });

    it(`${kind}: ls --newest lists the newest objects over every page and subfolder, and counts list requests`, async () => {
      const store = stores.get(kind)!;
      const [b] = buckets.get(kind)!;
      for (let f = 0; f < 3; f++)
        for (let i = 0; i < 8; i++)
          await put(store, b, `runs/step-${f}/shard-${i}.pt`, Buffer.from(`${f}-${i}`));
      await put(store, b, 'runs/top.txt', Buffer.from('top'));
      // Stores keep last-modified times to the second: the newest ones come a second later.
      await sleep(1500);
      await put(store, b, 'runs/step-1/latest.pt', Buffer.from('new1'));
      await put(store, b, 'runs/step-2/latest.pt', Buffer.from('new2'));
      const r = await json<{ newest: { key: string }[]; scanned: number; listRequests: number }>(
        'ls',
        '--newest',
        '-n',
        '2',
        uri(kind, 0, 'runs/'),
      );
      assert.deepStrictEqual(r.newest.map((o) => o.key).sort(), [
        'runs/step-1/latest.pt',
        'runs/step-2/latest.pt',
      ]);
      assert.strictEqual(r.scanned, 27);
      // One listing of the first level, then one per subfolder.
      assert.strictEqual(r.listRequests, 4);
      const all = await json<{ newest: { key: string; lastModified: string }[] }>(
        'ls',
        '--newest',
        uri(kind, 0, 'runs'),
      );
      assert.strictEqual(all.newest.length, 27);
      for (let i = 1; i < all.newest.length; i++)
        assert.ok(all.newest[i - 1].lastModified >= all.newest[i].lastModified, 'sorted newest first');
      const bad = await cli('ls', '--newest', 'xx://nope');
      assert.strictEqual(bad.code, 2);
      assert.match(bad.stderr, /Unsupported URI scheme 'xx:\/\/'/);
    });

    it(`${kind}: find matches a substring under a prefix, and --starts-with lists only the matching prefix`, async () => {
      const store = stores.get(kind)!;
      const [b] = buckets.get(kind)!;
      for (const k of [
        'ckpt/a/model-best.pt',
        'ckpt/b/model-last.pt',
        'ckpt/b/BEST-notes.txt',
        'ckpt/best/x.pt',
      ])
        await put(store, b, k, Buffer.from(k));
      const r = await json<{ matches: { key: string }[]; scanned: number }>(
        'find',
        uri(kind, 0, 'ckpt'),
        'best',
      );
      assert.deepStrictEqual(r.matches.map((m) => m.key).sort(), ['ckpt/a/model-best.pt', 'ckpt/best/x.pt']);
      assert.strictEqual(r.scanned, 4);
      const ci = await json<{ matches: { key: string }[] }>('find', '-i', uri(kind, 0, 'ckpt/'), 'best');
      assert.strictEqual(ci.matches.length, 3);
      const sw = await json<{ matches: { key: string }[]; scanned: number; listedPrefix: string }>(
        'find',
        '--starts-with',
        uri(kind, 0, 'ckpt'),
        'b/',
      );
      assert.deepStrictEqual(sw.matches.map((m) => m.key).sort(), [
        'ckpt/b/BEST-notes.txt',
        'ckpt/b/model-last.pt',
      ]);
      assert.strictEqual(sw.scanned, 2, 'the store listed only ckpt/b/');
      assert.strictEqual(sw.listedPrefix, uri(kind, 0, 'ckpt/b/'));
    });

    it(`${kind}: cp and mv inside the store (objects and prefixes), server-side, refusing to overwrite without --force`, async () => {
      const store = stores.get(kind)!;
      const [b0, b1] = buckets.get(kind)!;
      const files = new Map<string, Buffer>();
      for (const k of ['data/x.bin', 'data/sub/y.bin', 'data/sub/deep/z bin #1.txt']) {
        files.set(k, crypto.randomBytes(1000 + files.size));
        await put(store, b0, k, files.get(k)!, { origin: 'cp-test' });
      }
      // One object to a new name in the same bucket.
      const one = await json<{ mode: string; objects: unknown[] }>(
        'cp',
        uri(kind, 0, 'data/x.bin'),
        uri(kind, 0, 'copy/x2.bin'),
      );
      assert.strictEqual(one.mode, 'server');
      assert.ok((await readAll(store, b0, 'copy/x2.bin')).equals(files.get('data/x.bin')!));
      assert.deepStrictEqual((await store.stat(b0, 'copy/x2.bin'))?.metadata, { origin: 'cp-test' });
      // Into a folder: the name is kept.
      await json('cp', uri(kind, 0, 'data/x.bin'), uri(kind, 1, 'in/'));
      assert.ok((await readAll(store, b1, 'in/x.bin')).equals(files.get('data/x.bin')!));
      // A prefix to another bucket of the same store.
      const pre = await json<{ mode: string; objects: { dst: string }[] }>(
        'cp',
        uri(kind, 0, 'data/'),
        uri(kind, 1, 'backup'),
      );
      assert.strictEqual(pre.mode, 'server');
      assert.strictEqual(pre.objects.length, 3);
      for (const [k, v] of files) assert.ok((await readAll(store, b1, `backup/${k.slice(5)}`)).equals(v), k);
      // Existing destinations are kept unless --force.
      const again = await cli('cp', uri(kind, 0, 'data/'), uri(kind, 1, 'backup/'));
      assert.strictEqual(again.code, 1);
      assert.match(again.stderr, /3 destination object\(s\) exist already.*nothing was copied/);
      assert.strictEqual(
        (await cli('cp', '--force', uri(kind, 0, 'data/'), uri(kind, 1, 'backup/'))).code,
        0,
      );
      // A folder into itself is refused.
      const self = await cli('cp', uri(kind, 0, 'data/'), uri(kind, 0, 'data/sub/'));
      assert.strictEqual(self.code, 2);
      // mv of a prefix (a rename): the copies are there and checked, the sources are gone.
      const mv = await json<{ moved: boolean; objects: unknown[] }>(
        'mv',
        uri(kind, 0, 'data/sub'),
        uri(kind, 0, 'renamed/'),
      );
      assert.strictEqual(mv.moved, true);
      assert.strictEqual(mv.objects.length, 2);
      assert.strictEqual(await store.stat(b0, 'data/sub/y.bin'), undefined);
      assert.strictEqual(await store.stat(b0, 'data/sub/deep/z bin #1.txt'), undefined);
      assert.ok((await readAll(store, b0, 'renamed/y.bin')).equals(files.get('data/sub/y.bin')!));
      assert.ok(
        (await readAll(store, b0, 'renamed/deep/z bin #1.txt')).equals(
          files.get('data/sub/deep/z bin #1.txt')!,
        ),
      );
      assert.ok(await store.stat(b0, 'data/x.bin'), 'objects outside the moved prefix stay');
      const gone = await cli('mv', uri(kind, 0, 'data/sub/'), uri(kind, 0, 'elsewhere/'));
      assert.strictEqual(gone.code, 1);
      assert.match(gone.stderr, /There is nothing at/);
    });

    it(`${kind}: presign gives a link that downloads the object without credentials, and says what it grants`, async function () {
      if (kind === 'gcs') {
        // The sandbox's GCS has no service-account key: the error says what is needed (signed URLs
        // with a key: the test below).
        await put(stores.get(kind)!, buckets.get(kind)![0], 'share/file.bin', Buffer.from('x'));
        const r = await cli('presign', uri(kind, 0, 'share/file.bin'));
        assert.strictEqual(r.code, 1);
        assert.match(
          r.stderr,
          /Could not sign a URL for gs:\/\/.*\n.*service-account key \(stores\.gcs\.keyFile\)/,
        );
        return;
      }
      const store = stores.get(kind)!;
      const [b] = buckets.get(kind)!;
      const data = crypto.randomBytes(2048);
      await put(store, b, 'share/file.bin', data);
      const r = await json<{ url: string; expires: string; grants: string }>(
        'presign',
        uri(kind, 0, 'share/file.bin'),
        '--expires',
        '15m',
      );
      const left = Date.parse(r.expires) - Date.now();
      assert.ok(left > 14 * 60_000 && left <= 15 * 60_000 + 5000, `expires in 15 minutes (${left} ms)`);
      assert.match(r.grants, /Anyone holding this URL can (download|read)/);
      assert.match(r.grants, /no listing, no writes/);
      const res = await fetch(r.url);
      assert.strictEqual(res.status, 200);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(data));
      // The link reads that object only.
      const other = await fetch(
        r.url.replace('share/file.bin', 'share/other.bin').replace('share%2Ffile.bin', 'share%2Fother.bin'),
      );
      assert.ok(other.status >= 400, 'no other object');
      const long = await cli('presign', uri(kind, 0, 'share/file.bin'), '--expires', '8d');
      if (kind === 's3') {
        assert.strictEqual(long.code, 2);
        assert.match(long.stderr, /at most 7 days/);
      }
      assert.strictEqual((await cli('presign', uri(kind, 0, 'share/file.bin'), '--expires', 'soon')).code, 2);
    });
  }

  it('a prefix copied across stores (S3 → GCS → Azure → OCI → S3) streams through this machine, byte for byte', async () => {
    const s3 = stores.get('s3')!;
    const [b] = buckets.get('s3')!;
    const files = new Map<string, Buffer>([
      ['x/big.bin', crypto.randomBytes(20 * 1024 * 1024 + 123)],
      ['x/a/small.txt', Buffer.from('small')],
      ['x/a/empty', Buffer.alloc(0)],
    ]);
    for (const [k, v] of files) await put(s3, b, k, v, { hop: 'start' });
    const chain: [StoreKind, number][] = [
      ['s3', 0],
      ['gcs', 1],
      ['azure', 1],
      ['oci', 1],
      ['s3', 1],
    ];
    for (let i = 1; i < chain.length; i++) {
      const [fromKind, fromIdx] = chain[i - 1];
      const [toKind, toIdx] = chain[i];
      const r = await json<{ mode: string; objects: unknown[]; bytes: number }>(
        'cp',
        uri(fromKind, fromIdx, 'x/'),
        uri(toKind, toIdx, 'x/'),
      );
      assert.strictEqual(r.mode, 'stream', `${fromKind} → ${toKind}`);
      assert.strictEqual(r.objects.length, 3);
      const to = stores.get(toKind)!;
      for (const [k, v] of files) {
        const got = await readAll(to, buckets.get(toKind)![toIdx], k);
        assert.strictEqual(md5(got), md5(v), `${k} on ${toKind}`);
        const st = await to.stat(buckets.get(toKind)![toIdx], k);
        assert.strictEqual(st?.contentType, 'application/x-sky-test', `content type kept on ${toKind}`);
        assert.deepStrictEqual(st?.metadata, { hop: 'start' }, `metadata kept on ${toKind}`);
      }
    }
  });

  it('a cancelled cross-store copy leaves nothing under the destination name', async () => {
    const s3 = stores.get('s3')!;
    const [b] = buckets.get('s3')!;
    await put(s3, b, 'cancel/big.bin', crypto.randomBytes(24 * 1024 * 1024));
    for (const to of ['gcs', 'azure', 'oci'] as StoreKind[]) {
      const source = new CancellationSource();
      let err: unknown;
      try {
        await copyUri(loadConfig(), uri('s3', 0, 'cancel/big.bin'), uri(to, 0, 'cancel/big.bin'), {
          token: source.token,
          progress: {
            report: (e) => {
              if ((e.bytes?.done ?? 0) > 1024 * 1024) source.cancel();
            },
          },
        });
      } catch (e) {
        err = e;
      }
      assert.ok(isCancelledError(err), `${to}: cancelled (${String(err)})`);
      await sleep(500);
      assert.strictEqual(await stores.get(to)!.stat(buckets.get(to)![0], 'cancel/big.bin'), undefined, to);
    }
  });

  it('a server-side copy sends far less than the object through the client (counted by a relay); a streamed one sends it all', async () => {
    const s3 = stores.get('s3')!;
    const [b0, b1] = buckets.get('s3')!;
    const size = 24 * 1024 * 1024;
    const data = crypto.randomBytes(size);
    await put(s3, b0, 'traffic/big.bin', data);
    const endpoint = new URL(sb.s3!.endpoint);
    const relay = await startCountingRelay(endpoint.hostname, Number(endpoint.port));
    try {
      sb.writeSkyConfig({
        stores: {
          s3: { endpoint: `http://${relay.address}` },
          r2: { endpoint: `http://${relay.address}` },
        },
      });
      const r = await json<{ mode: string }>(
        'cp',
        uri('s3', 0, 'traffic/big.bin'),
        uri('s3', 1, 'traffic/copy.bin'),
      );
      assert.strictEqual(r.mode, 'server');
      const serverSide = relay.up + relay.down;
      assert.ok(serverSide < 64 * 1024, `server-side copy: ${serverSide} bytes through the client`);
      assert.strictEqual(md5(await readAll(s3, b1, 'traffic/copy.bin')), md5(data));
      // The control: S3 → R2 (another store, here the same RGW) streams every byte down and up.
      relay.up = relay.down = 0;
      const s = await json<{ mode: string }>(
        'cp',
        uri('s3', 0, 'traffic/big.bin'),
        `r2://${b1}/traffic/streamed.bin`,
      );
      assert.strictEqual(s.mode, 'stream');
      assert.ok(relay.down >= size && relay.up >= size, `streamed: ${relay.down} down, ${relay.up} up`);
    } finally {
      sb.writeSkyConfig();
      await relay.stop();
    }
  });
});

describe('storage presign on GCS: a V4 signed URL from a service-account key, checked by the GCS fake', function () {
  this.timeout(60_000);
  let fake: GcsFake;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    tmp = makeTestDir('sky-gcs-sign-');
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const email = 'sky-signer@sky-test.iam.gserviceaccount.com';
    fake = await startGcsFake({
      host: '127.0.0.1',
      signers: { [email]: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    });
    const keyFile = path.join(tmp, 'sa.json');
    fs.writeFileSync(
      keyFile,
      JSON.stringify({
        type: 'service_account',
        project_id: 'sky-test',
        private_key_id: 'k1',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        client_email: email,
        client_id: '1',
        token_uri: 'https://oauth2.googleapis.com/token',
      }),
      { mode: 0o600 },
    );
    const home = path.join(tmp, 'home');
    fs.mkdirSync(home);
    fs.writeFileSync(
      path.join(home, 'config.yaml'),
      `stores:\n  gcs:\n    endpoint: ${fake.endpoint}\n    projectId: sky-test\n    keyFile: ${keyFile}\n`,
    );
    env = { ...process.env, SKY_VSCODE_HOME: home };
  });
  after(async () => {
    await fake?.stop();
  });

  it('gcs: presign --expires 10m makes a URL that downloads the object without credentials', async () => {
    const store = await openStore('gcs', loadConfig(path.join(env.SKY_VSCODE_HOME!, 'config.yaml')));
    await store.createBucket('sky-sign');
    const data = crypto.randomBytes(4096);
    await store.putStream('sky-sign', 'runs/a b.bin', Readable.from([data]), data.length);
    const r = await runCli(
      ['storage', 'presign', 'gs://sky-sign/runs/a b.bin', '--expires', '10m', '--json'],
      env,
    );
    assert.strictEqual(r.code, 0, r.stderr);
    const link = JSON.parse(r.stdout) as { url: string; grants: string; expires: string };
    assert.match(link.url, /X-Goog-Signature=/);
    assert.match(link.grants, /download \(GET\) gs:\/\/sky-sign\/runs\/a b\.bin/);
    const ok = await fetch(link.url);
    assert.strictEqual(ok.status, 200, await ok.clone().text());
    assert.ok(Buffer.from(await ok.arrayBuffer()).equals(data));
    const forged = await fetch(link.url.replace('a%20b.bin', 'other.bin'));
    assert.strictEqual(forged.status, 403);
  });
});
