// `storage cp` / `storage mv` and the Storage view's Copy, Move and Rename: objects and prefixes.
// Inside one store the store copies (S3 CopyObject or a multipart copy, GCS rewrite, Azure copy from
// URL, OCI CopyObject); across stores each object streams through this machine, never to a file.
// Every store makes a written object visible only once it is whole (a single PUT, a completed
// multipart upload, a finalized resumable upload, a committed block list, a completed work request),
// so a failed or cancelled copy leaves nothing under the destination name. A move deletes each
// source object only after its copy has been checked: same size, and same MD5 where the stores
// state one (for a streamed copy, the MD5 of the bytes that went through).
import * as crypto from 'crypto';
import { Transform } from 'stream';
import pLimit from 'p-limit';
import type { SkyConfig } from '../config/config';
import { CancelledError, type CancellationToken } from '../util/cancellation';
import { SkyError, UsageError } from '../util/errors';
import type { ProgressSink } from '../util/progress';
import type { ObjectStat } from './objectOps';
import { openUri, type OpenedUri } from './openUri';
import type { ObjectInfo } from './store';

export interface CopyOptions {
  move?: boolean;
  /** Replace objects that exist under a destination name (otherwise nothing is copied). */
  overwrite?: boolean;
  token?: CancellationToken;
  progress?: ProgressSink;
  /** Objects copied at once. */
  parallel?: number;
}

export interface CopiedObject {
  src: string;
  dst: string;
  bytes: number;
}

export interface CopyResult {
  /** 'server': the store copied; 'stream': the bytes went through this machine. */
  mode: 'server' | 'stream';
  moved: boolean;
  objects: CopiedObject[];
  bytes: number;
}

interface Item {
  src: ObjectInfo;
  dstKey: string;
}

const folderOf = (key: string) => (key && !key.endsWith('/') ? `${key}/` : key);

/** Same store and, for Azure, the same account: the store can copy by itself. */
function sameStore(a: OpenedUri, b: OpenedUri): boolean {
  return a.descriptor.kind === b.descriptor.kind && a.store.uri('x') === b.store.uri('x');
}

