// Which proxy the S3 stores' requests take: the environment as curl reads it, or the editor's settings.
import * as assert from 'assert';
import { bypassesProxy, proxyFor } from '../../../engine/net/proxy';
import { SkyError } from '../../../engine/util/errors';

const u = (s: string) => new URL(s);

describe('proxy choice (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, or the editor settings)', () => {
  it('takes HTTPS_PROXY for https URLs and HTTP_PROXY for http ones, in either case, ALL_PROXY last', () => {
    const env = { HTTPS_PROXY: 'http://tls-proxy:3128', http_proxy: 'http://plain-proxy:3128' };
    assert.strictEqual(proxyFor(u('https://s3.us-east-1.amazonaws.com'), undefined, env), env.HTTPS_PROXY);
    assert.strictEqual(proxyFor(u('http://127.0.0.1:7480'), undefined, env), env.http_proxy);
    assert.strictEqual(
      proxyFor(u('https://x.r2.cloudflarestorage.com'), undefined, { ALL_PROXY: 'http://all:1' }),
      'http://all:1',
    );
    assert.strictEqual(proxyFor(u('https://x'), undefined, { HTTP_PROXY: 'http://plain:1' }), undefined);
    assert.strictEqual(proxyFor(u('https://x'), undefined, {}), undefined);
  });

  it('sends NO_PROXY hosts, domains, ports and * direct', () => {
    const env = {
      HTTPS_PROXY: 'http://p:1',
      NO_PROXY: 'localhost, .internal.example,corp.example:8443 10.0.0.5',
    };
    assert.strictEqual(proxyFor(u('https://localhost:9000'), undefined, env), undefined);
    assert.strictEqual(proxyFor(u('https://s3.internal.example'), undefined, env), undefined);
    assert.strictEqual(proxyFor(u('https://internal.example'), undefined, env), undefined);
    assert.strictEqual(proxyFor(u('https://corp.example:8443'), undefined, env), undefined);
    assert.strictEqual(proxyFor(u('https://corp.example'), undefined, env), 'http://p:1', 'other port');
    assert.strictEqual(proxyFor(u('https://10.0.0.5'), undefined, env), undefined);
    assert.strictEqual(proxyFor(u('https://10.0.0.50'), undefined, env), 'http://p:1', 'not a prefix match');
    assert.strictEqual(proxyFor(u('https://notinternal.example'), undefined, env), 'http://p:1');
    assert.strictEqual(
      proxyFor(u('https://anything'), undefined, { ...env, no_proxy: '*' }),
      undefined,
      'lower case wins, as curl reads it',
    );
    assert.strictEqual(
      proxyFor(u('https://anything'), undefined, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }),
      undefined,
    );
  });

  it('a bare domain covers its subdomains; IPv6 entries in brackets with a port', () => {
    assert.ok(bypassesProxy(u('https://bucket.s3.amazonaws.com'), ['amazonaws.com']));
    assert.ok(bypassesProxy(u('https://bucket.s3.amazonaws.com'), ['*.amazonaws.com']));
    assert.ok(!bypassesProxy(u('https://evil-amazonaws.com'), ['amazonaws.com']));
    assert.ok(bypassesProxy(u('http://[::1]:7480'), ['[::1]:7480']));
    assert.ok(!bypassesProxy(u('http://[::1]:7481'), ['[::1]:7480']));
    assert.ok(!bypassesProxy(u('http://host'), ['', ' ']));
  });

  it("the editor's proxy wins over the environment, with its own no-proxy list", () => {
    const env = { HTTPS_PROXY: 'http://env:1', NO_PROXY: '*' };
    const settings = { url: 'http://editor:8080', noProxy: ['.corp.example'] };
    assert.strictEqual(proxyFor(u('https://s3.amazonaws.com'), settings, env), 'http://editor:8080');
    assert.strictEqual(proxyFor(u('https://minio.corp.example'), settings, env), undefined);
  });

  it('refuses a proxy that is not http:// or https://, naming no password', () => {
    for (const bad of ['socks5://me:sock-pass-1@127.0.0.1:1080', 'not a url']) {
      assert.throws(
        () => proxyFor(u('https://s3.amazonaws.com'), undefined, { HTTPS_PROXY: bad }),
        (e: unknown) =>
          e instanceof SkyError && e.code === 'store-proxy' && !/sock-pass-1|not a url/.test(e.message),
      );
    }
    assert.strictEqual(
      proxyFor(u('https://s3.amazonaws.com'), undefined, { HTTPS_PROXY: 'https://p:443' }),
      'https://p:443',
    );
  });
});
