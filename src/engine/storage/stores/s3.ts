// Every store of the registry that speaks the S3 API, on
// @aws-sdk/client-s3 + lib-storage; the store's row supplies its endpoint, region and credentials.
import * as fs from 'fs';
import pLimit from 'p-limit';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3LikeConfig } from '../../config/config';
import { proxyFor, type ProxySettings } from '../../net/proxy';
import { CancelledError, signalFromToken } from '../../util/cancellation';
import { localFsError, SkyError } from '../../util/errors';
import type { ListObjectsRequest, ObjectPage, Store, TransferOptions } from '../store';
import { writeSmallFile } from '../fileWriter';
import { formatStoreUri } from '../uri';
import { storeDescriptor, type StoreKind } from './registry';
import { s3CredentialProvider, s3Settings, type S3Settings } from './s3Settings';
import { s3Objects, type S3Response } from './s3Objects';
import { s3ObjectOps } from './s3Ops';

/** Downloads: ranges of this size, this many at a time per object (rclone's multi-thread streams). */
const RANGE_PART = 8 * 1024 * 1024;
const RANGE_STREAMS = 4;
const WRITE_BATCH = 1024 * 1024;
/** Up to this size a file goes up in one PUT; above it, in parallel multipart parts. */
const SINGLE_PUT_MAX = 8 * 1024 * 1024;
/**
 * Multipart bodies read whole into memory while the store holds less than this in them: lib-storage
 * slices a buffer into parts, where a stream is copied into each part (≈ half the CPU of a 64 MiB
 * upload). Files past the budget, or over a quarter of it, stream.
 */
const BUFFERED_BUDGET = 256 * 1024 * 1024;

/**
 * The SDK's HTTP agents when its requests go through a proxy (the SDK itself reads no proxy
 * settings); undefined to keep its own. The proxy is chosen for the configured endpoint, or for
 * AWS's regional one.
 */
async function proxiedAgents(cfg: S3Settings, region: string, settings?: ProxySettings) {
  const via = proxyFor(new URL(cfg.endpoint ?? `https://s3.${region}.amazonaws.com`), settings);
  if (!via) return undefined;
  const [{ HttpProxyAgent }, { HttpsProxyAgent }] = await Promise.all([
    import('http-proxy-agent'),
    import('https-proxy-agent'),
  ]);
  return {
    httpAgent: new HttpProxyAgent(via, { keepAlive: true }),
    httpsAgent: new HttpsProxyAgent(via, { keepAlive: true }),
  };
}

