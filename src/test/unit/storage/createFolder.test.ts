import * as assert from 'assert';
import { folderKeyProblem } from '../../../engine/storage/createFolder';

describe('folderKeyProblem: what a folder name may be on each store', () => {
  it('takes nested names and one trailing /', () => {
    for (const key of ['a', 'a/', 'a/b/c', 'ckpt/run 1/', 'données/é'])
      assert.strictEqual(folderKeyProblem('s3', key), undefined, key);
  });

  it('refuses empty names, a leading /, empty, . and .. parts, backslashes and control characters', () => {
    const cases: [string, RegExp][] = [
      ['', /Enter a folder name/],
      ['   ', /Enter a folder name/],
      ['/a', /does not start with \//],
      [' a', /spaces/],
      ['a//b', /no empty part/],
      ['a/./b', /no \. or \.\. part/],
      ['..', /no \. or \.\. part/],
      ['a\\b', /Use \/ \(not \\\) to nest/],
      ['a\nb', /control characters/],
    ];
    for (const [key, message] of cases) assert.match(folderKeyProblem('gcs', key) ?? '', message, key);
  });

  it('applies each store’s key rules: 1024 bytes (S3, GCS, OCI) or characters (Azure); no trailing dot on Azure', () => {
    const long = 'é'.repeat(600); // 1200 bytes, 600 characters
    assert.match(folderKeyProblem('s3', long) ?? '', /1201 bytes; .* allows 1024/);
    assert.strictEqual(folderKeyProblem('azure', long), undefined);
    assert.match(folderKeyProblem('azure', 'a'.repeat(1024)) ?? '', /1025 characters/);
    assert.match(folderKeyProblem('azure', 'v1./x') ?? '', /cannot end with a dot/);
    assert.strictEqual(folderKeyProblem('oci', 'v1./x'), undefined);
  });

  it('checks the whole key and names the typed part in its message', () => {
    assert.strictEqual(folderKeyProblem('s3', 'parent/child', 'child'), undefined);
    assert.match(folderKeyProblem('s3', 'parent/', '') ?? '', /Enter a folder name/);
  });
});
