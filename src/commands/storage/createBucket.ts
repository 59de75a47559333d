import { upsertRecord } from '../../engine/storage';
import { validateBucketName } from '../../engine/storage/names';
import { cannotCreate, storeDescriptor } from '../../engine/storage/stores/registry';
import type { PromptUi } from '../../engine/util/prompt';
import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import { requireTrust } from '../register';

/** Sky: Create Bucket… on a store: asks the name (checked by the store's rule) and records the bucket. */
export async function createBucket(
  session: StorageSession,
  item: Extract<StorageItem, { kind: 'store' }>,
  ui: PromptUi,
): Promise<string | undefined> {
  requireTrust('Creating a bucket');
  const d = storeDescriptor(item.store);
  if (!d.canCreate) throw cannotCreate(d);
  const name = await ui.input(`New ${storeDescriptor(item.store).skyName} bucket name`, {
    validate: (v) => validateBucketName(storeDescriptor(item.store).skyName, v),
  });
  if (!name) return undefined;
  const store = await session.store(item.store);
  await store.createBucket(name);
  await upsertRecord({ name, store: item.store, source: [], command: 'Sky: Create Bucket', status: 'READY' });
  session.refresh();
  return name;
}
