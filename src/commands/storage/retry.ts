import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';

/** A click on an error node: its parent is listed again (a store that failed to open is opened again). */
export function retryListing(session: StorageSession, error: StorageItem | undefined): void {
  if (error?.kind !== 'error') throw new Error('Retry works on an error in the Storage view.');
  session.retry(error);
}
