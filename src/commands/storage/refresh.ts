import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';

/** Sky: Refresh (Storage): the item's listing again, or everything from a fresh config and new store clients. */
export function refreshStorage(session: StorageSession, item?: StorageItem): void {
  session.refresh(item);
}
