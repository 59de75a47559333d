// The storage engine's high-level operations, shared by the CLI and the Storage view:
//   syncLocalSourceToBucket — create if missing → record INIT → incremental upload → READY/UPLOAD_FAILED
//   deleteBuckets           — like `sky storage delete`: glob names over the records, managed only unless forced
//                             (delete.ts, the one delete path of buckets, folders and objects)
export { openStore, configuredStores, parseStoreKind, SUPPORTED_STORES } from './open';
export type { Store, StoreKind, ObjectInfo, ObjectPage, BucketInfo } from './store';
export { readRecords, upsertRecord, removeRecord, globMatch } from './records';
export type { StorageRecord, StorageStatus } from './records';
export { uploadSources, downloadToFolder, emptyAndDeleteBucket, listAll, planUpload } from './transfer';
export { deleteBuckets, deleteTargets, keysToDelete } from './delete';
export type { DeleteOutcome, DeleteTarget, StoreOpener } from './delete';

import type { SkyConfig } from '../config/config';
import { SkyError } from '../util/errors';
import type { LogSink } from '../util/log';
import { noLog } from '../util/log';
import type { CancellationToken } from '../util/cancellation';
import type { ProgressSink } from '../util/progress';
import { validateBucketName } from './names';
import { openStore } from './open';
import { readRecords, upsertRecord, StorageRecord, StorageStatus } from './records';
import type { StoreKind } from './store';
import { cannotCreate, storeDescriptor } from './stores/registry';
import { uploadSources } from './transfer';

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
