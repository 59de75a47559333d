// `storage mkdir` through the CLI on every store API of the sandbox: RGW (S3), Azurite (Azure), the
// GCS fake and the OCI fake. A folder is a zero-byte marker whose key ends in '/'.
import * as assert from 'assert';
import * as crypto from 'crypto';
import type { Store, StoreKind } from '../../../engine/storage';
import type { Sandbox } from '../../sandbox';
import { runCli } from '../../harness/cli';
import { sandboxStores } from '../../harness/sandboxStores';

const KINDS: StoreKind[] = ['s3', 'azure', 'gcs', 'oci'];

describe('storage mkdir through the CLI on RGW, Azurite, the GCS fake and the OCI fake', function () {
  this.timeout(240_000);
  let sb: Sandbox;
  let stores: Map<StoreKind, Store>;
  const bucket = `sky-mkdir-${crypto.randomBytes(3).toString('hex')}`;
  const cli = (...args: string[]) => runCli(['storage', ...args], sb.env());

  before(async () => {
    ({ sb, stores } = await sandboxStores(KINDS));
    for (const store of stores.values()) await store.createBucket(bucket);
  });

  for (const kind of KINDS)
    it(`${kind}: mkdir writes the marker, the listing shows the folder, a second mkdir and bad names are refused`, async () => {
      const store = stores.get(kind)!;
      const r = await cli('mkdir', store.uri(bucket, 'ckpt/run-1'), '--json');
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(JSON.parse(r.stdout), {
        key: 'ckpt/run-1/',
        uri: store.uri(bucket, 'ckpt/run-1/'),
      });
      assert.strictEqual((await store.stat(bucket, 'ckpt/run-1/'))?.size, 0);
      const top = await store.listObjects({ bucket, delimiter: '/' });
      assert.deepStrictEqual(top.prefixes, ['ckpt/']);
      const inside = await store.listObjects({ bucket, prefix: 'ckpt/', delimiter: '/' });
      assert.deepStrictEqual(inside.prefixes, ['ckpt/run-1/']);
      // A folder with objects in it but no marker exists too.
      const again = await cli('mkdir', store.uri(bucket, 'ckpt/'));
      assert.strictEqual(again.code, 1, again.stderr);
      assert.match(again.stderr, /The folder .*ckpt\/ exists already/);
      const bare = await cli('mkdir', store.uri(bucket));
      assert.strictEqual(bare.code, 2, bare.stderr);
      assert.match(bare.stderr, /names no folder inside a bucket/);
      const dots = await cli('mkdir', store.uri(bucket, 'a/../b/'));
      assert.strictEqual(dots.code, 2, dots.stderr);
      assert.match(dots.stderr, /no \. or \.\. part/);
    });
});
