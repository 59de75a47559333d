// Bucket uploads and downloads, as SkyPilot lays them out, with progress, cancellation and no
// half-written local file under its final name.
import * as fs from 'fs';
import * as path from 'path';
import pLimit from 'p-limit';
import { CancellationToken, CancelledError, throwIfCancelled } from '../util/cancellation';
import { localFsError, SkyError } from '../util/errors';
import type { LogSink } from '../util/log';
import { noLog } from '../util/log';
import { ProgressSink, noProgress } from '../util/progress';
import type { OverwriteAnswer, PromptUi } from '../util/prompt';
import { walkLocalTree } from '../sync/localTree';
import type { ObjectInfo, Store } from './store';

export interface UploadPlanItem {
  file: string;
  key: string;
  size: number;
  mtime: number;
}

export interface TransferContext {
  token?: CancellationToken;
  progress?: ProgressSink;
  log?: LogSink;
  /** Objects in flight at once (default TRANSFERS). */
  concurrency?: number;
}

/**
 * Objects in flight at once, both ways, as `rclone copy --transfers 16` in bench/storage. (Downloads
 * used 8, half of what the in-process bench and rclone ran with, so the CLI's were slower.)
 */
export const TRANSFERS = 16;

/**
 * SkyPilot's layout: a single directory source goes to the bucket root; a list puts each directory
 * under `<basename>/` and each file at the root. `.git` is always excluded; `.skyignore` or the git
 * ignore rules apply; symlinks are not uploaded (named in a notice).
 */
export function planUpload(
  sources: string[],
  prefix = '',
  log: LogSink = noLog,
  listLayout = sources.length > 1,
): UploadPlanItem[] {
  const items: UploadPlanItem[] = [];
  const skipped: string[] = [];
  const single = !listLayout;
  const seen = new Set<string>();
  for (const src of sources) {
    const st = fs.statSync(src, { throwIfNoEntry: false });
    if (!st) throw new SkyError('source-missing', `Local source ${src} does not exist.`);
    const base = path.basename(src);
    if (!single && seen.has(base))
      throw new SkyError(
        'source-duplicate',
        `Cannot have multiple files or directories with the same name in source: ${base}`,
      );
    seen.add(base);
    if (st.isFile()) {
      items.push({ file: src, key: `${prefix}${base}`, size: st.size, mtime: Math.floor(st.mtimeMs / 1000) });
      continue;
    }
    const tree = walkLocalTree(src, { excludeGit: true });
    if (tree.excluded.some((x) => x.rel === '.git'))
      log.info(`'.git' directory under '${src}' is excluded during sync.`);
    const under = single ? prefix : `${prefix}${base}/`;
    for (const e of tree.entries) {
      if (e.type === 'l') skipped.push(path.join(src, e.rel));
      if (e.type !== 'f') continue;
      items.push({ file: e.abs, key: `${under}${e.rel}`, size: e.size, mtime: e.mtime });
    }
  }
  if (skipped.length)
    log.warn(
      `Symbolic links are not uploaded to buckets (as in SkyPilot): ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ` and ${skipped.length - 5} more` : ''}.`,
    );
  return items;
}

/** The objects under a prefix, a page (1,000) at a time. */
async function* objectPages(store: Store, bucket: string, prefix: string): AsyncGenerator<ObjectInfo[]> {
  let token: string | undefined;
  do {
    const page = await store.listObjects({ bucket, prefix, pageToken: token, pageSize: 1000 });
    yield page.objects;
    token = page.nextPageToken;
  } while (token);
}

export async function listAll(store: Store, bucket: string, prefix = ''): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const objects of objectPages(store, bucket, prefix)) out.push(...objects);
  return out;
}

/** A file is uploaded when its object is missing, differs in size, or is older than the file. */
export function needsUpload(p: UploadPlanItem, o: ObjectInfo | undefined): boolean {
  return !o || o.size !== p.size || !o.lastModified || o.lastModified.getTime() / 1000 < p.mtime;
}

/** Uploads what changed (size differs, or the local file is newer than the object); returns counts. */
export async function uploadSources(
  store: Store,
  bucket: string,
  sources: string[],
  // listLayout: every directory under its own name, even a single one.
  ctx: TransferContext & { prefix?: string; listLayout?: boolean } = {},
): Promise<{ uploaded: number; skipped: number; bytes: number }> {
  const log = ctx.log ?? noLog;
  const progress = ctx.progress ?? noProgress;
  const plan = planUpload(sources, ctx.prefix ?? '', log, ctx.listLayout ?? sources.length > 1);
  const existing = new Map((await listAll(store, bucket, ctx.prefix ?? '')).map((o) => [o.key, o]));
  const todo = plan.filter((p) => needsUpload(p, existing.get(p.key)));
  const total = todo.reduce((n, p) => n + p.size, 0);
  let bytes = 0;
  let files = 0;
  const limit = pLimit(ctx.concurrency ?? TRANSFERS);
  await Promise.all(
    todo.map((p) =>
      limit(async () => {
        throwIfCancelled(ctx.token);
        await withRetry(
          () =>
            store.putFile(bucket, p.key, p.file, {
              token: ctx.token,
              size: p.size,
              onBytes: (n) =>
                progress.report({
                  phase: 'Uploading',
                  bytes: { done: (bytes += n), total },
                  files: { done: files, total: todo.length },
                }),
            }),
          ctx.token,
        );
        files++;
        progress.report({
          phase: 'Uploading',
          bytes: { done: bytes, total },
          files: { done: files, total: todo.length },
        });
      }),
    ),
  );
  return { uploaded: todo.length, skipped: plan.length - todo.length, bytes: total };
}

