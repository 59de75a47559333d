import * as assert from 'assert';
import { validateBucketName } from '../../../engine/storage/names';
import type { StoreType } from '../../../engine/storage/uri';

function valid(store: StoreType, names: string[]): void {
  for (const n of names) assert.strictEqual(validateBucketName(store, n), undefined, `${store} ${n}`);
}

function invalid(store: StoreType, cases: Array<[string, RegExp]>): void {
  for (const [n, re] of cases) {
    const msg = validateBucketName(store, n);
    assert.ok(msg, `${store} '${n}' should be invalid`);
    assert.match(msg, re, `${store} '${n}'`);
  }
}

describe('bucket names', () => {
  it('S3 and the S3-compatible stores', () => {
    for (const store of ['S3', 'R2', 'NEBIUS', 'COREWEAVE', 'VASTDATA'] as StoreType[]) {
      valid(store, ['abc', 'my-bucket.v2', 'a'.repeat(63), '1bucket']);
      invalid(store, [
        ['ab', /between 3/],
        ['a'.repeat(64), /between 3/],
        ['My-Bucket', /lowercase/],
        ['bucket-', /begin and end/],
        ['under_score', /lowercase/],
        ['a..b', /adjacent periods/],
        ['192.168.5.4', /IP address/],
        ['xn--abc', /xn--/],
        ['data-s3alias', /s3alias/],
        ['data--ol-s3', /ol-s3/],
      ]);
    }
  });

  it('GCS', () => {
    valid('GCS', ['my_bucket.data', 'a'.repeat(63) + '.' + 'b'.repeat(63)]);
    invalid('GCS', [
      ['ab', /between 3/],
      ['googdata', /goog/],
      ['my-google-data', /google/],
      ['a'.repeat(64), /63 characters/],
      ['a.-b', /'\.\.', '\.-'/],
      ['10.0.0.1', /IP address/],
      ['UPPER', /lowercase/],
    ]);
  });

  it('Azure containers', () => {
    valid('AZURE', ['container-1', 'abc']);
    invalid('AZURE', [
      ['a--b', /consecutive hyphens/],
      ['a.b', /only of lowercase letters, numbers and hyphens/],
      ['ab', /between 3/],
      ['-abc', /begin and end/],
    ]);
  });

  it('IBM COS', () => {
    valid('IBM', ['my.bucket-1']);
    invalid('IBM', [
      ['a--b', /consecutive/],
      ['a..b', /consecutive/],
      ['a.-b', /next to a hyphen/],
      ['1.2.3.4', /IP address/],
    ]);
  });

  it('OCI allows upper case, underscores and @region', () => {
    valid('OCI', ['My_Bucket.1', 'b', 'bucket@us-sanjose-1']);
    invalid('OCI', [
      ['bad name', /only letters/],
      ['b@nowhere', /region like/],
      ['', /between 1/],
      ['a'.repeat(257), /between 1/],
    ]);
  });

  it('Hugging Face ns/name', () => {
    valid('HF', ['org/data', 'hf://buckets/org/data', 'hf://datasets/org/ds', 'Org/My.Data_1']);
    invalid('HF', [
      ['justone', /<namespace>\/<name>/],
      ['a/b/c', /<namespace>\/<name>/],
      ['org/-bad', /must start with a letter/],
      ['org/' + 'x'.repeat(97), /at most 96/],
    ]);
  });
});