async function listUnder(t: OpenedUri, prefix: string, token?: CancellationToken): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  let pageToken: string | undefined;
  do {
    if (token?.isCancellationRequested) throw new CancelledError();
    const page = await t.store.listObjects({ bucket: t.bucket, prefix, pageToken, pageSize: 1000 });
    out.push(...page.objects);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

/** What a source URI names: one object, or every object under a prefix (with that prefix). */
async function sourceItems(
  src: OpenedUri,
  token?: CancellationToken,
): Promise<{ base?: string; objects: ObjectInfo[] }> {
  if (src.key && !src.key.endsWith('/')) {
    const s = await src.store.stat(src.bucket, src.key);
    if (s) return { objects: [{ key: s.key, size: s.size, lastModified: s.lastModified }] };
  }
  const base = folderOf(src.key);
  const objects = await listUnder(src, base, token);
  if (!objects.length)
    throw new SkyError('object-not-found', `There is nothing at ${src.store.uri(src.bucket, src.key)}.`, {
      hint: 'Name an object, or a folder with objects in it (…/).',
    });
  return { base, objects };
}

function verify(item: string, src: ObjectStat, dst: ObjectStat | undefined, streamedMd5?: string): void {
  const fail = (why: string) =>
    new SkyError('copy-unverified', `The copy of ${item} does not match its source: ${why}.`, {
      hint: 'The source was left in place. Retry the copy; if it fails again, compare the two objects.',
    });
  if (!dst) throw fail('the destination object is missing');
  if (dst.size !== src.size) throw fail(`${dst.size} bytes instead of ${src.size}`);
  if (streamedMd5 && src.md5 && streamedMd5 !== src.md5)
    throw fail('the bytes read differ from the source MD5');
  const md5 = streamedMd5 ?? src.md5;
  if (md5 && dst.md5 && dst.md5 !== md5) throw fail('the MD5 differs');
}

export async function copyUri(
  config: SkyConfig,
  srcUri: string,
  dstUri: string,
  opts: CopyOptions = {},
): Promise<CopyResult> {
  const src = await openUri(config, srcUri);
  const dst = await openUri(config, dstUri);
  if (!dst.bucket) throw new UsageError(`${dstUri} names no bucket.`);
  const token = opts.token;
  const server = sameStore(src, dst);
  const { base, objects } = await sourceItems(src, token);
  const items: Item[] =
    base === undefined
      ? [
          {
            src: objects[0],
            dstKey:
              !dst.key || dst.key.endsWith('/')
                ? dst.key + objects[0].key.slice(objects[0].key.lastIndexOf('/') + 1)
                : dst.key,
          },
        ]
      : objects.map((o) => ({ src: o, dstKey: folderOf(dst.key) + o.key.slice(base.length) }));
  const srcName = (k: string) => src.store.uri(src.bucket, k);
  const dstName = (k: string) => dst.store.uri(dst.bucket, k);
  if (server && src.bucket === dst.bucket) {
    if (items.some((i) => i.dstKey === i.src.key))
      throw new UsageError(`${srcUri} and ${dstUri} are the same object(s).`);
    if (base !== undefined && folderOf(dst.key).startsWith(base))
      throw new UsageError(`${dstUri} is inside ${srcUri}: a folder cannot be copied into itself.`);
  }
  if (!opts.overwrite) {
    const existing = new Set(
      base === undefined
        ? (await dst.store.stat(dst.bucket, items[0].dstKey))
          ? [items[0].dstKey]
          : []
        : (await listUnder(dst, folderOf(dst.key), token)).map((o) => o.key),
    );
    const clash = items.filter((i) => existing.has(i.dstKey));
    if (clash.length)
      throw new SkyError(
        'object-exists',
        `${clash.length} destination object(s) exist already, e.g. ${dstName(clash[0].dstKey)}; nothing was copied.`,
        { hint: 'Pass --force (or confirm overwriting) to replace them.' },
      );
  }

  const total = items.reduce((n, i) => n + i.src.size, 0);
  let doneBytes = 0;
  const done: CopiedObject[] = [];
  const report = (message?: string) =>
    opts.progress?.report({
      message,
      files: { done: done.length, total: items.length },
      bytes: { done: doneBytes, total },
    });
  opts.progress?.report({
    phase: `${opts.move ? 'Moving' : 'Copying'} ${items.length} object(s) ${server ? 'inside the store' : 'through this machine'}`,
  });

  const one = async (item: Item) => {
    if (token?.isCancellationRequested) throw new CancelledError();
    const from = { bucket: src.bucket, key: item.src.key };
    const to = { bucket: dst.bucket, key: item.dstKey };
    const srcStat = await src.store.stat(from.bucket, from.key);
    if (!srcStat)
      throw new SkyError('object-not-found', `${srcName(from.key)} disappeared before it was copied.`);
    let streamedMd5: string | undefined;
    if (server) {
      await src.store.copyWithin(from, to, { token, size: srcStat.size });
      doneBytes += srcStat.size;
    } else {
      const hash = crypto.createHash('md5');
      let seen = 0;
      const body = await src.store.openRead(from.bucket, from.key, { token });
      const counted = body.pipe(
        new Transform({
          transform(chunk: Buffer, _enc, cb) {
            if (token?.isCancellationRequested) return cb(new CancelledError());
            hash.update(chunk);
            seen += chunk.length;
            doneBytes += chunk.length;
            report();
            cb(null, chunk);
          },
        }),
      );
      body.once('error', (err) => counted.destroy(err));
      await dst.store.putStream(to.bucket, to.key, counted, srcStat.size, {
        token,
        contentType: srcStat.contentType,
        metadata: Object.keys(srcStat.metadata).length ? srcStat.metadata : undefined,
      });
      if (seen !== srcStat.size) {
        await dst.store.deleteObjects(to.bucket, [to.key]).catch(() => undefined);
        throw new SkyError(
          'copy-unverified',
          `Only ${seen} of ${srcStat.size} bytes of ${srcName(from.key)} were read; the partial copy was removed.`,
        );
      }
      streamedMd5 = hash.digest('hex');
    }
    try {
      verify(srcName(from.key), srcStat, await dst.store.stat(to.bucket, to.key), streamedMd5);
    } catch (err) {
      await dst.store.deleteObjects(to.bucket, [to.key]).catch(() => undefined);
      throw err;
    }
    if (opts.move) await src.store.deleteObjects(from.bucket, [from.key]);
    done.push({ src: srcName(from.key), dst: dstName(to.key), bytes: srcStat.size });
    report(dstName(to.key));
  };

  const limit = pLimit(opts.parallel ?? 4);
  let failure: { err: unknown } | undefined;
  await Promise.all(
    items.map((i) =>
      limit(async () => {
        if (failure) return;
        try {
          await one(i);
        } catch (err) {
          failure ??= { err };
        }
      }),
    ),
  );
  if (failure) {
    if (done.length && !(failure.err instanceof CancelledError))
      throw new SkyError(
        (failure.err as SkyError).code ?? 'copy-failed',
        `${(failure.err as Error).message} (${done.length} of ${items.length} object(s) were ${opts.move ? 'moved' : 'copied'} before it.)`,
        { cause: failure.err, hint: (failure.err as SkyError).hint },
      );
    throw failure.err;
  }
  return { mode: server ? 'server' : 'stream', moved: !!opts.move, objects: done, bytes: total };
}
