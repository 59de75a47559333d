import * as vscode from 'vscode';
import { storeDescriptor } from '../../engine/storage/stores/registry';
import { formatBytes } from '../../engine/util/progress';
import { itemId, type StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';

function relTime(d?: Date): string {
  if (!d) return '';
  const s = (Date.now() - d.getTime()) / 1000;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/**
 * Managed buckets and one node per configured store → buckets → folders → objects, as the Storage
 * session lists them; this file only says how each item looks.
 */
export class StorageTreeProvider implements vscode.TreeDataProvider<StorageItem> {
  readonly onDidChangeTreeData: vscode.Event<StorageItem | undefined>;
  constructor(private readonly session: StorageSession) {
    this.onDidChangeTreeData = session.onDidChange;
  }

  getTreeItem(e: StorageItem): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    let t: vscode.TreeItem;
    switch (e.kind) {
      case 'managed':
        t = new vscode.TreeItem('Managed', C.Expanded);
        t.iconPath = new vscode.ThemeIcon('star-full');
        t.tooltip = "Buckets sky-vscode created, and SkyPilot's own (sky storage ls)";
        break;
      case 'skyStorage': {
        const r = e.record;
        t = new vscode.TreeItem(r.name, C.None);
        t.description = ['SkyPilot', r.skyStores.join(', ') || 'no store', r.status].join(' · ');
        t.tooltip = `SkyPilot's bucket (sky storage ls): ${r.status}${r.launchedAt ? `\ncreated ${r.launchedAt}` : ''}${r.lastUse ? `\nlast used by: ${r.lastUse}` : ''}\nDeleting it goes through SkyPilot.`;
        t.iconPath = new vscode.ThemeIcon('database');
        t.contextValue = 'skypilotBucket';
        break;
      }
      case 'store': {
        t = new vscode.TreeItem(storeDescriptor(e.store).skyName, C.Collapsed);
        t.description = 'All buckets';
        // A store found through SkyPilot's credentials (no config section) says where they are.
        const src = this.session.sources().find((s) => s.kind === e.store);
        if (src?.origin === 'skypilot') {
          t.description = `All buckets · SkyPilot's credentials`;
          t.tooltip = `${storeDescriptor(e.store).label}: credentials found in ${src.from}${src.error ? `\n${src.error.message}` : ''}`;
        }
        t.iconPath = new vscode.ThemeIcon('cloud');
        t.contextValue = 'store';
        break;
      }
      case 'bucket': {
        t = new vscode.TreeItem(e.bucket, C.Collapsed);
        const filter = this.session.filters.get(itemId(e));
        t.description = [
          e.managed ? `${storeDescriptor(e.store).skyName} · ${e.status ?? ''}` : '',
          filter ? `prefix: ${filter}` : '',
          e.pinned ? storeDescriptor(e.store).label : '',
        ]
          .filter(Boolean)
          .join(' · ');
        t.iconPath = new vscode.ThemeIcon('database');
        t.contextValue = `bucket${e.managed ? ':managed' : ''}${filter ? ':filtered' : ''}`;
        break;
      }
      case 'folder':
        t = new vscode.TreeItem(e.prefix.split('/').filter(Boolean).pop() ?? e.prefix, C.Collapsed);
        t.iconPath = vscode.ThemeIcon.Folder;
        t.contextValue = 'folder';
        t.tooltip = e.prefix;
        if (e.pinned) t.description = `${storeDescriptor(e.store).label} · ${e.bucket}/${e.prefix}`;
        break;
      case 'object':
        t = new vscode.TreeItem(e.key.split('/').pop() ?? e.key, C.None);
        t.iconPath = vscode.ThemeIcon.File;
        t.description = `${formatBytes(e.size)}${e.lastModified ? ` · ${relTime(e.lastModified)}` : ''}`;
        t.tooltip = `${e.key}\n${formatBytes(e.size)}${e.lastModified ? `\n${e.lastModified.toISOString()}` : ''}`;
        t.contextValue = 'object';
        // A click opens a read-only preview (the command refuses objects too big to preview).
        t.command = { command: 'sky.storage.open', title: 'Open Preview', arguments: [e] };
        break;
      case 'more':
        t = new vscode.TreeItem('Load more…', C.None);
        t.iconPath = new vscode.ThemeIcon('refresh');
        t.contextValue = 'loadMore';
        t.command = { command: 'sky.storage.loadMore', title: 'Load more', arguments: [e] };
        break;
      case 'message':
        t = new vscode.TreeItem(e.text, C.None);
        t.iconPath = new vscode.ThemeIcon('info');
        t.tooltip = e.text;
        break;
      case 'error':
        t = new vscode.TreeItem(e.message.split('\n')[0], C.None);
        t.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        t.tooltip = `${e.message}\n\nClick to retry.`;
        t.contextValue = 'error';
        t.command = { command: 'sky.storage.retry', title: 'Retry', arguments: [e] };
        break;
    }
    t.id = itemId(e);
    return t;
  }

  getChildren(e?: StorageItem): Promise<StorageItem[]> {
    return this.session.children(e);
  }
}
