import type * as vscode from 'vscode';
import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import { droppedPaths } from '../../ui/droppedFiles';
import { requireTrust } from '../register';
import { uploadInto } from './upload';

/** Files or folders dropped from the Explorer or the OS on a bucket or folder are uploaded into it. */
export async function dropInto(
  session: StorageSession,
  target: StorageItem | undefined,
  data: vscode.DataTransfer,
): Promise<void> {
  if (!target || (target.kind !== 'bucket' && target.kind !== 'folder'))
    throw new Error('Drop files on a bucket or folder in the Storage view.');
  // Before any dropped bytes are written to a temp file.
  requireTrust('Uploading to a bucket');
  const dropped = await droppedPaths(data);
  try {
    if (dropped.paths.length) await uploadInto(session, target, dropped.paths);
  } finally {
    dropped.cleanup();
  }
}
