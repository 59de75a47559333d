import * as path from 'path';
import * as vscode from 'vscode';
import { recordsFile } from '../../engine/storage/records';
import type { LogSink } from '../../engine/util/log';
import { runWithErrorHandling } from '../../commands/register';
import { dropInto } from '../../commands/storage/drop';
import { dragItems, ITEMS_MIME, TREE_MIME } from '../../commands/storage/dropCopy';
import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import { storageBucketNames } from '../../services/bucketNames';
import { pickDownloadFolder } from '../../ui/downloadFolderPicker';
import { ObjectPreviewProvider, PREVIEW_SCHEME } from '../../ui/objectPreview';
import { PROPERTIES_SCHEME, type PropertiesDocs } from '../../ui/propertiesDocs';
import { CONFLICT_SCHEME, ConflictDocs, FS_SCHEME, StorageFileSystem } from '../../ui/storageFs';
import type { PromptUi } from '../../engine/util/prompt';
import type { BucketNameProvider } from '../../schema/completion';
import { StorageTreeProvider } from './storageTree';

export interface StorageApi {
  /** What the view shows and its commands use: config, open stores, listings, change events. */
  session: StorageSession;
  tree: StorageTreeProvider;
  /** The view's drag-and-drop controller (tests drop through it as VS Code does). */
  dnd: vscode.TreeDragAndDropController<StorageItem>;
  /** Bucket names for task.yaml completion, from the stores this view knows. */
  bucketNames: BucketNameProvider;
  /** Destination and source pickers (tests replace them). */
  pickFolder: () => Promise<vscode.Uri | undefined>;
  pickUploads: (folders: boolean) => Promise<vscode.Uri[] | undefined>;
}

/** The Storage view: its tree over the Storage session, drag and drop, and what makes it list again. */
export function activateStorage(
  context: vscode.ExtensionContext,
  deps: { log: LogSink; session: StorageSession; ui: () => PromptUi; properties: PropertiesDocs },
): StorageApi {
  const session = deps.session;
  const tree = new StorageTreeProvider(session);
  // Drag folders and objects onto a bucket or folder to copy or move them; drag files or folders from
  // the Explorer or the OS to upload them. Through the command wrapper: a failed copy or upload or an
  // untrusted workspace is logged and shown like a command's.
  const dnd: vscode.TreeDragAndDropController<StorageItem> = {
    dropMimeTypes: [ITEMS_MIME, TREE_MIME, 'text/uri-list', 'files'],
    dragMimeTypes: [ITEMS_MIME],
    handleDrag: (source, data) => dragItems(source, data),
    async handleDrop(target, data) {
      await runWithErrorHandling('sky.storage.drop', () =>
        dropInto(session, target, data, { ui: deps.ui(), log: deps.log }),
      );
    },
  };
  const api: StorageApi = {
    session,
    tree,
    dnd,
    bucketNames: storageBucketNames(session, deps.log),
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
  context.subscriptions.push(session, view);
  // Launch (here or from the CLI) records the buckets it creates: show them as they appear.
  const records = recordsFile();
  const watcher = vscode.workspace.createFileSystemWatcher(
    new vscode.RelativePattern(vscode.Uri.file(path.dirname(records)), path.basename(records)),
  );
  const onRecords = () => session.refreshRecords();
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
        session.refresh();
    }),
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, new ObjectPreviewProvider(session)),
    vscode.workspace.registerTextDocumentContentProvider(PROPERTIES_SCHEME, deps.properties),
  );
  // Objects in the editor and buckets in the Explorer: one file system over every store.
  const fs = new StorageFileSystem(session, deps.ui);
  context.subscriptions.push(
    vscode.workspace.registerFileSystemProvider(FS_SCHEME, fs, { isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider(CONFLICT_SCHEME, new ConflictDocs(fs)),
  );
  void vscode.commands.executeCommand('setContext', 'sky.storage.configured', session.hasStores());
  return api;
}