async function withRetry<T>(fn: () => Promise<T>, token?: CancellationToken, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const transient =
        err instanceof SkyError && (err.code === 'store-unreachable' || err.code === 'store-error');
      if (!transient || i >= attempts || token?.isCancellationRequested) throw err;
      await new Promise((r) => setTimeout(r, 250 * 2 ** i));
    }
  }
}

/**
 * Downloads one object or every object under a prefix into `dest`, keeping relative paths. Each file is
 * written to a temp name and renamed; existing files go through the overwrite prompt.
 */
export async function downloadToFolder(
  store: Store,
  bucket: string,
  keyOrPrefix: string,
  dest: string,
  ctx: TransferContext & { ui?: PromptUi } = {},
): Promise<{ files: number; bytes: number; skipped: number }> {
  const progress = ctx.progress ?? noProgress;
  const isPrefix = keyOrPrefix === '' || keyOrPrefix.endsWith('/');
  const base = isPrefix ? keyOrPrefix : keyOrPrefix.slice(0, keyOrPrefix.lastIndexOf('/') + 1);
  // A folder keeps its own name: s3://b/data/ → DEST/data/…
  const folderName = isPrefix && keyOrPrefix ? path.posix.basename(keyOrPrefix.replace(/\/$/, '')) : '';
  let answer: OverwriteAnswer | undefined;
  let files = 0;
  let bytes = 0;
  let skipped = 0;
  const limit = pLimit(ctx.concurrency ?? TRANSFERS);
  const root = path.resolve(dest);
  const decide = async (target: string): Promise<boolean> => {
    if (!fs.existsSync(target)) return true;
    if (answer === 'yesToAll') return true;
    if (answer === 'noToAll') return false;
    const a = ctx.ui ? await ctx.ui.overwrite(target) : 'no';
    if (a === 'yesToAll' || a === 'noToAll') answer = a;
    return a === 'yes' || a === 'yesToAll';
  };
  const chain = { p: Promise.resolve() as Promise<unknown> };
  const made = new Set<string>();
  const fresh = new Set<string>();
  let listed = 0;
  // The first failure is the cause; objects not started by then are not started at all.
  let failure: { err: unknown } | undefined;
  const tasks: Promise<void>[] = [];
  const schedule = (o: { key: string; size?: number }) => {
    listed++;
    // Local failures (mkdir, rename: a full disk, a read-only folder) read as such, like the stores' own.
    const task = limit(() =>
      failure ? Promise.resolve() : one(o).catch((err: unknown) => Promise.reject(localFsError(err) ?? err)),
    );
    task.catch((err: unknown) => (failure ??= { err }));
    tasks.push(task);
  };
  const one = async (o: { key: string; size?: number }) => {
    throwIfCancelled(ctx.token);
    const rel = o.key.slice(base.length);
    const target = path.join(root, folderName, ...rel.split('/'));
    const inside = path.relative(root, target);
    if (!inside || inside.startsWith('..') || path.isAbsolute(inside))
      throw new SkyError('download-unsafe', `Refusing object key outside the destination: ${o.key}`);
    const dir = path.dirname(target);
    if (!made.has(dir)) {
      // A folder this download created holds nothing to overwrite: no question, no stat.
      if (fs.mkdirSync(dir, { recursive: true }) !== undefined) fresh.add(dir);
      made.add(dir);
    }
    // Overwrite questions one at a time, in order.
    const ok = fresh.has(dir) || ((await (chain.p = chain.p.then(() => decide(target)))) as boolean);
    if (!ok) {
      skipped++;
      return;
    }
    const tmp = `${target}.sky-partial-${process.pid}`;
    let renamed = false;
    try {
      // Each attempt rewrites the temp file from its start; progress counts what a failed one took.
      let got = 0;
      await withRetry(() => {
        bytes -= got;
        got = 0;
        return store.getToFile(bucket, o.key, tmp, {
          token: ctx.token,
          size: o.size,
          onBytes: (n) => {
            got += n;
            progress.report({
              phase: 'Downloading',
              bytes: { done: (bytes += n) },
              files: { done: files, total: listed },
            });
          },
        });
      }, ctx.token);
      if (ctx.token?.isCancellationRequested) throw new CancelledError();
      fs.renameSync(tmp, target);
      renamed = true;
      files++;
    } finally {
      if (!renamed) fs.rmSync(tmp, { force: true });
    }
  };
  // Downloads start with the first page of the listing, not after the last one.
  try {
    if (!isPrefix) schedule({ key: keyOrPrefix });
    else {
      throwIfCancelled(ctx.token);
      for await (const objects of objectPages(store, bucket, keyOrPrefix)) {
        for (const o of objects) if (!o.key.endsWith('/')) schedule(o);
        if (failure) break;
        throwIfCancelled(ctx.token);
      }
    }
  } catch (err) {
    failure ??= { err };
  }
  await Promise.allSettled(tasks);
  if (failure) throw failure.err;
  return { files, bytes, skipped };
}

/** Empties (paged) and deletes a bucket, with progress. */
export async function emptyAndDeleteBucket(
  store: Store,
  bucket: string,
  ctx: TransferContext = {},
): Promise<number> {
  let deleted = 0;
  for (;;) {
    throwIfCancelled(ctx.token);
    const page = await store.listObjects({ bucket, pageSize: 1000 });
    if (!page.objects.length) break;
    await store.deleteObjects(
      bucket,
      page.objects.map((o) => o.key),
    );
    deleted += page.objects.length;
    (ctx.progress ?? noProgress).report({ phase: 'Deleting', files: { done: deleted } });
  }
  await store.deleteEmptyBucket(bucket);
  return deleted;
}