export async function openS3Store(kind: StoreKind, cfg: S3LikeConfig, proxy?: ProxySettings): Promise<Store> {
  const d = storeDescriptor(kind);
  // Loaded on first use, so activating the extension never loads an SDK.
  const sdk = await import('@aws-sdk/client-s3');
  const { Upload } = await import('@aws-sdk/lib-storage');
  const settings = s3Settings(d, cfg);
  const region = settings.region;
  const client: S3Client = new sdk.S3Client({
    endpoint: settings.endpoint,
    region,
    requestHandler: await proxiedAgents(settings, region, proxy),
    forcePathStyle: settings.forcePathStyle,
    credentials: await s3CredentialProvider(settings),
    // S3-compatible servers (RGW among them) accept these only when asked for.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const objects = await s3Objects(client, settings.endpoint, proxy);
  let buffered = 0;
  const wrap = async <T>(what: string, bucket: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw describeS3Error(err, what, bucket, kind);
    }
  };
  const uriOf = (bucket: string, key?: string) =>
    formatStoreUri({ store: d.skyName, scheme: d.scheme, bucket, key: key ?? '', region: cfg.region });
  return {
    ...s3ObjectOps(client, sdk, wrap, uriOf),
    kind,
    uri: (bucket, key) =>
      formatStoreUri({
        store: d.skyName,
        scheme: d.scheme,
        bucket,
        key: key ?? '',
        region: cfg.region,
      }),
    listBuckets: () =>
      wrap('list buckets', '', async () =>
        ((await client.send(new sdk.ListBucketsCommand({}))).Buckets ?? []).map((b) => ({
          name: b.Name!,
          created: b.CreationDate,
        })),
      ),
    async bucketExists(bucket) {
      try {
        await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }));
        return true;
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404) return false;
        throw describeS3Error(err, 'check bucket', bucket, kind);
      }
    },
    createBucket: (bucket) =>
      wrap(
        'create bucket',
        bucket,
        async () => void (await client.send(new sdk.CreateBucketCommand({ Bucket: bucket }))),
      ),
    deleteEmptyBucket: (bucket) =>
      wrap(
        'delete bucket',
        bucket,
        async () => void (await client.send(new sdk.DeleteBucketCommand({ Bucket: bucket }))),
      ),
    listObjects: (req: ListObjectsRequest) =>
      wrap('list objects', req.bucket, async (): Promise<ObjectPage> => {
        const r = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: req.bucket,
            Prefix: req.prefix || undefined,
            Delimiter: req.delimiter,
            ContinuationToken: req.pageToken,
            MaxKeys: req.pageSize,
          }),
        );
        return {
          objects: (r.Contents ?? []).map((o) => ({
            key: o.Key!,
            size: o.Size ?? 0,
            lastModified: o.LastModified,
          })),
          prefixes: (r.CommonPrefixes ?? []).map((p) => p.Prefix!),
          nextPageToken: r.IsTruncated ? r.NextContinuationToken : undefined,
        };
      }),
    putFile: (bucket, key, file, opts: TransferOptions = {}) =>
      wrap('upload', bucket, async () => {
        const size = opts.size ?? (await fs.promises.stat(file)).size;
        if (size <= SINGLE_PUT_MAX) {
          // Small files: one signed PUT of the whole body (no multipart machinery, no stream chunking).
          // S3 never stores a partial object from a failed or aborted PUT.
          const body = await fs.promises.readFile(file);
          try {
            await objects.put(bucket, key, body, signalFromToken(opts.token));
          } catch (err) {
            if (opts.token?.isCancellationRequested) throw new CancelledError();
            throw err;
          }
          opts.onBytes?.(body.length);
          return;
        }
        // Multipart for large files; abort() on cancel removes the parts, so no partial object remains.
        const inMemory = size <= BUFFERED_BUDGET / 4 && buffered + size <= BUFFERED_BUDGET;
        if (inMemory) buffered += size;
        const sub = opts.token?.onCancellationRequested(() => void upload?.abort());
        let upload: InstanceType<typeof Upload> | undefined;
        try {
          upload = new Upload({
            client,
            params: {
              Bucket: bucket,
              Key: key,
              Body: inMemory
                ? await fs.promises.readFile(file)
                : fs.createReadStream(file, { highWaterMark: 1024 * 1024 }),
            },
            queueSize: 4,
            partSize: 8 * 1024 * 1024,
          });
          let last = 0;
          upload.on('httpUploadProgress', (p) => {
            if (p.loaded !== undefined) {
              opts.onBytes?.(p.loaded - last);
              last = p.loaded;
            }
          });
          if (opts.token?.isCancellationRequested) throw new CancelledError();
          await upload.done();
        } catch (err) {
          if (opts.token?.isCancellationRequested) throw new CancelledError();
          throw err;
        } finally {
          sub?.dispose();
          if (inMemory) buffered -= size;
        }
      }),
    getToFile: (bucket, key, file, opts: TransferOptions = {}) =>
      wrap('download', bucket, async () => {
        // One controller for every part: the token cancels them all, and so does any part failing
        // (no ranged GET keeps writing into a file the caller is about to remove).
        const controller = new AbortController();
        const sub = opts.token?.onCancellationRequested(() => controller.abort());
        // An object known to fit one part is one plain GET; it needs the signal only when there is
        // something to cancel it.
        const whole = opts.size !== undefined && opts.size <= RANGE_PART;
        const get = (range?: string, ifMatch?: string) =>
          objects.get(bucket, key, {
            range,
            ifMatch,
            signal: whole && !opts.token ? undefined : controller.signal,
          });
        // A body is written at its offset in 1 MiB vectored writes (a small object in one): a write per
        // 64 KiB socket read cost more CPU than the download itself. `length`, when known, is checked.
        const toFile = async (
          res: S3Response,
          start: number,
          length: number | undefined,
          flags: 'w' | 'r+',
        ) => {
          const rs = res.body;
          const fh = await fs.promises.open(file, flags);
          try {
            let pos = start;
            let batch: Buffer[] = [];
            let pending = 0;
            const flush = async () => {
              const bufs = batch;
              const len = pending;
              batch = [];
              pending = 0;
              let done = (await fh.writev(bufs, pos)).bytesWritten;
              // A short write (how a disk filling up shows first): the rest is written again, and the
              // next write fails with the cause (ENOSPC).
              if (done < len) {
                const rest = Buffer.concat(bufs).subarray(done);
                for (let at = 0; at < rest.length;) {
                  const n = (await fh.write(rest, at, rest.length - at, pos + done)).bytesWritten;
                  if (n === 0) throw new SkyError('local-fs', `Could not write all of ${file}.`);
                  at += n;
                  done += n;
                }
              }
              pos += len;
            };
            for await (const c of rs) {
              batch.push(c as Buffer);
              pending += (c as Buffer).length;
              opts.onBytes?.((c as Buffer).length);
              if (pending >= WRITE_BATCH) await flush();
            }
            if (pending) await flush();
            if (length !== undefined && pos - start !== length)
              throw new SkyError(
                'store-error',
                `The download of ${key} ended early (${pos - start} of ${length} bytes at ${start}).`,
              );
          } catch (err) {
            rs.destroy();
            // A failed write names no file; the message should (a full disk, say).
            const e = err as NodeJS.ErrnoException;
            if (e?.syscall && !e.path) e.path = file;
            throw err;
          } finally {
            await fh.close();
          }
        };
        try {
          if (opts.token?.isCancellationRequested) throw new CancelledError();
          // A small object whole: read into memory, then one write job (see fileWriter). One that grew
          // since it was listed goes the general way below.
          const small =
            whole && opts.size! <= WRITE_BATCH
              ? await objects.read(bucket, key, {
                  max: WRITE_BATCH,
                  signal: opts.token ? controller.signal : undefined,
                })
              : undefined;
          if (small) {
            const expected = Number(small.headers['content-length'] ?? small.length);
            if (small.length !== expected)
              throw new SkyError(
                'store-error',
                `The download of ${key} ended early (${small.length} of ${expected} bytes).`,
              );
            opts.onBytes?.(small.length);
            await writeSmallFile(file, small.chunks);
            return;
          }
          // An object known to fit one part is one plain GET (RGW spends more on a ranged one). Otherwise the
          // first request asks for the first part only; its Content-Range tells the size. Large objects
          // then come down as parallel ranged GETs (pinned to the first ETag, so a concurrent overwrite
          // fails the download instead of mixing two versions).
          let first;
          if (whole) first = await get();
          else
            try {
              first = await get(`bytes=0-${RANGE_PART - 1}`);
            } catch (err) {
              // An empty object has no byte 0: a plain GET.
              if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 416)
                throw err;
              first = await get();
            }
          const range = first.headers['content-range'];
          const total = Number(/\/(\d+)$/.exec(range ?? '')?.[1] ?? first.headers['content-length'] ?? 0);
          if (total <= RANGE_PART) {
            // One part: Content-Range or Content-Length gave its size, which the body must match.
            const known = range !== undefined || first.headers['content-length'] !== undefined;
            await toFile(first, 0, known ? total : undefined, 'w');
            return;
          }
          fs.writeFileSync(file, '');
          const etag = first.headers.etag;
          // A plain GET (size known but stale) already carries the whole object.
          const firstLength = first.statusCode === 206 ? RANGE_PART : total;
          const parts: Promise<void>[] = [toFile(first, 0, firstLength, 'r+')];
          const limit = pLimit(RANGE_STREAMS);
          for (let start = firstLength; start < total; start += RANGE_PART) {
            const end = Math.min(start + RANGE_PART, total) - 1;
            parts.push(
              limit(async () => {
                if (controller.signal.aborted) throw new CancelledError();
                return toFile(await get(`bytes=${start}-${end}`, etag), start, end - start + 1, 'r+');
              }),
            );
          }
          // The first failure is the cause; the parts it aborted fail after it.
          let cause: { err: unknown } | undefined;
          for (const p of parts)
            p.catch((err: unknown) => {
              cause ??= { err };
              controller.abort();
            });
          await Promise.allSettled(parts);
          if (cause) throw cause.err;
        } catch (err) {
          // A stream torn down by the cancel fails with "aborted" / ECONNRESET: report the cancel.
          if (opts.token?.isCancellationRequested) throw new CancelledError();
          throw err;
        } finally {
          sub?.dispose();
        }
      }),
    deleteObjects: (bucket, keys) =>
      wrap('delete objects', bucket, async () => {
        for (let i = 0; i < keys.length; i += 1000) {
          const r = await client.send(
            new sdk.DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
            }),
          );
          if (r.Errors?.length)
            throw new SkyError(
              'delete-objects',
              `Could not delete ${r.Errors.length} object(s), e.g. ${r.Errors[0].Key}: ${r.Errors[0].Message}`,
            );
        }
      }),
  };
}

