// OCI Object Storage on oci-objectstorage: credentials, region and tenancy from ~/.oci/config (or the
// configured file/profile); namespace and compartment from the config, else the namespace API and
// the tenancy (the root compartment). `endpoint` overrides the regional URL.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Transform } from 'stream';
import { pipeline } from 'stream/promises';
import type { OciConfig } from '../../config/config';
import { CancelledError, throwIfCancelled } from '../../util/cancellation';
import { localFsError, SkyError } from '../../util/errors';
import type { ListObjectsRequest, ObjectPage, Store, TransferOptions } from '../store';
import { ociObjectOps } from './ociOps';

export async function openOciStore(cfg: OciConfig): Promise<Store> {
  const common = await import('oci-common');
  const os_ = await import('oci-objectstorage');
  const configFile = cfg.configFile ?? path.join(os.homedir(), '.oci', 'config');
  let provider: import('oci-common').ConfigFileAuthenticationDetailsProvider;
  try {
    provider = new common.ConfigFileAuthenticationDetailsProvider(configFile, cfg.profile ?? 'DEFAULT');
  } catch (err) {
    throw new SkyError('store-credentials', `No usable OCI credentials in ${configFile}.`, {
      cause: err,
      hint: 'Run `oci setup config`, or set stores.oci.configFile/profile in the config.',
    });
  }
  const client = new os_.ObjectStorageClient({ authenticationDetailsProvider: provider });
  if (cfg.region) client.regionId = cfg.region;
  if (cfg.endpoint) client.endpoint = cfg.endpoint.replace(/\/+$/, '');
  const wrap = async <T>(what: string, bucket: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SkyError || err instanceof CancelledError) throw err;
      const local = localFsError(err);
      if (local) throw local;
      const e = err as { statusCode?: number; serviceCode?: string; message?: string; name?: string };
      if (e.name === 'AbortError') throw new CancelledError();
      if (e.statusCode === 404)
        throw new SkyError('bucket-not-found', `OCI bucket ${bucket} does not exist (${what}).`, {
          cause: err,
        });
      if (e.statusCode === 401 || e.statusCode === 403)
        throw new SkyError('store-permission', `Permission denied to ${what} on OCI bucket ${bucket}.`, {
          cause: err,
          hint: 'Check the user, fingerprint and key in the OCI config and the policies of the compartment.',
        });
      if (e.statusCode === 409 && what === 'create bucket')
        throw new SkyError('bucket-taken', `OCI bucket ${bucket} already exists.`, { cause: err });
      if (e.statusCode === 409 && what === 'delete bucket')
        throw new SkyError('bucket-not-empty', `OCI bucket ${bucket} is not empty.`, { cause: err });
      throw new SkyError(
        'store-error',
        `Could not ${what} on OCI bucket ${bucket}: ${e.message ?? String(err)}`,
        {
          cause: err,
        },
      );
    }
  };
  const namespaceName =
    cfg.namespace ??
    (await wrap('read the namespace', '', async () => (await client.getNamespace({})).value));
  const compartmentId = cfg.compartment ?? provider.getTenantId();
  const region = cfg.region ?? provider.getRegion()?.regionId ?? 'us-ashburn-1';
  return {
    ...ociObjectOps(client, namespaceName, region, wrap),
    kind: 'oci',
    // SkyPilot's form: oci://bucket/key (the region is implied by the config).
    uri: (b, key) => `oci://${b}${key ? `/${key}` : ''}`,
    listBuckets: () =>
      wrap('list buckets', '', async () => {
        const out = [];
        let page: string | undefined;
        do {
          const r = await client.listBuckets({ namespaceName, compartmentId, page });
          for (const b of r.items)
            out.push({ name: b.name, created: b.timeCreated ? new Date(b.timeCreated) : undefined });
          page = r.opcNextPage;
        } while (page);
        return out;
      }),
    bucketExists: (b) =>
      wrap('check bucket', b, async () => {
        try {
          await client.headBucket({ namespaceName, bucketName: b });
          return true;
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) return false;
          throw err;
        }
      }),
    createBucket: (b) =>
      wrap('create bucket', b, async () => {
        await client.createBucket({ namespaceName, createBucketDetails: { name: b, compartmentId } });
      }),
    deleteEmptyBucket: (b) =>
      wrap(
        'delete bucket',
        b,
        async () => void (await client.deleteBucket({ namespaceName, bucketName: b })),
      ),
    listObjects: (req: ListObjectsRequest) =>
      wrap('list objects', req.bucket, async (): Promise<ObjectPage> => {
        const r = await client.listObjects({
          namespaceName,
          bucketName: req.bucket,
          prefix: req.prefix || undefined,
          delimiter: req.delimiter,
          start: req.pageToken,
          limit: req.pageSize,
          fields: 'name,size,timeModified',
        });
        return {
          objects: r.listObjects.objects.map((o) => ({
            key: o.name,
            size: o.size ?? 0,
            lastModified: o.timeModified ? new Date(o.timeModified) : undefined,
          })),
          prefixes: r.listObjects.prefixes ?? [],
          nextPageToken: r.listObjects.nextStartWith || undefined,
        };
      }),
    putFile: (b, key, file, opts: TransferOptions = {}) =>
      wrap('upload', b, async () => {
        // One PUT per object (OCI takes up to 50 GiB that way): a cancelled request never commits.
        throwIfCancelled(opts.token);
        const size = (await fs.promises.stat(file)).size;
        const body = fs.createReadStream(file).pipe(
          new Transform({
            transform(chunk: Buffer, _enc, cb) {
              if (opts.token?.isCancellationRequested) return cb(new CancelledError());
              opts.onBytes?.(chunk.length);
              cb(null, chunk);
            },
          }),
        );
        try {
          await client.putObject({
            namespaceName,
            bucketName: b,
            objectName: key,
            putObjectBody: body,
            contentLength: size,
          });
        } catch (err) {
          // The aborted body surfaces as a fetch failure: report it as the cancellation it is.
          if (opts.token?.isCancellationRequested) throw new CancelledError();
          throw err;
        }
        throwIfCancelled(opts.token);
      }),
    getToFile: (b, key, file, opts: TransferOptions = {}) =>
      wrap('download', b, async () => {
        const r = await client.getObject({ namespaceName, bucketName: b, objectName: key });
        const value = r.value as unknown;
        const source =
          value instanceof ReadableStream
            ? (await import('stream')).Readable.fromWeb(value as import('stream/web').ReadableStream)
            : (value as NodeJS.ReadableStream);
        await pipeline(
          source,
          new Transform({
            transform(chunk: Buffer, _enc, cb) {
              if (opts.token?.isCancellationRequested) return cb(new CancelledError());
              opts.onBytes?.(chunk.length);
              cb(null, chunk);
            },
          }),
          fs.createWriteStream(file),
        );
      }),
    deleteObjects: (b, keys) =>
      wrap('delete objects', b, async () => {
        for (const k of keys) await client.deleteObject({ namespaceName, bucketName: b, objectName: k });
      }),
  };
}
