// Azure Blob on @azure/storage-blob: a connection string, an account + SAS token, or an account with
// DefaultAzureCredential (@azure/identity).
import type { AzureConfig } from '../../config/config';
import { CancelledError, signalFromToken } from '../../util/cancellation';
import { localFsError, SkyError } from '../../util/errors';
import type { ListObjectsRequest, ObjectPage, Store, TransferOptions } from '../store';
import { azureObjectOps } from './azureOps';

export async function openAzureStore(cfg: AzureConfig): Promise<Store> {
  const az = await import('@azure/storage-blob');
  let svc: import('@azure/storage-blob').BlobServiceClient;
  if (cfg.connectionString) svc = az.BlobServiceClient.fromConnectionString(cfg.connectionString);
  else if (cfg.account && cfg.sasToken)
    svc = new az.BlobServiceClient(
      `${cfg.endpoint ?? `https://${cfg.account}.blob.core.windows.net`}?${cfg.sasToken.replace(/^\?/, '')}`,
    );
  else if (cfg.account) {
    const { DefaultAzureCredential } = await import('@azure/identity');
    svc = new az.BlobServiceClient(
      cfg.endpoint ?? `https://${cfg.account}.blob.core.windows.net`,
      new DefaultAzureCredential(),
    );
  } else
    throw new SkyError(
      'store-credentials',
      'Azure needs stores.azure.connectionString, or account (+ sasToken) in the config.',
    );
  const account = svc.accountName;
  const wrap = async <T>(what: string, container: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SkyError || err instanceof CancelledError) throw err;
      const local = localFsError(err);
      if (local) throw local;
      const e = err as { statusCode?: number; code?: string; message?: string; name?: string };
      if (e.name === 'AbortError') throw new CancelledError();
      if (e.statusCode === 412)
        throw new SkyError(
          'object-changed',
          `The blob changed in container ${container} since it was read (${what}); nothing was written.`,
          { cause: err },
        );
      if (e.code === 'ContainerNotFound' || e.statusCode === 404)
        throw new SkyError('bucket-not-found', `Container ${container} does not exist (${what}).`, {
          cause: err,
        });
      if (e.statusCode === 403)
        throw new SkyError('store-permission', `Permission denied to ${what} on container ${container}.`, {
          cause: err,
        });
      if (e.code === 'ContainerAlreadyExists')
        throw new SkyError('bucket-taken', `Container ${container} already exists.`, { cause: err });
      throw new SkyError(
        'store-error',
        `Could not ${what} on azure container ${container}: ${e.message ?? String(err)}`,
        { cause: err },
      );
    }
  };
  return {
    ...azureObjectOps(svc, az, wrap),
    kind: 'azure',
    uri: (c, key) => `https://${account}.blob.core.windows.net/${c}${key ? `/${key}` : ''}`,
    listBuckets: () =>
      wrap('list containers', '', async () => {
        const out = [];
        for await (const c of svc.listContainers())
          out.push({ name: c.name, created: c.properties.lastModified });
        return out;
      }),
    bucketExists: (c) => wrap('check container', c, () => svc.getContainerClient(c).exists()),
    createBucket: (c) =>
      wrap('create container', c, async () => void (await svc.getContainerClient(c).create())),
    deleteEmptyBucket: (c) =>
      wrap('delete container', c, async () => void (await svc.getContainerClient(c).delete())),
    listObjects: (req: ListObjectsRequest) =>
      wrap('list blobs', req.bucket, async (): Promise<ObjectPage> => {
        const cc = svc.getContainerClient(req.bucket);
        const opts = { prefix: req.prefix || undefined };
        const pages = req.delimiter
          ? cc
              .listBlobsByHierarchy(req.delimiter, opts)
              .byPage({ continuationToken: req.pageToken, maxPageSize: req.pageSize })
          : cc.listBlobsFlat(opts).byPage({ continuationToken: req.pageToken, maxPageSize: req.pageSize });
        const page = (await pages.next()).value as {
          continuationToken?: string;
          segment: {
            blobItems: { name: string; properties: { contentLength?: number; lastModified?: Date } }[];
            blobPrefixes?: { name: string }[];
          };
        };
        return {
          objects: page.segment.blobItems.map((b) => ({
            key: b.name,
            size: b.properties.contentLength ?? 0,
            lastModified: b.properties.lastModified,
          })),
          prefixes: (page.segment.blobPrefixes ?? []).map((p) => p.name),
          nextPageToken: page.continuationToken || undefined,
        };
      }),
    putFile: (c, key, file, opts: TransferOptions = {}) =>
      wrap('upload', c, async () => {
        let last = 0;
        await svc
          .getContainerClient(c)
          .getBlockBlobClient(key)
          .uploadFile(file, {
            abortSignal: signalFromToken(opts.token),
            onProgress: (p) => {
              opts.onBytes?.(p.loadedBytes - last);
              last = p.loadedBytes;
            },
          });
      }),
    getToFile: (c, key, file, opts: TransferOptions = {}) =>
      wrap('download', c, async () => {
        let last = 0;
        await svc
          .getContainerClient(c)
          .getBlobClient(key)
          .downloadToFile(file, 0, undefined, {
            abortSignal: signalFromToken(opts.token),
            onProgress: (p) => {
              opts.onBytes?.(p.loadedBytes - last);
              last = p.loadedBytes;
            },
          });
      }),
    deleteObjects: (c, keys) =>
      wrap('delete blobs', c, async () => {
        const cc = svc.getContainerClient(c);
        for (const k of keys) await cc.deleteBlob(k, { deleteSnapshots: 'include' });
      }),
  };
}
