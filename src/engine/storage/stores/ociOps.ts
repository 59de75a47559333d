// Stat, server-side copy (CopyObject work requests), streamed put and pre-authenticated requests
// for OCI Object Storage.
import { Readable } from 'stream';
import type { ObjectStorageClient } from 'oci-objectstorage';
import { CancelledError, whileCancellable } from '../../util/cancellation';
import { SkyError } from '../../util/errors';
import type { ObjectOps, ObjectStat } from '../objectOps';

type Wrap = <T>(what: string, bucket: string, fn: () => Promise<T>) => Promise<T>;

const b64ToHex = (s?: string) => (s ? Buffer.from(s, 'base64').toString('hex') : undefined);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function ociObjectOps(
  client: ObjectStorageClient,
  namespaceName: string,
  region: string,
  wrap: Wrap,
): ObjectOps {
  return {
    stat: (b, key) =>
      wrap('read the properties of an object', b, async (): Promise<ObjectStat | undefined> => {
        let h;
        try {
          h = await client.headObject({ namespaceName, bucketName: b, objectName: key });
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) return undefined;
          throw err;
        }
        return {
          key,
          size: Number(h.contentLength ?? 0),
          lastModified: h.lastModified ? new Date(h.lastModified) : undefined,
          etag: h.eTag,
          generation: h.versionId,
          contentType: h.contentType,
          // The SDK keeps the header names (opc-meta-KEY); the user's keys are without the prefix.
          metadata: Object.fromEntries(
            Object.entries(h.opcMeta ?? {}).map(([k, v]) => [k.replace(/^opc-meta-/i, ''), String(v)]),
          ),
          // OCI objects have no tags (tags belong to buckets).
          tags: undefined,
          md5: b64ToHex(h.contentMd5),
        };
      }),
    copyWithin: (src, dst, o = {}) =>
      wrap('copy', dst.bucket, async () => {
        // CopyObject runs as a work request inside OCI; the destination object is committed when
        // it completes. A cancel asks OCI to cancel the request.
        const r = await client.copyObject({
          namespaceName,
          bucketName: src.bucket,
          copyObjectDetails: {
            sourceObjectName: src.key,
            destinationRegion: region,
            destinationNamespace: namespaceName,
            destinationBucket: dst.bucket,
            destinationObjectName: dst.key,
          },
        });
        const workRequestId = r.opcWorkRequestId;
        for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
          if (o.token?.isCancellationRequested) {
            await client.cancelWorkRequest({ workRequestId }).catch(() => undefined);
            throw new CancelledError();
          }
          const w = (await client.getWorkRequest({ workRequestId })).workRequest;
          if (w.status === 'COMPLETED') return;
          if (w.status === 'FAILED' || w.status === 'CANCELED')
            throw new SkyError(
              'copy-failed',
              `OCI could not copy ${src.key} to ${dst.bucket}/${dst.key} (work request ${workRequestId} ${w.status}).`,
            );
          await sleep(delay);
        }
      }),
    openRead: (b, key, o = {}) =>
      wrap('read', b, async () => {
        const r = await client.getObject({ namespaceName, bucketName: b, objectName: key });
        const value = r.value as unknown;
        const s =
          value instanceof ReadableStream
            ? Readable.fromWeb(value as import('stream/web').ReadableStream)
            : (value as Readable);
        const sub = o.token?.onCancellationRequested(() => s.destroy(new CancelledError()));
        s.once('close', () => sub?.dispose());
        return s;
      }),
    putStream: (b, key, body, size, o = {}) =>
      wrap('upload', b, async () => {
        // One PUT (OCI takes up to 50 GiB that way): the object is committed only when it is whole.
        await whileCancellable(
          o.token,
          () => body.destroy(new CancelledError()),
          () =>
            client.putObject({
              namespaceName,
              bucketName: b,
              objectName: key,
              putObjectBody: body,
              contentLength: size,
              contentType: o.contentType,
              opcMeta: o.metadata,
            }),
        );
      }),
    presign: (b, key, expiresIn) =>
      wrap('create a pre-authenticated request', b, async () => {
        const expires = new Date(Date.now() + expiresIn * 1000);
        const r = await client.createPreauthenticatedRequest({
          namespaceName,
          bucketName: b,
          createPreauthenticatedRequestDetails: {
            name: `sky-vscode-${Date.now()}`,
            objectName: key,
            accessType: 'ObjectRead' as never,
            timeExpires: expires,
          },
        });
        const par = r.preauthenticatedRequest;
        const url = par.fullPath ?? `${client.endpoint.replace(/\/+$/, '')}${par.accessUri}`;
        return {
          url,
          expires,
          grants: `Anyone holding this URL can read (download) oci://${b}/${key} until ${expires.toISOString()} (a pre-authenticated request, ObjectRead); it grants no listing, no writes and no other object. Delete the request "${par.name}" (id ${par.id}) in the bucket to revoke it early.`,
        };
      }),
  };
}
