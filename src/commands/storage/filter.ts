import type { PromptUi } from '../../engine/util/prompt';
import { itemId, type StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';

/** Sky: Filter by Prefix… on a bucket: a server-side prefix for its listing (empty clears it). */
export async function filterBucket(
  session: StorageSession,
  item: Extract<StorageItem, { kind: 'bucket' }>,
  ui: PromptUi,
): Promise<void> {
  const value = await ui.input(`Prefix filter for ${item.bucket} (server-side)`, {
    value: session.filters.get(itemId(item)) ?? '',
  });
  if (value === undefined) return;
  if (value) session.filters.set(itemId(item), value);
  else session.filters.delete(itemId(item));
  session.refresh(item);
}

/** Sky: Clear Filter on a filtered bucket. */
export function clearFilter(session: StorageSession, item: Extract<StorageItem, { kind: 'bucket' }>): void {
  session.filters.delete(itemId(item));
  session.refresh(item);
}
