// An Azure server-side copy past Copy Blob From URL's 256 MiB limit, on Azurite: the asynchronous
// Start Copy path. The client's traffic is counted by a relay in front of Azurite; the blob is
// generated as a stream (pseudo-random, AES-CTR over zeros) and hashed as it goes, never held whole.
import * as assert from 'assert';
import * as crypto from 'crypto';
import { Readable } from 'stream';
import { loadConfig } from '../../../engine/config/config';
import { openStore, type Store } from '../../../engine/storage';
import { copyUri } from '../../../engine/storage/copy';
import { CancellationSource, isCancelledError } from '../../../engine/util/cancellation';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { startCountingRelay, type CountingRelay } from '../../sandbox/countingRelay';

const MiB = 1024 * 1024;
const SIZE = 300 * MiB + 12345;

/** SIZE pseudo-random bytes from `seed`, produced in 1 MiB chunks. */
function generated(seed: string, size: number): Readable {
  const cipher = crypto.createCipheriv(
    'aes-256-ctr',
    crypto.createHash('sha256').update(seed).digest(),
    Buffer.alloc(16),
  );
  const zeros = Buffer.alloc(MiB);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(left, MiB);
      left -= n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}

async function sha256Of(stream: AsyncIterable<unknown>): Promise<{ hex: string; bytes: number }> {
  const h = crypto.createHash('sha256');
  let bytes = 0;
  for await (const c of stream) {
    h.update(c as Buffer);
    bytes += (c as Buffer).length;
  }
  return { hex: h.digest('hex'), bytes };
}

describe('Azure server-side copy of a blob over 256 MiB (asynchronous Start Copy) on Azurite', function () {
  this.timeout(600_000);
  let sb: Sandbox;
  let relay: CountingRelay;
  let direct: Store;
  let expected: string;
  const container = `sky-azbig-${crypto.randomBytes(3).toString('hex')}`;
  const uri = (key: string) => `https://devstoreaccount1.blob.core.windows.net/${container}/${key}`;

  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    direct = await openStore('azure', loadConfig());
    await direct.createBucket(container);
    expected = (await sha256Of(generated('big', SIZE))).hex;
    await direct.putStream(container, 'big.bin', generated('big', SIZE), SIZE);
    // From here on the extension's own config reaches Azurite only through the counting relay.
    const endpoint = new URL(sb.azure!.endpoint);
    relay = await startCountingRelay(endpoint.hostname, Number(endpoint.port));
    sb.writeSkyConfig({
      stores: {
        azure: {
          connectionString: sb.azure!.connectionString.replace(endpoint.host, relay.address),
        },
      },
    });
  });

  after(async () => {
    sb.writeSkyConfig();
    await relay?.stop();
    const keys = ['big.bin', 'copy.bin', 'moved.bin', 'cancelled.bin'];
    await direct?.deleteObjects(container, keys).catch(() => undefined);
    await direct?.deleteEmptyBucket(container).catch(() => undefined);
  });

  it('copies it inside the store with far less than the blob through this machine, byte for byte', async () => {
    relay.up = relay.down = 0;
    const r = await copyUri(loadConfig(), uri('big.bin'), uri('copy.bin'));
    const traffic = relay.up + relay.down;
    assert.strictEqual(r.mode, 'server');
    assert.ok(traffic < 256 * 1024, `${traffic} bytes through the client for a ${SIZE}-byte blob`);
    const got = await sha256Of(await direct.openRead(container, 'copy.bin'));
    assert.deepStrictEqual(got, { hex: expected, bytes: SIZE });
  });

  it('a move deletes the source only after the copy checks out', async () => {
    relay.up = relay.down = 0;
    const r = await copyUri(loadConfig(), uri('copy.bin'), uri('moved.bin'), { move: true });
    assert.deepStrictEqual([r.mode, r.moved], ['server', true]);
    assert.ok(relay.up + relay.down < 256 * 1024, `${relay.up + relay.down} bytes through the client`);
    assert.strictEqual(await direct.stat(container, 'copy.bin'), undefined, 'the source is gone');
    assert.strictEqual((await direct.stat(container, 'moved.bin'))?.size, SIZE);
    const got = await sha256Of(await direct.openRead(container, 'moved.bin'));
    assert.strictEqual(got.hex, expected);
  });

  it('a cancelled copy leaves nothing under the destination name', async () => {
    const store = await openStore('azure', loadConfig());
    const source = new CancellationSource();
    source.cancel();
    let err: unknown;
    try {
      await store.copyWithin(
        { bucket: container, key: 'big.bin' },
        { bucket: container, key: 'cancelled.bin' },
        { token: source.token, size: SIZE },
      );
    } catch (e) {
      err = e;
    }
    assert.ok(isCancelledError(err), String(err));
    assert.strictEqual(await direct.stat(container, 'cancelled.bin'), undefined);
  });
});
