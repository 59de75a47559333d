// Stat, server-side copy, streamed put and presigned GET for the S3-API stores.
import type { Readable } from 'stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { CancelledError, signalFromToken } from '../../util/cancellation';
import type { ObjectOps, ObjectStat } from '../objectOps';
import { encodeKeyPath } from './s3Objects';

type Sdk = typeof import('@aws-sdk/client-s3');
type Wrap = <T>(what: string, bucket: string, fn: () => Promise<T>) => Promise<T>;

/** S3's limit for one CopyObject; past it the copy goes part by part (UploadPartCopy). */
export const S3_SINGLE_COPY_MAX = 5 * 1024 * 1024 * 1024;
const COPY_PART = 512 * 1024 * 1024;

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

const unquote = (s?: string) => s?.replace(/^"|"$/g, '');

export function s3ObjectOps(
  client: S3Client,
  sdk: Sdk,
  wrap: Wrap,
  where: (bucket: string, key: string) => string,
  /** Lower limits only to exercise the multipart copy on small objects. */
  opts: { singleCopyMax?: number; copyPart?: number } = {},
): ObjectOps {
  const singleCopyMax = opts.singleCopyMax ?? S3_SINGLE_COPY_MAX;
  const copyPart = opts.copyPart ?? COPY_PART;
  return {
    stat: (bucket, key) =>
      wrap('read the properties of an object', bucket, async (): Promise<ObjectStat | undefined> => {
        let h;
        try {
          h = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
        } catch (err) {
          if (status(err) === 404) return undefined;
          throw err;
        }
        let tags: Record<string, string> | undefined;
        try {
          const t = await client.send(new sdk.GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
          tags = Object.fromEntries((t.TagSet ?? []).map((x) => [x.Key ?? '', x.Value ?? '']));
        } catch {
          // Tagging is a separate permission (and some S3-API stores lack it): the rest still shows.
          tags = undefined;
        }
        const etag = unquote(h.ETag);
        return {
          key,
          size: h.ContentLength ?? 0,
          lastModified: h.LastModified,
          etag,
          generation: h.VersionId,
          contentType: h.ContentType,
          metadata: { ...(h.Metadata ?? {}) },
          tags,
          // A single-part, unencrypted-by-KMS object's ETag is its MD5; a multipart one has a '-N'.
          md5: etag && /^[0-9a-f]{32}$/.test(etag) ? etag : undefined,
        };
      }),
    copyWithin: (src, dst, o = {}) =>
      wrap('copy', dst.bucket, async () => {
        const signal = signalFromToken(o.token);
        const source = `${src.bucket}/${encodeKeyPath(src.key)}`;
        let size = o.size;
        if (size === undefined) {
          const h = await client.send(new sdk.HeadObjectCommand({ Bucket: src.bucket, Key: src.key }));
          size = h.ContentLength ?? 0;
        }
        if (size <= singleCopyMax) {
          await client.send(
            new sdk.CopyObjectCommand({ Bucket: dst.bucket, Key: dst.key, CopySource: source }),
            { abortSignal: signal },
          );
          return;
        }
        // Multipart copy: the parts stay invisible until CompleteMultipartUpload; any failure or a
        // cancel aborts the upload, so nothing appears under the destination key.
        const h = await client.send(new sdk.HeadObjectCommand({ Bucket: src.bucket, Key: src.key }));
        const mp = await client.send(
          new sdk.CreateMultipartUploadCommand({
            Bucket: dst.bucket,
            Key: dst.key,
            ContentType: h.ContentType,
            Metadata: h.Metadata,
          }),
        );
        const uploadId = mp.UploadId!;
        try {
          const parts: { ETag?: string; PartNumber: number }[] = [];
          const part = Math.max(copyPart, Math.ceil(size / 10_000));
          for (let start = 0, n = 1; start < size; start += part, n++) {
            if (o.token?.isCancellationRequested) throw new CancelledError();
            const end = Math.min(start + part, size) - 1;
            const r = await client.send(
              new sdk.UploadPartCopyCommand({
                Bucket: dst.bucket,
                Key: dst.key,
                UploadId: uploadId,
                PartNumber: n,
                CopySource: source,
                CopySourceRange: `bytes=${start}-${end}`,
                CopySourceIfMatch: h.ETag,
              }),
              { abortSignal: signal },
            );
            parts.push({ ETag: r.CopyPartResult?.ETag, PartNumber: n });
          }
          await client.send(
            new sdk.CompleteMultipartUploadCommand({
              Bucket: dst.bucket,
              Key: dst.key,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
            }),
          );
        } catch (err) {
          await client
            .send(
              new sdk.AbortMultipartUploadCommand({ Bucket: dst.bucket, Key: dst.key, UploadId: uploadId }),
            )
            .catch(() => undefined);
          if (o.token?.isCancellationRequested) throw new CancelledError();
          throw err;
        }
      }),
    openRead: (bucket, key, o = {}) =>
      wrap('read', bucket, async () => {
        const r = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }), {
          abortSignal: signalFromToken(o.token),
        });
        return r.Body as Readable;
      }),
    putStream: (bucket, key, body, _size, o = {}) =>
      wrap('upload', bucket, async () => {
        const { Upload } = await import('@aws-sdk/lib-storage');
        // lib-storage sends one PUT when the stream fits a part, else a multipart upload that
        // only CompleteMultipartUpload makes visible; abort() removes the parts.
        const upload = new Upload({
          client,
          params: {
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: o.contentType,
            Metadata: o.metadata,
          },
          queueSize: 4,
          partSize: 8 * 1024 * 1024,
        });
        const sub = o.token?.onCancellationRequested(() => void upload.abort());
        try {
          if (o.token?.isCancellationRequested) throw new CancelledError();
          await upload.done();
        } catch (err) {
          body.destroy();
          if (o.token?.isCancellationRequested) throw new CancelledError();
          throw err;
        } finally {
          sub?.dispose();
        }
      }),
    presign: (bucket, key, expiresIn) =>
      wrap('presign', bucket, async () => {
        const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
        const seconds = expiresIn;
        const url = await getSignedUrl(client, new sdk.GetObjectCommand({ Bucket: bucket, Key: key }), {
          expiresIn: seconds,
        });
        const expires = new Date(Date.now() + seconds * 1000);
        return {
          url,
          expires,
          grants: `Anyone holding this URL can download (GET) ${where(bucket, key)} until ${expires.toISOString()}, signed with the configured credentials; it grants no listing, no writes and no other object. It stops working early if those credentials are revoked.`,
        };
      }),
  };
}
