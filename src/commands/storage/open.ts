import type { StorageItem } from '../../services/storageItems';
import { openObject } from '../../ui/objectPreview';

/** A click on an object: a read-only preview (objects too big to preview are refused). */
export async function openStorageObject(item: StorageItem | undefined): Promise<void> {
  if (item?.kind !== 'object') throw new Error('Select an object to open.');
  await openObject(item);
}
