import { createFolder as createFolderMarker, folderKeyProblem } from '../../engine/storage/createFolder';
import type { PromptUi } from '../../engine/util/prompt';
import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import { requireTrust } from '../register';

type Parent = Extract<StorageItem, { kind: 'bucket' | 'folder' }>;

/** Create Folder… on a bucket or folder: asks the name (nested names with / are fine) and writes its marker. */
export async function createFolder(
  session: StorageSession,
  item: StorageItem | undefined,
  ui: PromptUi,
): Promise<Extract<StorageItem, { kind: 'folder' }> | undefined> {
  if (item?.kind !== 'bucket' && item?.kind !== 'folder')
    throw new Error('Select a bucket or folder in the Storage view to create a folder in it.');
  const parent: Parent = item;
  requireTrust('Creating a folder');
  const base = parent.kind === 'folder' ? parent.prefix : '';
  const store = await session.store(parent.store);
  const name = await ui.input(`New folder in ${store.uri(parent.bucket, base || undefined)}`, {
    validate: (v) => folderKeyProblem(parent.store, base + v, v),
  });
  if (name === undefined) return undefined;
  // The engine checks the name again (a scripted or pasted answer skips the input box's check) and
  // refuses a folder that exists.
  const made = await createFolderMarker(store, parent.bucket, base + name);
  session.refresh(parent);
  return {
    kind: 'folder',
    store: parent.store,
    bucket: parent.bucket,
    prefix: made.key,
    ...(parent.underManaged ? { underManaged: true as const } : {}),
    ...(parent.pinned ? { pinned: true as const } : {}),
  };
}
