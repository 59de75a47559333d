import * as path from 'path';
import * as vscode from 'vscode';
import { recordsFile } from '../../engine/storage/records';
import type { LogSink } from '../../engine/util/log';
import type { PromptUi } from '../../engine/util/prompt';
import { registerCommand, requireTrust, runWithErrorHandling } from '../../commands/register';
import {
  copyUri,
  createBucket,
  deleteItems,
  downloadItems,
  selection,
  uploadInto,
} from '../../commands/storage/storageCommands';
import { deleteSkyPilotItems, skyPilotSelection } from '../../commands/storage/skypilotDelete';
import { itemId, StorageItem, StorageTreeProvider } from './storageTree';
import { pickDownloadFolder } from '../../ui/downloadFolderPicker';
import { ObjectPreviewProvider, openObject, PREVIEW_SCHEME } from './objectPreview';
import { storageBucketNames } from './bucketNames';
import { droppedPaths } from './droppedFiles';
import type { BucketNameProvider } from '../../schema/completion';

export interface StorageApi {
  tree: StorageTreeProvider;
  /** The view's drag-and-drop controller (tests drop through it as VS Code does). */
  dnd: vscode.TreeDragAndDropController<StorageItem>;
  /** Bucket names for task.yaml completion, from the stores this view knows. */
  bucketNames: BucketNameProvider;
  /** Destination and source pickers (tests replace them). */
  pickFolder: () => Promise<vscode.Uri | undefined>;
  pickUploads: (folders: boolean) => Promise<vscode.Uri[] | undefined>;
}

export function activateStorage(
  context: vscode.ExtensionContext,
  deps: { log: LogSink; ui: () => PromptUi },
): StorageApi {
  const tree = new StorageTreeProvider();
  // Drag files or folders from the Explorer or the OS onto a bucket or folder to upload them. Through
  // the command wrapper: a failed upload or an untrusted workspace is logged and shown like a command's.
  const dnd: vscode.TreeDragAndDropController<StorageItem> = {
    dropMimeTypes: ['text/uri-list', 'files'],
    dragMimeTypes: [],
    async handleDrop(target, data) {
      await runWithErrorHandling('sky.storage.drop', async () => {
        if (!target || (target.kind !== 'bucket' && target.kind !== 'folder'))
          throw new Error('Drop files on a bucket or folder in the Storage view.');
        // Before any dropped bytes are written to a temp file.
        requireTrust('Uploading to a bucket');
        const dropped = await droppedPaths(data);
        try {
          if (dropped.paths.length) await uploadInto(tree, target, dropped.paths);
        } finally {
          dropped.cleanup();
        }
      });
    },
  };
  const api: StorageApi = {
    tree,
    dnd,
    bucketNames: storageBucketNames(tree, deps.log),
    pickFolder: pickDownloadFolder,
    pickUploads: (folders) =>
      Promise.resolve(
        vscode.window.showOpenDialog({
          canSelectFolders: folders,
          canSelectFiles: !folders,
          canSelectMany: true,
          openLabel: 'Upload',
        }),
      ),
  };
  const view = vscode.window.createTreeView('sky.storage', {
    treeDataProvider: tree,
    canSelectMany: true,
    showCollapseAll: true,
    dragAndDropController: dnd,
  });
  context.subscriptions.push(view);
  // Launch (here or from the CLI) records the buckets it creates: show them as they appear.
  const records = recordsFile();
  const watcher = vscode.workspace.createFileSystemWatcher(
    new vscode.RelativePattern(vscode.Uri.file(path.dirname(records)), path.basename(records)),
  );
  const onRecords = () => tree.refreshRecords();
  context.subscriptions.push(
    watcher,
    watcher.onDidChange(onRecords),
    watcher.onDidCreate(onRecords),
    watcher.onDidDelete(onRecords),
    // Stores opened before a proxy or config-file change would keep the old route or settings.
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (
        ['http.proxy', 'http.noProxy', 'http.proxySupport', 'sky.configFile'].some((s) =>
          e.affectsConfiguration(s),
        )
      )
        tree.refresh();
    }),
  );
  void vscode.commands.executeCommand('setContext', 'sky.storage.configured', tree.hasStores());
  const ui = () => deps.ui();
  type Item = StorageItem;
  registerCommand(context, 'sky.refreshStorage', (item?: Item) => tree.refresh(item));
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, new ObjectPreviewProvider(tree)),
  );
  registerCommand(context, 'sky.storage.open', async (item: Item) => {
    if (item?.kind !== 'object') throw new Error('Select an object to open.');
    await openObject(item);
  });
  registerCommand(context, 'sky.storage.retry', (error: Extract<Item, { kind: 'error' }>) => {
    if (error?.kind !== 'error') throw new Error('Retry works on an error in the Storage view.');
    tree.retry(error);
  });
  registerCommand(context, 'sky.storage.loadMore', (more: Extract<Item, { kind: 'more' }>) =>
    tree.loadMore(more),
  );
  registerCommand(context, 'sky.storage.download', (clicked?: Item, selected?: Item[]) =>
    downloadItems(tree, selection(clicked, selected), ui(), () => api.pickFolder()),
  );
  registerCommand(context, 'sky.storage.delete', (clicked?: Item, selected?: Item[]) => {
    const sky = skyPilotSelection(clicked, selected);
    return sky.length
      ? deleteSkyPilotItems(tree, sky, ui())
      : deleteItems(tree, selection(clicked, selected), ui());
  });
  registerCommand(context, 'sky.storage.copyUri', async (item: Item) => {
    const [it] = selection(item, undefined);
    if (!it) throw new Error('Select a bucket, folder or object.');
    const uri = await copyUri(tree, it);
    void vscode.window.setStatusBarMessage(`Copied ${uri}`, 3000);
    return uri;
  });
  registerCommand(context, 'sky.storage.filter', async (item: Extract<Item, { kind: 'bucket' }>) => {
    const value = await ui().input(`Prefix filter for ${item.bucket} (server-side)`, {
      value: tree.filters.get(itemId(item)) ?? '',
    });
    if (value === undefined) return;
    if (value) tree.filters.set(itemId(item), value);
    else tree.filters.delete(itemId(item));
    tree.refresh(item);
  });
  registerCommand(context, 'sky.storage.clearFilter', (item: Extract<Item, { kind: 'bucket' }>) => {
    tree.filters.delete(itemId(item));
    tree.refresh(item);
  });
  const upload = (folders: boolean) => async (item: Extract<Item, { kind: 'bucket' | 'folder' }>) => {
    if (!item || (item.kind !== 'bucket' && item.kind !== 'folder'))
      throw new Error('Pick a bucket or folder in the Storage view.');
    const picked = await api.pickUploads(folders);
    return picked?.length
      ? uploadInto(
          tree,
          item,
          picked.map((u) => u.fsPath),
        )
      : 0;
  };
  registerCommand(context, 'sky.storage.uploadFiles', upload(false));
  registerCommand(context, 'sky.storage.uploadFolder', upload(true));
  registerCommand(context, 'sky.storage.createBucket', (item: Extract<Item, { kind: 'store' }>) =>
    createBucket(tree, item, ui()),
  );
  return api;
}