function describeS3Error(err: unknown, what: string, bucket: string, kind: string): unknown {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  const where = bucket ? `${kind}://${bucket}` : kind;
  // Before the cancel check: undici reports a refused proxy tunnel as an AbortError.
  if (status === 407 || /Proxy response \(407\)/.test(e?.message ?? ''))
    return new SkyError(
      'store-proxy',
      `The proxy refused to ${what} on ${where} (407: it wants other credentials).`,
      {
        cause: err,
        hint: "Check the user and password in HTTPS_PROXY / HTTP_PROXY (or VS Code's http.proxy).",
      },
    );
  if (err instanceof SkyError || err instanceof CancelledError || (err as Error)?.name === 'AbortError')
    return err;
  const local = localFsError(err);
  if (local) return local;
  if (e.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? ''))
    return new SkyError('store-credentials', `No credentials for ${kind}: ${e.message}`, {
      cause: err,
      hint:
        'Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or stores.' +
        kind +
        '.credentialsFile in the config.',
    });
  if (e.name === 'NoSuchKey')
    return new SkyError(
      'object-not-found',
      `There is no object ${e.message ? `(${e.message}) ` : ''}to ${what} in ${where}.`,
      {
        cause: err,
      },
    );
  if (e.name === 'PermanentRedirect' || status === 301)
    return new SkyError(
      'store-wrong-region',
      `Bucket ${where} is in another region than the one configured: ${e.message}`,
      {
        cause: err,
        hint: `Set stores.${kind}.region in the config to the bucket's region.`,
      },
    );
  if (e.name === 'NoSuchBucket' || status === 404)
    return new SkyError('bucket-not-found', `Bucket ${where} does not exist (${what}).`, { cause: err });
  if (e.name === 'BucketAlreadyExists')
    return new SkyError(
      'bucket-taken',
      `The bucket name ${bucket} is taken by someone else; pick another name.`,
      { cause: err },
    );
  if (e.name === 'BucketNotEmpty')
    return new SkyError('bucket-not-empty', `Bucket ${where} is not empty.`, { cause: err });
  if (
    status === 403 ||
    e.name === 'AccessDenied' ||
    e.name === 'SignatureDoesNotMatch' ||
    e.name === 'InvalidAccessKeyId'
  )
    return new SkyError('store-permission', `Permission denied to ${what} on ${where} (${e.name}).`, {
      cause: err,
      hint: 'Check the credentials and their permissions for this store.',
    });
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(e.message ?? ''))
    return new SkyError('store-unreachable', `Cannot reach the ${kind} endpoint: ${e.message}`, {
      cause: err,
    });
  return new SkyError(
    'store-error',
    `Could not ${what} on ${where}: ${e.name ?? ''} ${e.message ?? String(err)}`.trim(),
    { cause: err },
  );
}
