// The S3 adapter's own object requests (s3Objects.ts) against a misbehaving HTTP server on 127.0.0.1:
// what RGW never does on purpose (drop a kept-alive connection, cut a body short) and what it does
// (S3 error documents). Signatures and key encoding against a real S3 server are covered by the RGW
// tests in stores.test.ts; here the server records the raw request line.
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';
import * as path from 'path';
import { downloadToFolder } from '../../../engine/storage';
import type { Store } from '../../../engine/storage/store';
import { openS3Store } from '../../../engine/storage/stores/s3';
import { encodeKeyPath } from '../../../engine/storage/stores/s3Objects';
import { CancelledError, tokenFromSignal } from '../../../engine/util/cancellation';
import { SkyError } from '../../../engine/util/errors';
import { startForwardProxy } from '../../sandbox/forwardProxy';
import { makeTestDir } from '../../sandbox/proc';

describe('S3 object requests on a misbehaving server', function () {
  this.timeout(30_000);
  let server: http.Server;
  let store: Store;
  let tmp: string;
  const seen: { method: string; url: string; auth: string }[] = [];
  const perSocket = new WeakMap<Socket, number>();
  const events: string[] = [];
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  before(async () => {
    tmp = makeTestDir('sky-s3req-');
    server = http.createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        auth: String(req.headers.authorization ?? ''),
      });
      if (/^\/bkt\/?\?.*prefix=pg%2F/.test(req.url ?? '')) {
        // Two pages; the second is answered only once the first page's object was asked for (or 3 s).
        const second = /continuation-token=t2/.test(req.url ?? '');
        const answer = () => {
          events.push(second ? 'list page 2 answered' : 'list page 1 answered');
          res.writeHead(200, { 'content-type': 'application/xml' });
          res.end(
            `<?xml version="1.0"?><ListBucketResult><Name>bkt</Name><IsTruncated>${!second}</IsTruncated>` +
              (second ? '' : '<NextContinuationToken>t2</NextContinuationToken>') +
              `<Contents><Key>pg/${second ? 'b' : 'a'}.txt</Key><Size>14</Size></Contents></ListBucketResult>`,
          );
        };
        if (!second) answer();
        else {
          const started = Date.now();
          const wait = () =>
            events.includes('get pg/a.txt') || Date.now() - started > 3000 ? answer() : setTimeout(wait, 20);
          wait();
        }
        return;
      }
      if (/^\/bkt\/?\?/.test(req.url ?? '')) {
        // A listing with a key that climbs out of its folder into a sibling named like the destination.
        const keys = ['dl/ok.txt', 'dl/../../short-dest2/evil.txt'];
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0"?><ListBucketResult><Name>bkt</Name><IsTruncated>false</IsTruncated>${keys
            .map((k) => `<Contents><Key>${k}</Key><Size>10</Size></Contents>`)
            .join('')}</ListBucketResult>`,
        );
        return;
      }
      const key = decodeURIComponent((req.url ?? '').replace(/^\/bkt\//, ''));
      if (req.method === 'GET') events.push(`get ${key}`);
      if (key.startsWith('drop/') && n > 1) {
        // The server gives up on a kept-alive connection just as the client reuses it.
        req.socket.destroy();
        return;
      }
      if (key === 'missing.txt') {
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The key is not here.</Message></Error>',
        );
        return;
      }
      if (key === 'moved.txt') {
        res.writeHead(301, { 'content-type': 'application/xml', 'x-amz-bucket-region': 'eu-west-1' });
        res.end(
          '<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>',
        );
        return;
      }
      if (key === 'denied.txt') {
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
        return;
      }
      if (key === 'grew.bin' || key === 'grew-chunked.bin') {
        // Listed at 10 bytes, 2 MiB by the time it is read (with a length, or chunked without one).
        const big = Buffer.alloc(2 * 1024 * 1024, 7);
        if (key === 'grew.bin') res.writeHead(200, { 'content-length': String(big.length) });
        else res.writeHead(200);
        res.write(big.subarray(0, 1024 * 1024));
        res.end(big.subarray(1024 * 1024));
        return;
      }
      if (key === 'stall.bin') {
        // Headers and a first bit of the body, then nothing: only a cancel ends it.
        res.writeHead(200, { 'content-length': '100' });
        res.write(Buffer.alloc(10, 1));
        return;
      }
      if (key === 'short.bin') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write(Buffer.alloc(500, 1));
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      if (req.method === 'PUT') {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { etag: '"x"' });
          res.end();
        });
        return;
      }
      const body = Buffer.from(`body of ${key}`);
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'not-a-real-secret';
    const { port } = server.address() as AddressInfo;
    store = await openS3Store('s3', {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
    });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('escapes keys as SigV4 paths want (reserved characters, unicode, slashes kept) and signs them', async () => {
    const key = "dir/sq'(x)!* a+b=&ü#?%.txt";
    assert.strictEqual(encodeKeyPath(key), 'dir/sq%27%28x%29%21%2A%20a%2Bb%3D%26%C3%BC%23%3F%25.txt');
    seen.length = 0;
    const file = path.join(tmp, 'one');
    await store.getToFile('bkt', key, file, { size: 10 });
    assert.strictEqual(seen[0].url, `/bkt/${encodeKeyPath(key)}`);
    assert.match(seen[0].auth, /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/s3\/aws4_request, /);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), `body of ${key}`);
    // A buffered PUT is signed over its payload hash.
    fs.writeFileSync(path.join(tmp, 'up.txt'), 'payload');
    seen.length = 0;
    await store.putFile('bkt', 'up/a b.txt', path.join(tmp, 'up.txt'));
    assert.deepStrictEqual(
      seen.map((s) => `${s.method} ${s.url}`),
      ['PUT /bkt/up/a%20b.txt'],
    );
    assert.match(seen[0].auth, /SignedHeaders=content-length;host;x-amz-content-sha256;x-amz-date/);
  });

  it('sends again on a fresh connection when the server dropped the kept-alive one', async () => {
    seen.length = 0;
    for (let i = 0; i < 3; i++) {
      const file = path.join(tmp, `drop${i}`);
      await store.getToFile('bkt', `drop/${i}.txt`, file, { size: 10 });
      assert.strictEqual(fs.readFileSync(file, 'utf8'), `body of drop/${i}.txt`);
    }
    // Every reuse was dropped and answered on a new socket: more requests seen than files fetched.
    assert.ok(seen.length > 3, `requests seen: ${seen.length}`);
  });

  it('maps S3 error documents to clear errors (missing object, permission, wrong region) and keeps no file', async () => {
    await assert.rejects(
      store.getToFile('bkt', 'missing.txt', path.join(tmp, 'missing'), { size: 1 }),
      (e: unknown) =>
        e instanceof SkyError && e.code === 'object-not-found' && /The key is not here/.test(e.message),
    );
    await assert.rejects(
      store.getToFile('bkt', 'denied.txt', path.join(tmp, 'denied')),
      (e: unknown) => e instanceof SkyError && e.code === 'store-permission',
    );
    await assert.rejects(
      store.getToFile('bkt', 'moved.txt', path.join(tmp, 'moved'), { size: 1 }),
      (e: unknown) =>
        e instanceof SkyError &&
        e.code === 'store-wrong-region' &&
        /bucket region: eu-west-1/.test(e.message) &&
        /stores\.s3\.region/.test(e.hint ?? ''),
    );
    for (const f of ['missing', 'denied', 'moved']) assert.ok(!fs.existsSync(path.join(tmp, f)), f);
  });

  it('reads an object that grew since it was listed whole, the general way', async () => {
    for (const key of ['grew.bin', 'grew-chunked.bin']) {
      const file = path.join(tmp, key);
      let reported = 0;
      seen.length = 0;
      await store.getToFile('bkt', key, file, { size: 10, onBytes: (n) => (reported += n) });
      // The in-memory read stopped at its limit (1 MiB), and a second GET streamed the object to disk.
      assert.strictEqual(seen.filter((r) => r.url === `/bkt/${key}`).length, 2, key);
      const got = fs.readFileSync(file);
      assert.strictEqual(got.length, 2 * 1024 * 1024, key);
      assert.ok(
        got.every((b) => b === 7),
        key,
      );
      assert.strictEqual(reported, got.length, `${key}: progress counts the bytes written, once`);
    }
  });

  it('a cancel ends a small download that stalled mid-body, at once', async () => {
    const abort = new AbortController();
    const file = path.join(tmp, 'stall');
    const started = Date.now();
    setTimeout(() => abort.abort(), 200);
    await assert.rejects(
      store.getToFile('bkt', 'stall.bin', file, { size: 100, token: tokenFromSignal(abort.signal) }),
      (e: unknown) => e instanceof CancelledError,
    );
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  it('a body cut short fails the download (after retries) and leaves no file under the final name', async () => {
    const dest = path.join(tmp, 'short-dest');
    seen.length = 0;
    await assert.rejects(
      downloadToFolder(store, 'bkt', 'short.bin', dest),
      (e: unknown) => e instanceof Error,
    );
    assert.strictEqual(seen.filter((s) => s.url === '/bkt/short.bin').length, 3, 'three attempts');
    assert.deepStrictEqual(fs.existsSync(dest) ? fs.readdirSync(dest) : [], []);
  });

  it('starts downloading with the first page of a listing, before the last page arrives', async () => {
    events.length = 0;
    const dest = path.join(tmp, 'paged');
    const r = await downloadToFolder(store, 'bkt', 'pg/', dest);
    assert.strictEqual(r.files, 2);
    assert.strictEqual(fs.readFileSync(path.join(dest, 'pg', 'b.txt'), 'utf8'), 'body of pg/b.txt');
    const order = (e: string) => events.indexOf(e);
    assert.ok(
      order('get pg/a.txt') >= 0 && order('get pg/a.txt') < order('list page 2 answered'),
      events.join(' | '),
    );
  });

  it('goes through an HTTP proxy (HTTP_PROXY with credentials) for SDK and object requests; NO_PROXY goes direct', async () => {
    const proxy = await startForwardProxy({ user: 'me', password: 'proxy-pass-123' });
    const env = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    const { port } = server.address() as AddressInfo;
    const open = () =>
      openS3Store('s3', { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true });
    try {
      delete process.env.NO_PROXY;
      process.env.HTTP_PROXY = `http://me:proxy-pass-123@127.0.0.1:${proxy.port}`;
      const viaProxy = await open();
      seen.length = 0;
      // A listing (the SDK), small objects read whole and one streamed object (undici), one PUT.
      const r = await downloadToFolder(viaProxy, 'bkt', 'pg/', path.join(tmp, 'proxied'));
      assert.strictEqual(r.files, 2);
      await viaProxy.getToFile('bkt', 'streamed.txt', path.join(tmp, 'streamed'));
      assert.strictEqual(fs.readFileSync(path.join(tmp, 'streamed'), 'utf8'), 'body of streamed.txt');
      fs.writeFileSync(path.join(tmp, 'up2.txt'), 'payload');
      await viaProxy.putFile('bkt', 'up/proxied.txt', path.join(tmp, 'up2.txt'));
      // The SDK's requests as absolute URIs, undici's through a tunnel; none refused.
      assert.ok(
        proxy.log.some((l) => l.startsWith(`GET http://127.0.0.1:${port}/bkt`)),
        proxy.log.join(' | '),
      );
      assert.ok(proxy.log.includes(`CONNECT 127.0.0.1:${port}`), proxy.log.join(' | '));
      assert.ok(!proxy.log.some((l) => l.endsWith(' 407')), proxy.log.join(' | '));
      assert.ok(seen.some((s) => s.method === 'PUT' && s.url === '/bkt/up/proxied.txt'));

      // Wrong proxy credentials: a clear error that names no password, not retried.
      process.env.HTTP_PROXY = `http://me:wrong-pass-456@127.0.0.1:${proxy.port}`;
      const refused = await open();
      for (const attempt of [
        () => refused.getToFile('bkt', 'a.txt', path.join(tmp, 'refused'), { size: 10 }),
        () => refused.listObjects({ bucket: 'bkt', prefix: 'pg/' }),
      ])
        await assert.rejects(attempt(), (e: unknown) => {
          assert.ok(e instanceof SkyError && e.code === 'store-proxy', String(e));
          assert.ok(!/wrong-pass-456/.test(`${e.message} ${e.hint}`), e.message);
          return true;
        });

      // NO_PROXY: straight to the server, the proxy sees nothing.
      process.env.NO_PROXY = '127.0.0.1';
      proxy.log.length = 0;
      const direct = await open();
      await direct.getToFile('bkt', 'direct.txt', path.join(tmp, 'direct'), { size: 16 });
      await direct.listObjects({ bucket: 'bkt', prefix: 'pg/' });
      assert.deepStrictEqual(proxy.log, []);

      // A proxy of a kind the SDK's agents cannot speak: refused up front, password not shown.
      delete process.env.NO_PROXY;
      process.env.HTTP_PROXY = 'socks5://me:socks-pass-789@127.0.0.1:1080';
      await assert.rejects(open(), (e: unknown) => {
        assert.ok(e instanceof SkyError && e.code === 'store-proxy', String(e));
        assert.ok(!/socks-pass-789/.test(e.message) && /socks5:/.test(e.message), e.message);
        return true;
      });
    } finally {
      for (const [k, v] of Object.entries(env))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      await proxy.stop();
    }
  });

  it("leaves Node's own fetch alone: opening a store installs no process-wide dispatcher", async () => {
    // In a fresh process, so that nothing has loaded Node's built-in fetch first.
    const { port } = server.address() as AddressInfo;
    const script = `
      const { openS3Store } = require(${JSON.stringify(require.resolve('../../../engine/storage/stores/s3'))});
      (async () => {
        const store = await openS3Store('s3', { endpoint: 'http://127.0.0.1:${port}', region: 'us-east-1', forcePathStyle: true });
        await store.getToFile('bkt', 'via-undici.txt', ${JSON.stringify(path.join(tmp, 'via-undici'))}, { size: 20 });
        const own = globalThis[Symbol.for('undici.globalDispatcher.1')];
        console.log(own instanceof require(${JSON.stringify(require.resolve('undici'))}).Agent ? 'undici 7 agent installed' : 'node agent kept');
        const res = await fetch('http://127.0.0.1:${port}/up/via-fetch.txt', { method: 'PUT', body: 'x'.repeat(100) });
        console.log(res.status);
      })().catch((e) => { console.error(String(e), e.cause); process.exit(1); });`;
    // Not spawnSync: the server answering it runs in this process.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) =>
      execFile(process.execPath, ['-e', script], { timeout: 20_000 }, (err, stdout, stderr) =>
        done({ status: err ? ((err.code as number) ?? null) : 0, stdout, stderr }),
      ),
    );
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout.trim(), 'node agent kept\n200');
    assert.strictEqual(fs.readFileSync(path.join(tmp, 'via-undici'), 'utf8'), 'body of via-undici.txt');
  });

  it('refuses an object key that would land outside the destination folder', async () => {
    const dest = path.join(tmp, 'short-dest');
    await assert.rejects(
      downloadToFolder(store, 'bkt', 'dl/', dest, { concurrency: 1 }),
      (e: unknown) => e instanceof SkyError && e.code === 'download-unsafe',
    );
    assert.ok(!fs.existsSync(path.join(tmp, 'short-dest2')), 'nothing written next to the destination');
  });
});
