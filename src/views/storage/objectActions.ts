// Registers the Storage view's object actions (see commands/storage/objectCommands.ts): Properties
// open as a read-only Markdown document; Newest First fills a quick pick as the pages arrive.
import * as vscode from 'vscode';
import type { PromptUi } from '../../engine/util/prompt';
import { formatBytes } from '../../engine/util/progress';
import { registerCommand } from '../../commands/register';
import {
  addAsFileMount,
  copyOrMoveTo,
  goToUri,
  located,
  newestFirst,
  properties,
  rename,
} from '../../commands/storage/objectCommands';
import type { StorageItem, StorageTreeProvider } from './storageTree';
import { CONFLICT_SCHEME, ConflictDocs, FS_SCHEME, fsUri, StorageFileSystem } from './storageFs';

export const PROPERTIES_SCHEME = 'sky-storage-properties';

class PropertiesDocs implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private n = 0;
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.query) ?? '';
  }
  add(title: string, text: string): vscode.Uri {
    const id = String(++this.n);
    this.docs.set(id, text);
    return vscode.Uri.from({
      scheme: PROPERTIES_SCHEME,
      path: `/${title.replace(/[/\\:]+/g, '_')}.md`,
      query: id,
    });
  }
}

export function registerObjectActions(
  context: vscode.ExtensionContext,
  tree: StorageTreeProvider,
  ui: () => PromptUi,
): void {
  const docs = new PropertiesDocs();
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(PROPERTIES_SCHEME, docs));
  const showProperties = async (item: StorageItem) => {
    const r = await properties(tree, located(item, 'show its properties'));
    const doc = await vscode.workspace.openTextDocument(docs.add(r.uri, r.text));
    await vscode.window.showTextDocument(doc, { preview: true });
    return r;
  };
  registerCommand(context, 'sky.storage.properties', (item: StorageItem) => showProperties(item));
  registerCommand(context, 'sky.storage.newestFirst', async (item: StorageItem) => {
    const it = located(item, 'list its newest objects');
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { item: StorageItem }>();
    pick.placeholder = 'Newest first (pick one for its properties)';
    pick.matchOnDescription = true;
    pick.busy = true;
    pick.show();
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems[0];
      pick.hide();
      if (chosen) void vscode.commands.executeCommand('sky.storage.properties', chosen.item);
    });
    pick.onDidHide(() => pick.dispose());
    try {
      const r = await newestFirst(tree, it, (p) => {
        pick.title = `${p.scanned} objects listed, ${p.requests} list requests…`;
        pick.items = p.newest.map((o) => ({
          label: o.key,
          description: `${o.lastModified?.toISOString() ?? ''}  ${formatBytes(o.size)}`,
          item: {
            kind: 'object',
            store: it.store,
            bucket: it.bucket,
            key: o.key,
            size: o.size,
            lastModified: o.lastModified,
          },
        }));
      });
      pick.title = `Newest ${r.newest.length} of ${r.scanned} under ${r.uri} (${r.requests} list requests)`;
      return { uri: r.uri, keys: r.newest.map((o) => o.key), scanned: r.scanned, requests: r.requests };
    } catch (err) {
      pick.hide();
      throw err;
    } finally {
      pick.busy = false;
    }
  });
  registerCommand(context, 'sky.storage.copyTo', (item: StorageItem) =>
    copyOrMoveTo(tree, located(item, 'copy it'), ui(), false),
  );
  registerCommand(context, 'sky.storage.moveTo', (item: StorageItem) =>
    copyOrMoveTo(tree, located(item, 'move it'), ui(), true),
  );
  registerCommand(context, 'sky.storage.rename', (item: StorageItem) =>
    rename(tree, located(item, 'rename it'), ui()),
  );
  registerCommand(context, 'sky.storage.goToUri', () => goToUri(tree, ui()));
  const fs = new StorageFileSystem(tree, ui);
  context.subscriptions.push(
    vscode.workspace.registerFileSystemProvider(FS_SCHEME, fs, { isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider(CONFLICT_SCHEME, new ConflictDocs(fs)),
  );
  registerCommand(context, 'sky.storage.openInEditor', async (item: StorageItem) => {
    const it = located(item, 'open it');
    if (it.kind !== 'object') throw new Error('Open in Editor works on an object.');
    const doc = await vscode.workspace.openTextDocument(fsUri(it.store, it.bucket, it.key));
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc.uri.toString();
  });
  registerCommand(context, 'sky.storage.openInExplorer', (item: StorageItem) => {
    const it = located(item, 'open it in the Explorer');
    if (it.kind === 'object') throw new Error('Open in Explorer works on a bucket or folder.');
    const prefix = it.kind === 'folder' ? it.prefix.replace(/\/$/, '') : '';
    const uri = fsUri(it.store, it.bucket, prefix);
    const n = vscode.workspace.workspaceFolders?.length ?? 0;
    if (
      !vscode.workspace.updateWorkspaceFolders(n, 0, {
        uri,
        name: `${it.bucket}${prefix ? `/${prefix}` : ''}`,
      })
    )
      throw new Error(`Could not add ${uri.toString()} as a workspace folder.`);
    return uri.toString();
  });
  registerCommand(context, 'sky.storage.addFileMount', (item: StorageItem) =>
    addAsFileMount(tree, located(item, 'add it as a file mount'), ui()),
  );
}
