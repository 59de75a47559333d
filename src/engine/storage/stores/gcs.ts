// GCS on @google-cloud/storage: apiEndpoint from the config (an emulator or fake needs no
// credentials), otherwise a key file or Application Default Credentials.
import * as fs from 'fs';
import { Transform } from 'stream';
import { pipeline } from 'stream/promises';
import type { GcsConfig } from '../../config/config';
import { CancelledError, signalFromToken } from '../../util/cancellation';
import { localFsError, SkyError } from '../../util/errors';
import type { ListObjectsRequest, ObjectPage, Store, TransferOptions } from '../store';
import { gcsObjectOps } from './gcsOps';

function counter(onBytes?: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
}

export async function openGcsStore(cfg: GcsConfig): Promise<Store> {
  const { Storage } = await import('@google-cloud/storage');
  const storage = new Storage({
    ...(cfg.endpoint ? { apiEndpoint: cfg.endpoint.replace(/\/+$/, '') } : {}),
    ...(cfg.projectId ? { projectId: cfg.projectId } : {}),
    ...(cfg.keyFile ? { keyFilename: cfg.keyFile } : {}),
  });
  const wrap = async <T>(what: string, bucket: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SkyError || err instanceof CancelledError) throw err;
      const local = localFsError(err);
      if (local) throw local;
      const e = err as {
        code?: number | string;
        message?: string;
        name?: string;
        response?: { status?: number };
      };
      if (e.name === 'AbortError' || e.code === 'ABORT_ERR') throw new CancelledError();
      if (/Could not load the default credentials/i.test(e.message ?? ''))
        throw new SkyError('store-credentials', `No GCS credentials to ${what}.`, {
          cause: err,
          hint: 'Run `gcloud auth application-default login`, or set stores.gcs.keyFile (or endpoint) in the config.',
        });
      // A resumable session's error carries the status on its response only.
      if (e.code === 412 || e.response?.status === 412)
        throw new SkyError(
          'object-changed',
          `The object changed on GCS bucket ${bucket} since it was read (${what}); nothing was written.`,
          { cause: err },
        );
      if (e.code === 404)
        throw new SkyError('bucket-not-found', `GCS bucket ${bucket} does not exist (${what}).`, {
          cause: err,
        });
      if (e.code === 403 || e.code === 401)
        throw new SkyError('store-permission', `Permission denied to ${what} on GCS bucket ${bucket}.`, {
          cause: err,
        });
      if (e.code === 409 && what === 'create bucket')
        throw new SkyError('bucket-taken', `GCS bucket ${bucket} already exists.`, {
          cause: err,
          hint: 'Bucket names are global on GCS: pick another name.',
        });
      if (e.code === 409 && what === 'delete bucket')
        throw new SkyError('bucket-not-empty', `GCS bucket ${bucket} is not empty.`, { cause: err });
      throw new SkyError(
        'store-error',
        `Could not ${what} on GCS bucket ${bucket}: ${e.message ?? String(err)}`,
        {
          cause: err,
        },
      );
    }
  };
  return {
    ...gcsObjectOps(storage, wrap),
    kind: 'gcs',
    uri: (b, key) => `gs://${b}${key ? `/${key}` : ''}`,
    listBuckets: () =>
      wrap('list buckets', '', async () => {
        const [buckets] = await storage.getBuckets();
        return buckets.map((b) => ({
          name: b.name,
          created: b.metadata.timeCreated ? new Date(b.metadata.timeCreated) : undefined,
        }));
      }),
    bucketExists: (b) => wrap('check bucket', b, async () => (await storage.bucket(b).exists())[0]),
    createBucket: (b) => wrap('create bucket', b, async () => void (await storage.createBucket(b))),
    deleteEmptyBucket: (b) => wrap('delete bucket', b, async () => void (await storage.bucket(b).delete())),
    listObjects: (req: ListObjectsRequest) =>
      wrap('list objects', req.bucket, async (): Promise<ObjectPage> => {
        const [files, next, raw] = await storage.bucket(req.bucket).getFiles({
          autoPaginate: false,
          prefix: req.prefix || undefined,
          delimiter: req.delimiter,
          maxResults: req.pageSize,
          pageToken: req.pageToken,
        });
        const resp = raw as { prefixes?: string[] } | undefined;
        return {
          objects: files.map((f) => ({
            key: f.name,
            size: Number(f.metadata.size ?? 0),
            lastModified: f.metadata.updated ? new Date(f.metadata.updated) : undefined,
          })),
          prefixes: resp?.prefixes ?? [],
          nextPageToken: (next as { pageToken?: string } | null)?.pageToken || undefined,
        };
      }),
    putFile: (b, key, file, opts: TransferOptions = {}) =>
      wrap('upload', b, async () => {
        // Files over 8 MiB go through a resumable session (GCS's multipart for large objects);
        // an abort drops the session, so no object appears under the key.
        const size = (await fs.promises.stat(file)).size;
        await pipeline(
          fs.createReadStream(file),
          counter(opts.onBytes),
          storage
            .bucket(b)
            .file(key)
            .createWriteStream({ resumable: size > 8 * 1024 * 1024, validation: 'md5' }),
          { signal: signalFromToken(opts.token) },
        );
      }),
    getToFile: (b, key, file, opts: TransferOptions = {}) =>
      wrap('download', b, async () => {
        await pipeline(
          storage.bucket(b).file(key).createReadStream({ validation: 'md5' }),
          counter(opts.onBytes),
          fs.createWriteStream(file),
          { signal: signalFromToken(opts.token) },
        );
      }),
    deleteObjects: (b, keys) =>
      wrap('delete objects', b, async () => {
        for (const k of keys) await storage.bucket(b).file(k).delete();
      }),
  };
}
