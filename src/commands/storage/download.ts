import * as path from 'path';
import * as vscode from 'vscode';
import { downloadToFolder } from '../../engine/storage';
import type { OverwriteAnswer, PromptUi } from '../../engine/util/prompt';
import type { Bucketish } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import { withNotification } from './notification';
import { itemLabel } from './selection';

/** Sky: Download… on buckets, folders and objects: into a picked folder, asking before overwriting. */
export async function downloadItems(
  session: StorageSession,
  items: Bucketish[],
  ui: PromptUi,
  pickFolder: () => Promise<vscode.Uri | undefined>,
): Promise<number> {
  if (!items.length) throw new Error('Select objects, folders or buckets in the Storage view.');
  const dest = await pickFolder();
  if (!dest) return 0;
  // One "Yes/No to all" answers for the whole selection, not only for the item it was given in.
  ui = stickyOverwrite(ui);
  return withNotification(
    `Sky: Downloading ${items.length === 1 ? itemLabel(items[0]) : `${items.length} items`}`,
    async (sink, token) => {
      let files = 0;
      for (const it of items) {
        const store = await session.store(it.store);
        const key = it.kind === 'object' ? it.key : it.kind === 'folder' ? it.prefix : '';
        const target = it.kind === 'bucket' ? path.join(dest.fsPath, it.bucket) : dest.fsPath;
        const r = await downloadToFolder(store, it.bucket, key, target, { token, progress: sink, ui });
        files += r.files;
      }
      void vscode.window.showInformationMessage(`Downloaded ${files} file(s) to ${dest.fsPath}`);
      return files;
    },
  );
}

/** A PromptUi whose overwrite question, once answered "to all", is not asked again. */
export function stickyOverwrite(ui: PromptUi): PromptUi {
  let toAll: OverwriteAnswer | undefined;
  return {
    confirm: (...a) => ui.confirm(...a),
    confirmByTyping: (...a) => ui.confirmByTyping(...a),
    pick: (...a) => ui.pick(...a),
    input: (...a) => ui.input(...a),
    async overwrite(target) {
      if (toAll) return toAll;
      const a = await ui.overwrite(target);
      if (a === 'yesToAll' || a === 'noToAll') toAll = a;
      return a;
    },
  };
}
