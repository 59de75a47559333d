// Deleting from the stores: buckets by name or glob over the records (`sky storage delete`), and the
// one path every delete of a bucket, folder or object takes.
import type { SkyConfig } from '../config/config';
import type { CancellationToken } from '../util/cancellation';
import { errorMessage, SkyError } from '../util/errors';
import type { ProgressSink } from '../util/progress';
import type { PromptUi } from '../util/prompt';
import { openStore } from './open';
import { globMatch, readRecords, removeRecord } from './records';
import type { Store, StoreKind } from './store';
import { emptyAndDeleteBucket, listAll } from './transfer';

export interface DeleteOutcome {
  /** The bucket. */
  name: string;
  store: StoreKind;
  result: 'deleted' | 'gone' | 'error';
  message: string;
}

/** A bucket (emptied, then deleted), or keys in a bucket (a folder's objects, or objects). */
export type DeleteTarget =
  | { kind: 'bucket'; store: StoreKind; bucket: string; managed: boolean }
  | { kind: 'objects'; store: StoreKind; bucket: string; keys: string[] };

export type StoreOpener = (kind: StoreKind) => Promise<Store>;

/**
 * Deletes managed buckets matching glob patterns (or all with `all`). A recorded bucket that is already
 * gone only loses its record. `force` also deletes an unrecorded bucket named exactly (store required).
 */
export async function deleteBuckets(opts: {
  config: SkyConfig;
  patterns: string[];
  all?: boolean;
  force?: boolean;
  store?: StoreKind;
  ui: PromptUi;
  yes?: boolean;
  token?: CancellationToken;
  progress?: ProgressSink;
  /** Opens a store (the Storage view passes its open ones); a new client per store otherwise. */
  open?: StoreOpener;
}): Promise<DeleteOutcome[]> {
  const records = readRecords();
  const targets: { name: string; store: StoreKind; managed: boolean }[] = [];
  if (opts.all) targets.push(...records.map((r) => ({ name: r.name, store: r.store, managed: true })));
  for (const p of opts.patterns) {
    const hits = records.filter((r) => globMatch(p, r.name) && (!opts.store || r.store === opts.store));
    if (hits.length) targets.push(...hits.map((r) => ({ name: r.name, store: r.store, managed: true })));
    else if (opts.force && opts.store) targets.push({ name: p, store: opts.store, managed: false });
    else
      throw new SkyError('storage-not-found', `Storage ${p} not found.`, {
        hint: opts.force
          ? 'With --force, name the store with --store to delete a bucket sky-vscode did not create.'
          : 'Only buckets sky-vscode created are deleted; use --force --store S for another bucket.',
      });
  }
  const unique = targets.filter(
    (t, i) => targets.findIndex((x) => x.name === t.name && x.store === t.store) === i,
  );
  if (!unique.length) return [];
  if (!opts.yes) {
    const ok = await opts.ui.confirm(
      `Deleting ${unique.length} storage(s): ${unique.map((t) => t.name).join(', ')}. Proceed?`,
      { destructive: true, detail: 'Every object in these buckets is deleted. This cannot be undone.' },
    );
    if (!ok) return [];
  }
  return deleteTargets(
    unique.map((t) => ({ kind: 'bucket', store: t.store, bucket: t.name, managed: t.managed })),
    { open: opts.open ?? ((k) => openStore(k, opts.config)), token: opts.token, progress: opts.progress },
  );
}

/**
 * The one delete path of the CLI and the Storage view, for buckets, folders and objects. A bucket is
 * emptied and deleted (a recorded one that is already gone only loses its record); folders and
 * objects are deleted by key. Each target's outcome is reported; one failure does not stop the rest.
 */
export async function deleteTargets(
  targets: DeleteTarget[],
  opts: { open: StoreOpener; token?: CancellationToken; progress?: ProgressSink },
): Promise<DeleteOutcome[]> {
  const out: DeleteOutcome[] = [];
  for (const t of targets) {
    if (t.kind === 'objects') {
      try {
        await (await opts.open(t.store)).deleteObjects(t.bucket, t.keys);
        out.push({
          name: t.bucket,
          store: t.store,
          result: 'deleted',
          message: `Deleted ${t.keys.length} object(s) from ${t.bucket}.`,
        });
      } catch (err) {
        out.push({
          name: t.bucket,
          store: t.store,
          result: 'error',
          message: `${t.bucket}: ${errorMessage(err).split('\n')[0]}`,
        });
      }
      continue;
    }
    const named = { name: t.bucket, store: t.store, managed: t.managed };
    try {
      const store = await opts.open(t.store);
      if (!(await store.bucketExists(t.bucket))) {
        await removeRecord(t.bucket, t.store);
        out.push({
          ...named,
          result: 'gone',
          message: `Storage ${t.bucket} may have been deleted externally. Removing from local state.`,
        });
        continue;
      }
      const n = await emptyAndDeleteBucket(store, t.bucket, { token: opts.token, progress: opts.progress });
      if (t.managed) await removeRecord(t.bucket, t.store);
      out.push({ ...named, result: 'deleted', message: `Deleted storage ${t.bucket} (${n} object(s)).` });
    } catch (err) {
      out.push({
        ...named,
        result: 'error',
        message: `Error deleting storage ${t.bucket}: ${(err as Error).message}`,
      });
    }
  }
  return out;
}

/** What a folder or object delete removes: the object's key, or every key under the folder's prefix. */
export async function keysToDelete(
  store: Store,
  bucket: string,
  what: { key: string } | { prefix: string },
): Promise<string[]> {
  if ('key' in what) return [what.key];
  return (await listAll(store, bucket, what.prefix)).map((o) => o.key);
}
