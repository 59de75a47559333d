// The editor's save precondition, checked by the store itself: an upload pinned to the version that
// was read (GCS generation, Azure ETag) is refused once someone else has written the object, and
// the other write is kept. On Azurite and the GCS fake (which answers 412 conditionNotMet as GCS does).
import * as assert from 'assert';
import * as crypto from 'crypto';
import { Readable } from 'stream';
import { loadConfig } from '../../../engine/config/config';
import { openStore, type Store, type StoreKind } from '../../../engine/storage';
import { SkyError } from '../../../engine/util/errors';
import { sharedSandbox } from '../../sandbox';
import { readAll } from '../../harness/objectBytes';

describe('uploads pinned to the version read (ifVersion) on Azurite and the GCS fake', function () {
  this.timeout(120_000);
  const bucket = `sky-pre-${crypto.randomBytes(3).toString('hex')}`;
  const stores = new Map<StoreKind, Store>();

  before(async () => {
    const sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    for (const kind of ['azure', 'gcs'] as const) {
      const store = await openStore(kind, loadConfig());
      await store.createBucket(bucket);
      stores.set(kind, store);
    }
  });

  // 9 MiB goes through GCS's resumable session (checked when the upload completes), 9 bytes through
  // one multipart request.
  for (const kind of ['azure', 'gcs'] as const)
    for (const size of [9, 9 * 1024 * 1024]) {
      it(`${kind}, ${size} bytes: refused with 'object-changed' after another write; accepted on the current version`, async () => {
        const store = stores.get(kind)!;
        const put = (data: Buffer, ifVersion?: { etag?: string; generation?: string }) =>
          store.putStream(bucket, `k-${size}`, Readable.from([data]), data.length, { ifVersion });
        const mine = crypto.randomBytes(size);
        const theirs = crypto.randomBytes(size);
        await put(crypto.randomBytes(size));
        const read = (await store.stat(bucket, `k-${size}`))!;
        assert.ok(kind === 'gcs' ? read.generation : read.etag, 'a version to pin');
        await put(theirs); // someone else's write
        await assert.rejects(
          put(mine, { etag: read.etag, generation: read.generation }),
          (err: unknown) => err instanceof SkyError && err.code === 'object-changed',
        );
        assert.ok((await readAll(store, bucket, `k-${size}`)).equals(theirs), 'their write is kept');
        const now = (await store.stat(bucket, `k-${size}`))!;
        await put(mine, { etag: now.etag, generation: now.generation });
        assert.ok((await readAll(store, bucket, `k-${size}`)).equals(mine));
      });
    }
});
