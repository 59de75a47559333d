// The storage engine's high-level operations, shared by the CLI and the Storage view:
//   syncLocalSourceToBucket — create if missing → record INIT → incremental upload → READY/UPLOAD_FAILED
//   deleteBuckets           — like `sky storage delete`: glob names over the records, managed only unless forced
export { openStore, configuredStores, parseStoreKind, SUPPORTED_STORES } from './open';
export type { Store, StoreKind, ObjectInfo, ObjectPage, BucketInfo } from './store';
export { readRecords, upsertRecord, removeRecord, globMatch } from './records';
export type { StorageRecord, StorageStatus } from './records';
export { uploadSources, downloadToFolder, emptyAndDeleteBucket, listAll, planUpload } from './transfer';

import type { SkyConfig } from '../config/config';
import { SkyError } from '../util/errors';
import type { LogSink } from '../util/log';
import { noLog } from '../util/log';
import type { CancellationToken } from '../util/cancellation';
import type { ProgressSink } from '../util/progress';
import type { PromptUi } from '../util/prompt';
import { validateBucketName } from './names';
import { openStore } from './open';
import { readRecords, removeRecord, upsertRecord, globMatch, StorageRecord, StorageStatus } from './records';
import type { StoreKind } from './store';
import { cannotCreate, storeDescriptor } from './stores/registry';
import { emptyAndDeleteBucket, uploadSources } from './transfer';

export async function syncLocalSourceToBucket(opts: {
  config: SkyConfig;
  store: StoreKind;
  name: string;
  sources: string[];
  command: string;
  token?: CancellationToken;
  progress?: ProgressSink;
  log?: LogSink;
  /** `persistent: false` in the task: recorded so that `down` deletes the bucket with the cluster. */
  persistent?: boolean;
  cluster?: string;
}): Promise<{ record: StorageRecord; uploaded: number; skipped: number; created: boolean }> {
  const log = opts.log ?? noLog;
  const d = storeDescriptor(opts.store);
  const invalid = validateBucketName(d.skyName, opts.name);
  if (invalid) throw new SkyError('bucket-name', invalid);
  const store = await openStore(opts.store, opts.config);
  // Every state change of this bucket's record carries the same name, store, source and command.
  const setStatus = (status: StorageStatus) =>
    upsertRecord({
      name: opts.name,
      store: opts.store,
      source: opts.sources,
      command: opts.command,
      status,
      ...(opts.persistent === false ? { persistent: false as const, cluster: opts.cluster } : {}),
    });
  const known = readRecords().find((r) => r.name === opts.name && r.store === opts.store);
  let created = false;
  if (!(await store.bucketExists(opts.name))) {
    // Before any record: a bucket this store never creates leaves no trace of the attempt.
    if (!d.canCreate) throw cannotCreate(d, store.uri(opts.name));
    try {
      await store.createBucket(opts.name);
    } catch (err) {
      await setStatus('INIT_FAILED');
      throw err;
    }
    created = true;
    log.info(`Created bucket ${store.uri(opts.name)}`);
  } else if (!known) {
    throw new SkyError(
      'bucket-not-managed',
      `Bucket ${store.uri(opts.name)} exists but was not created by sky-vscode.`,
      {
        hint: 'Pick another name, or use the bucket as a source URI instead of a name.',
      },
    );
  }
  await setStatus(known?.status === 'READY' ? 'READY' : 'INIT');
  try {
    const r = await uploadSources(store, opts.name, opts.sources, {
      token: opts.token,
      progress: opts.progress,
      log,
    });
    const record = await setStatus('READY');
    return { record, uploaded: r.uploaded, skipped: r.skipped, created };
  } catch (err) {
    await setStatus('UPLOAD_FAILED');
    throw err;
  }
}

export interface DeleteOutcome {
  name: string;
  store: StoreKind;
  result: 'deleted' | 'gone' | 'error';
  message: string;
}

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
  const out: DeleteOutcome[] = [];
  for (const t of unique) {
    try {
      const store = await openStore(t.store, opts.config);
      if (!(await store.bucketExists(t.name))) {
        await removeRecord(t.name, t.store);
        out.push({
          ...t,
          result: 'gone',
          message: `Storage ${t.name} may have been deleted externally. Removing from local state.`,
        });
        continue;
      }
      const n = await emptyAndDeleteBucket(store, t.name, { token: opts.token, progress: opts.progress });
      if (t.managed) await removeRecord(t.name, t.store);
      out.push({ ...t, result: 'deleted', message: `Deleted storage ${t.name} (${n} object(s)).` });
    } catch (err) {
      out.push({
        ...t,
        result: 'error',
        message: `Error deleting storage ${t.name}: ${(err as Error).message}`,
      });
    }
  }
  return out;
}
