import type * as vscode from 'vscode';
import type { LogSink } from '../../engine/util/log';
import type { PromptUi } from '../../engine/util/prompt';
import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import { droppedPaths } from '../../ui/droppedFiles';
import { requireTrust } from '../register';
import { draggedItems, dropItems } from './dropCopy';
import { uploadInto } from './upload';

/**
 * A drop on the Storage view: folders and objects dragged inside the tree are copied or moved there
 * (dropCopy.ts); files or folders dropped from the Explorer or the OS on a bucket or folder are uploaded.
 */
export async function dropInto(
  session: StorageSession,
  target: StorageItem | undefined,
  data: vscode.DataTransfer,
  deps: { ui: PromptUi; log: LogSink },
): Promise<unknown> {
  const dragged = draggedItems(data);
  if (dragged) return dropItems(session, target, dragged, deps.ui, deps.log);
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
  return undefined;
}
