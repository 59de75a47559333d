import * as assert from 'assert';
import {
  formatStoreUri,
  isCloudUri,
  parseStoreUri,
  storeFromScheme,
  StoreUri,
} from '../../../engine/storage/uri';

function parsed(s: string): StoreUri {
  const r = parseStoreUri(s);
  if (!r.ok) throw new Error(`expected ${s} to parse: ${r.error}`);
  return r.uri;
}

function parseError(s: string): string {
  const r = parseStoreUri(s);
  assert.strictEqual(r.ok, false, `expected ${s} to be rejected`);
  return r.ok ? '' : r.error;
}

describe('storage uri', () => {
  it('isCloudUri follows urlsplit(x).netloc', () => {
    for (const s of [
      's3://b',
      's3://b/k',
      'gs://b',
      'foo://x',
      '//host/p',
      'https://a.blob.core.windows.net/c',
    ]) {
      assert.ok(isCloudUri(s), s);
    }
    for (const s of ['/data', '~/x', 'rel/path', 's3://', 'file:///etc/passwd', 'C:\\x', '']) {
      assert.ok(!isCloudUri(s), s);
    }
  });

  it('S3-style schemes split bucket and key', () => {
    const cases: Array<[string, string, string, string]> = [
      ['s3://my-bucket', 'S3', 'my-bucket', ''],
      ['s3://my-bucket/a/b.txt', 'S3', 'my-bucket', 'a/b.txt'],
      ['gs://g/x/', 'GCS', 'g', 'x/'],
      ['r2://r/k', 'R2', 'r', 'k'],
      ['nebius://n/k', 'NEBIUS', 'n', 'k'],
      ['cw://c', 'COREWEAVE', 'c', ''],
      ['vastdata://v/p', 'VASTDATA', 'v', 'p'],
    ];
    for (const [s, store, bucket, key] of cases) {
      const u = parsed(s);
      assert.deepStrictEqual([u.store, u.bucket, u.key], [store, bucket, key], s);
    }
  });

  it('Azure container URLs need an account and a container', () => {
    const u = parsed('https://myacct.blob.core.windows.net/ctr/dir/f');
    assert.deepStrictEqual([u.store, u.account, u.bucket, u.key], ['AZURE', 'myacct', 'ctr', 'dir/f']);
    assert.match(parseError('https://myacct.blob.core.windows.net'), /Azure container URL/);
    assert.match(parseError('https://example.com/x'), /Azure container URL/);
    assert.match(parseError('https://MyAcct.blob.core.windows.net/c'), /Azure container URL/);
  });

  it('IBM COS needs a known region', () => {
    const u = parsed('cos://us-east/bkt/some/path');
    assert.deepStrictEqual([u.store, u.region, u.bucket, u.key], ['IBM', 'us-east', 'bkt', 'some/path']);
    assert.match(parseError('cos://mars-1/bkt'), /Invalid IBM COS region 'mars-1'.*us-south/);
    assert.match(parseError('cos://us-east'), /cos:\/\/<region>\/<bucket>/);
  });

  it('OCI takes an optional @region', () => {
    const u = parsed('oci://bkt@us-sanjose-1/k');
    assert.deepStrictEqual([u.bucket, u.region, u.key], ['bkt', 'us-sanjose-1', 'k']);
    assert.strictEqual(parsed('oci://bkt').region, undefined);
  });

  it('Hugging Face buckets and repos', () => {
    let u = parsed('hf://buckets/org/data/sub/dir');
    assert.deepStrictEqual([u.hfKind, u.bucket, u.key], ['bucket', 'org/data', 'sub/dir']);
    u = parsed('hf://meta/llama@v1/weights');
    assert.deepStrictEqual([u.hfKind, u.bucket, u.revision, u.key], ['model', 'meta/llama', 'v1', 'weights']);
    u = parsed('hf://datasets/org/ds');
    assert.deepStrictEqual([u.hfKind, u.bucket, u.key], ['dataset', 'datasets/org/ds', '']);
    assert.strictEqual(parsed('hf://spaces/a/b').hfKind, 'space');
    assert.match(parseError('hf://buckets/org'), /hf:\/\/buckets/);
    assert.match(parseError('hf://justone'), /Invalid Hugging Face path/);
  });

  it("unsupported schemes get SkyPilot's list", () => {
    assert.match(parseError('ftp://x/y'), /Supported paths: local, s3:\/\/, gs:\/\//);
    assert.match(parseError('/local/dir'), /not a bucket URI/);
    assert.match(parseError('S3://b'), /lower case/);
  });

  it('formatStoreUri round-trips canonical forms', () => {
    for (const s of [
      's3://b/k/x',
      'gs://b',
      'https://acct.blob.core.windows.net/c/k',
      'cos://eu-de/b/k',
      'oci://b@us-ashburn-1/k',
      'r2://b',
      'hf://buckets/o/b/s',
      'hf://datasets/o/d@main/x',
      'cw://b/k',
    ]) {
      assert.strictEqual(formatStoreUri(parsed(s)), s);
    }
  });

  it('storeFromScheme is case-insensitive and knows every store', () => {
    assert.strictEqual(storeFromScheme('GS'), 'GCS');
    assert.strictEqual(storeFromScheme('cw'), 'COREWEAVE');
    assert.strictEqual(storeFromScheme('ftp'), undefined);
  });
});
