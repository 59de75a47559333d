// The S3 server-side copy past CopyObject's 5 GB limit: UploadPartCopy parts, completed only when
// every part is in. The limits are lowered so that RGW's memstore holds the objects.
import * as assert from 'assert';
import * as crypto from 'crypto';
import { Readable } from 'stream';
import { S3Client, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { s3ObjectOps } from '../../../engine/storage/stores/s3Ops';
import { CancellationSource, isCancelledError } from '../../../engine/util/cancellation';
import { sharedSandbox, type Sandbox } from '../../sandbox';

describe('S3 multipart server-side copy (UploadPartCopy) on RGW', function () {
  this.timeout(120_000);
  let sb: Sandbox;
  let client: S3Client;
  let sdk: typeof import('@aws-sdk/client-s3');
  const bucket = `sky-mpc-${crypto.randomBytes(3).toString('hex')}`;
  const MiB = 1024 * 1024;
  const ops = () =>
    s3ObjectOps(
      client,
      sdk,
      (_what, _b, fn) => fn(),
      (b, k) => `s3://${b}/${k}`,
      {
        singleCopyMax: 5 * MiB,
        copyPart: 5 * MiB,
      },
    );

  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sdk = await import('@aws-sdk/client-s3');
    client = new S3Client({
      endpoint: sb.s3!.endpoint,
      region: sb.s3!.region,
      forcePathStyle: true,
      credentials: { accessKeyId: sb.s3!.accessKeyId, secretAccessKey: sb.s3!.secretAccessKey },
    });
    await client.send(new sdk.CreateBucketCommand({ Bucket: bucket }));
  });

  it('copies an object over the single-copy limit in parts, keeping content type and metadata', async () => {
    const data = crypto.randomBytes(12 * MiB + 7);
    const o = ops();
    await o.putStream(bucket, 'src.bin', Readable.from([data]), data.length, {
      contentType: 'application/x-ckpt',
      metadata: { step: '9' },
    });
    await o.copyWithin({ bucket, key: 'src.bin' }, { bucket, key: 'dst.bin' });
    const st = await o.stat(bucket, 'dst.bin');
    assert.strictEqual(st?.size, data.length);
    assert.match(st?.etag ?? '', /-3$/, 'a three-part multipart object');
    assert.strictEqual(st?.contentType, 'application/x-ckpt');
    assert.deepStrictEqual(st?.metadata, { step: '9' });
    const parts: Buffer[] = [];
    for await (const c of await o.openRead(bucket, 'dst.bin')) parts.push(c as Buffer);
    assert.ok(Buffer.concat(parts).equals(data), 'byte for byte');
  });

  it('a cancelled multipart copy leaves no object and no pending upload', async () => {
    const data = crypto.randomBytes(16 * MiB);
    const o = ops();
    await o.putStream(bucket, 'src2.bin', Readable.from([data]), data.length);
    const source = new CancellationSource();
    // Cancelled once the first part has been copied (seen on the client's own request path).
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const r = await next(args);
        if (context.commandName === 'UploadPartCopyCommand') source.cancel();
        return r;
      },
      { step: 'initialize', name: 'cancelAfterFirstPart' },
    );
    const copying = o.copyWithin(
      { bucket, key: 'src2.bin' },
      { bucket, key: 'dst2.bin' },
      { token: source.token },
    );
    let err: unknown;
    try {
      await copying;
    } catch (e) {
      err = e;
    }
    assert.ok(isCancelledError(err), String(err));
    assert.strictEqual(await o.stat(bucket, 'dst2.bin'), undefined);
    const pending = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.strictEqual(pending.Uploads?.length ?? 0, 0);
  });
});
