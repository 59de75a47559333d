import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';

/** A click on "Load more…": the next page of its parent. */
export function loadMore(
  session: StorageSession,
  more: Extract<StorageItem, { kind: 'more' }>,
): Promise<void> {
  return session.loadMore(more);
}
