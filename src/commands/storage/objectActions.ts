// The Storage view's object actions that show something in the editor (see objectCommands.ts for
// the work): Properties as a read-only Markdown document, Newest First as a quick pick filled as the
// pages arrive, and an object or a prefix opened through the sky-bucket: file system.
import * as vscode from 'vscode';
import { formatBytes } from '../../engine/util/progress';
import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import type { PropertiesDocs } from '../../ui/propertiesDocs';
import { fsUri } from '../../ui/storageFs';
import { located, newestFirst, properties } from './objectCommands';

export async function showProperties(storage: StorageSession, docs: PropertiesDocs, item: StorageItem) {
  const r = await properties(storage, located(item, 'show its properties'));
  const doc = await vscode.workspace.openTextDocument(docs.add(r.uri, r.text));
  await vscode.window.showTextDocument(doc, { preview: true });
  return r;
}

export async function newestFirstPick(storage: StorageSession, item: StorageItem) {
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
    const r = await newestFirst(storage, it, (p) => {
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
}

export async function openInEditor(item: StorageItem): Promise<string> {
  const it = located(item, 'open it');
  if (it.kind !== 'object') throw new Error('Open in Editor works on an object.');
  const doc = await vscode.workspace.openTextDocument(fsUri(it.store, it.bucket, it.key));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc.uri.toString();
}

export function openInExplorer(item: StorageItem): string {
  const it = located(item, 'open it in the Explorer');
  if (it.kind === 'object') throw new Error('Open in Explorer works on a bucket or folder.');
  const prefix = it.kind === 'folder' ? it.prefix.replace(/\/$/, '') : '';
  const uri = fsUri(it.store, it.bucket, prefix);
  const n = vscode.workspace.workspaceFolders?.length ?? 0;
  if (
    !vscode.workspace.updateWorkspaceFolders(n, 0, { uri, name: `${it.bucket}${prefix ? `/${prefix}` : ''}` })
  )
    throw new Error(`Could not add ${uri.toString()} as a workspace folder.`);
  return uri.toString();
}
