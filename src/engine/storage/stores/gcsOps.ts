// Stat, server-side copy (the rewrite API), streamed put and V4 signed URLs for GCS.
import { Readable } from 'stream';
import type { Storage } from '@google-cloud/storage';
import { CancelledError, whileCancellable } from '../../util/cancellation';
import { SkyError } from '../../util/errors';
import type { ObjectOps, ObjectStat } from '../objectOps';

type Wrap = <T>(what: string, bucket: string, fn: () => Promise<T>) => Promise<T>;

const b64ToHex = (s?: string) => (s ? Buffer.from(s, 'base64').toString('hex') : undefined);

export function gcsObjectOps(storage: Storage, wrap: Wrap): ObjectOps {
  return {
    stat: (b, key) =>
      wrap('read the properties of an object', b, async (): Promise<ObjectStat | undefined> => {
        let md;
        try {
          [md] = await storage.bucket(b).file(key).getMetadata();
        } catch (err) {
          if ((err as { code?: number }).code === 404) return undefined;
          throw err;
        }
        return {
          key,
          size: Number(md.size ?? 0),
          lastModified: md.updated ? new Date(md.updated) : undefined,
          etag: md.etag,
          generation: md.generation !== undefined ? String(md.generation) : undefined,
          contentType: md.contentType,
          metadata: Object.fromEntries(
            Object.entries(md.metadata ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]),
          ),
          // GCS objects have no tags (labels belong to buckets).
          tags: undefined,
          md5: b64ToHex(md.md5Hash),
        };
      }),
    copyWithin: (src, dst, o = {}) =>
      wrap('copy', dst.bucket, async () => {
        // File.copy drives objects.rewrite, repeating it with the rewrite token until done; the
        // destination object is written only when the rewrite completes.
        if (o.token?.isCancellationRequested) throw new CancelledError();
        await storage.bucket(src.bucket).file(src.key).copy(storage.bucket(dst.bucket).file(dst.key));
        if (o.token?.isCancellationRequested) throw new CancelledError();
      }),
    openRead: (b, key, o = {}) =>
      wrap('read', b, async () => {
        const s = storage.bucket(b).file(key).createReadStream({ validation: 'md5' });
        const sub = o.token?.onCancellationRequested(() => s.destroy(new CancelledError()));
        s.once('close', () => sub?.dispose());
        return s as unknown as Readable;
      }),
    putStream: (b, key, body, size, o = {}) =>
      wrap('upload', b, async () => {
        // A resumable session (large objects) or one multipart request: the object exists only
        // once the last byte is in; a destroyed stream leaves no object.
        const out = storage
          .bucket(b)
          .file(key)
          .createWriteStream({
            resumable: size > 8 * 1024 * 1024,
            validation: 'md5',
            ...(o.ifVersion?.generation
              ? { preconditionOpts: { ifGenerationMatch: Number(o.ifVersion.generation) } }
              : {}),
            metadata: {
              ...(o.contentType ? { contentType: o.contentType } : {}),
              ...(o.metadata ? { metadata: o.metadata } : {}),
            },
          });
        const { pipeline } = await import('stream/promises');
        const controller = new AbortController();
        await whileCancellable(
          o.token,
          () => controller.abort(),
          () => pipeline(body, out, { signal: controller.signal }),
        );
      }),
    presign: (b, key, expiresIn) =>
      wrap('sign a URL', b, async () => {
        const expires = new Date(Date.now() + expiresIn * 1000);
        let url: string;
        try {
          [url] = await storage.bucket(b).file(key).getSignedUrl({ version: 'v4', action: 'read', expires });
        } catch (err) {
          throw new SkyError(
            'store-credentials',
            `Could not sign a URL for gs://${b}/${key}: ${(err as Error).message}`,
            {
              cause: err,
              hint: 'A GCS signed URL needs a service-account key (stores.gcs.keyFile) or credentials allowed to sign blobs.',
            },
          );
        }
        return {
          url,
          expires,
          grants: `Anyone holding this URL can download (GET) gs://${b}/${key} until ${expires.toISOString()}, as the signing service account; it grants no listing, no writes and no other object.`,
        };
      }),
  };
}
