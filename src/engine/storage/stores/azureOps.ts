// Stat, server-side copy (copy from URL), streamed put and SAS links for Azure Blob.
import type { Readable } from 'stream';
import { setTimeout as sleep } from 'timers/promises';
import type { BlobBeginCopyFromUrlPollState, BlobClient, BlobServiceClient } from '@azure/storage-blob';
import { CancelledError, signalFromToken } from '../../util/cancellation';
import { SkyError } from '../../util/errors';
import type { ObjectOps, ObjectStat } from '../objectOps';

type Az = typeof import('@azure/storage-blob');
type Wrap = <T>(what: string, container: string, fn: () => Promise<T>) => Promise<T>;

/** Copy Blob From URL (synchronous, atomic) takes sources up to 256 MiB. */
const SYNC_COPY_MAX = 256 * 1024 * 1024;

/** How often a pending asynchronous copy is polled. */
const COPY_POLL_MS = 1000;

const unquote = (s?: string) => s?.replace(/^"|"$/g, '');

async function removeUnfinishedCopy(to: BlobClient, copyId: string): Promise<void> {
  await to.abortCopyFromURL(copyId).catch(() => undefined);
  const p = await to.getProperties().catch(() => undefined);
  if (p?.copyId === copyId && p.copyStatus !== 'success')
    await to.deleteIfExists({ conditions: { ifMatch: p.etag } }).catch(() => undefined);
}

export function azureObjectOps(svc: BlobServiceClient, az: Az, wrap: Wrap): ObjectOps {
  const sharedKey = svc.credential instanceof az.StorageSharedKeyCredential ? svc.credential : undefined;
  /** A read-only SAS for one blob, signed with the account key. */
  const readSas = (c: string, key: string, expiresOn: Date) =>
    svc
      .getContainerClient(c)
      .getBlobClient(key)
      .generateSasUrl({ permissions: az.BlobSASPermissions.parse('r'), expiresOn });
  return {
    stat: (c, key) =>
      wrap('read the properties of a blob', c, async (): Promise<ObjectStat | undefined> => {
        const bc = svc.getContainerClient(c).getBlobClient(key);
        let p;
        try {
          p = await bc.getProperties();
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) return undefined;
          throw err;
        }
        let tags: Record<string, string> | undefined;
        try {
          tags = (await bc.getTags()).tags;
        } catch {
          // Reading tags needs its own permission (t): the rest still shows.
          tags = undefined;
        }
        return {
          key,
          size: p.contentLength ?? 0,
          lastModified: p.lastModified,
          etag: unquote(p.etag),
          generation: p.versionId,
          contentType: p.contentType,
          metadata: { ...(p.metadata ?? {}) },
          tags,
          md5: p.contentMD5 ? Buffer.from(p.contentMD5).toString('hex') : undefined,
        };
      }),
    copyWithin: (src, dst, o = {}) =>
      wrap('copy', dst.bucket, async () => {
        const from = svc.getContainerClient(src.bucket).getBlobClient(src.key);
        const to = svc.getContainerClient(dst.bucket).getBlobClient(dst.key);
        const abortSignal = signalFromToken(o.token);
        const size = o.size ?? (await from.getProperties()).contentLength ?? 0;
        if (sharedKey && size <= SYNC_COPY_MAX) {
          // Copy Blob From URL: the service reads the source through a short read-only SAS and
          // commits the destination in one step.
          const url = await readSas(src.bucket, src.key, new Date(Date.now() + 3600_000));
          await to.syncCopyFromURL(url, { abortSignal });
          return;
        }
        // Larger blobs (or no account key to sign a SAS): Start Copy (asynchronous, inside the
        // account) and wait for it, polling often enough that a cancel aborts it promptly.
        let copyId: string | undefined;
        try {
          // The SDK's poller is used only to start the copy: its 15 s waits cannot be cancelled.
          const started = (
            await to.beginCopyFromURL(from.url, { abortSignal })
          ).getOperationState() as BlobBeginCopyFromUrlPollState;
          copyId = started.copyId;
          let status = started.isCompleted ? started.result?.copyStatus : 'pending';
          let why: string | undefined;
          while (status === 'pending') {
            await sleep(COPY_POLL_MS, undefined, { signal: abortSignal });
            const p = await to.getProperties({ abortSignal });
            if (p.copyId !== copyId)
              throw new SkyError('copy-failed', `${dst.key} was written by another client during the copy.`);
            status = p.copyStatus;
            why = p.copyStatusDescription;
          }
          if (status !== 'success')
            throw new SkyError('copy-failed', `The copy to ${dst.key} ended ${status}: ${why ?? ''}`);
        } catch (err) {
          // A pending or failed copy leaves an incomplete destination: it is aborted and removed, but
          // only while the blob under the name is still this copy's (never a blob someone else wrote).
          if (copyId) await removeUnfinishedCopy(to, copyId);
          if (o.token?.isCancellationRequested) throw new CancelledError();
          throw err;
        }
      }),
    openRead: (c, key, o = {}) =>
      wrap('read', c, async () => {
        const r = await svc
          .getContainerClient(c)
          .getBlobClient(key)
          .download(0, undefined, { abortSignal: signalFromToken(o.token) });
        return r.readableStreamBody as Readable;
      }),
    putStream: (c, key, body, _size, o = {}) =>
      wrap('upload', c, async () => {
        // Blocks are staged and committed together at the end: no partial blob under the name.
        try {
          await svc
            .getContainerClient(c)
            .getBlockBlobClient(key)
            .uploadStream(body, 8 * 1024 * 1024, 4, {
              abortSignal: signalFromToken(o.token),
              blobHTTPHeaders: o.contentType ? { blobContentType: o.contentType } : undefined,
              metadata: o.metadata,
              conditions: o.ifVersion?.etag ? { ifMatch: `"${o.ifVersion.etag}"` } : undefined,
            });
        } catch (err) {
          if (o.token?.isCancellationRequested) throw new CancelledError();
          throw err;
        }
      }),
    presign: (c, key, expiresIn) =>
      wrap('make a SAS link', c, async () => {
        if (!sharedKey)
          throw new SkyError(
            'store-credentials',
            `A SAS link for ${key} in container ${c} needs the account key.`,
            { hint: 'Configure stores.azure.connectionString with the AccountKey to sign SAS links.' },
          );
        const expires = new Date(Date.now() + expiresIn * 1000);
        const url = await readSas(c, key, expires);
        return {
          url,
          expires,
          grants: `Anyone holding this URL can read (download) this one blob until ${expires.toISOString()} (a service SAS with permission r, signed with the account key); it grants no listing, no writes and no other blob. Only rotating the account key revokes it early.`,
        };
      }),
  };
}
