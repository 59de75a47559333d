import { uploadSources } from '../../engine/storage';
import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import { requireTrust } from '../register';
import { withNotification } from './notification';

/** Uploads files and folders into a bucket or folder; each keeps its own name under the target. */
export async function uploadInto(
  session: StorageSession,
  target: Extract<StorageItem, { kind: 'bucket' | 'folder' }>,
  sources: string[],
): Promise<number> {
  requireTrust('Uploading to a bucket');
  if (!sources.length) return 0;
  const prefix = target.kind === 'folder' ? target.prefix : '';
  const r = await withNotification(`Sky: Uploading to ${target.bucket}/${prefix}`, async (sink, token) =>
    // Each picked file or folder keeps its own name under the target.
    uploadSources(await session.store(target.store), target.bucket, sources, {
      prefix,
      listLayout: true,
      token,
      progress: sink,
    }),
  );
  session.refresh(target);
  return r.uploaded;
}

/** Sky: Upload Files… / Upload Folder… on a bucket or folder: the picked sources go in through uploadInto. */
export async function uploadPicked(
  session: StorageSession,
  item: Extract<StorageItem, { kind: 'bucket' | 'folder' }>,
  pick: () => Promise<{ fsPath: string }[] | undefined>,
): Promise<number> {
  if (!item || (item.kind !== 'bucket' && item.kind !== 'folder'))
    throw new Error('Pick a bucket or folder in the Storage view.');
  // Refused before the file picker: an untrusted workspace must not let someone pick files first.
  requireTrust('Uploading to a bucket');
  const picked = await pick();
  return picked?.length
    ? uploadInto(
        session,
        item,
        picked.map((u) => u.fsPath),
      )
    : 0;
}
