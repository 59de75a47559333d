import * as vscode from 'vscode';
import { loadConfig, SkyConfig } from '../../engine/config/config';
import { configFileFromSettings } from '../configFile';
import { editorProxy } from '../editorProxy';
import {
  configuredStores,
  openStore,
  readRecords,
  type BucketInfo,
  type Store,
  type StoreKind,
} from '../../engine/storage';
import { storeDescriptor, storeSources, type StoreSource } from '../../engine/storage/stores/registry';
import { errorMessage } from '../../engine/util/errors';
import { readSkyPilotState, type SkyPilotState, type SkyPilotStorage } from '../../engine/skypilot/state';
import { formatBytes } from '../../engine/util/progress';

/** `underManaged`: shown under the Managed root (the same bucket also appears under its store). */
type Placement = { underManaged?: true };
export type StorageItem =
  | { kind: 'managed' }
  | { kind: 'store'; store: StoreKind }
  | ({ kind: 'bucket'; store: StoreKind; bucket: string; managed: boolean; status?: string } & Placement)
  | ({ kind: 'folder'; store: StoreKind; bucket: string; prefix: string } & Placement)
  | ({
      kind: 'object';
      store: StoreKind;
      bucket: string;
      key: string;
      size: number;
      lastModified?: Date;
    } & Placement)
  /** A bucket SkyPilot created (`sky storage ls`), listed under Managed; deleted through SkyPilot. */
  | { kind: 'skyStorage'; record: SkyPilotStorage }
  | { kind: 'more'; parent: StorageItem; id: string }
  | { kind: 'message'; id: string; text: string }
  /** A listing that failed; Retry lists `parent` again (the whole tree when there is none). */
  | { kind: 'error'; id: string; message: string; parent?: StorageItem };

type Listing = { children: StorageItem[]; nextPageToken?: string; loading?: Promise<void>; error?: unknown };
/** A store's buckets, read once and shown a page at a time (ListBuckets has no paging on most stores). */
type BucketListing = { all: BucketInfo[]; shown: number; loading?: Promise<void>; error?: unknown };

function relTime(d?: Date): string {
  if (!d) return '';
  const s = (Date.now() - d.getTime()) / 1000;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function itemId(e: StorageItem): string {
  // Tree ids must be unique across the whole tree: a managed bucket is listed twice.
  if ('underManaged' in e && e.underManaged) return `managed/${itemId({ ...e, underManaged: undefined })}`;
  switch (e.kind) {
    case 'managed':
      return 'managed';
    case 'store':
      return `store:${e.store}`;
    case 'bucket':
      return `bucket:${e.store}:${e.bucket}`;
    case 'folder':
      return `folder:${e.store}:${e.bucket}:${e.prefix}`;
    case 'object':
      return `object:${e.store}:${e.bucket}:${e.key}`;
    case 'skyStorage':
      return `skypilot:${e.record.name}`;
    default:
      return e.id;
  }
}

/**
 * Managed buckets and one node per configured store → buckets → folders → objects. One page per
 * expansion with "Load more…", single-flight loading, an error child instead of a thrown error, and
 * a server-side prefix filter per bucket.
 */
export class StorageTreeProvider implements vscode.TreeDataProvider<StorageItem> {
  private readonly changed = new vscode.EventEmitter<StorageItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listings = new Map<string, Listing>();
  private readonly bucketListings = new Map<StoreKind, BucketListing>();
  private readonly stores = new Map<StoreKind, Promise<Store>>();
  readonly filters = new Map<string, string>();
  private config: SkyConfig | undefined;
  private skyState: Promise<SkyPilotState | undefined> | undefined;

  /** SkyPilot's records, read once per refresh (its Python takes seconds to start). */
  skyPilotState(): Promise<SkyPilotState | undefined> {
    this.skyState ??= readSkyPilotState(this.getConfig());
    this.skyState.catch(() => (this.skyState = undefined));
    return this.skyState;
  }

  getConfig(): SkyConfig {
    this.config ??= {
      ...loadConfig(configFileFromSettings()),
      proxy: editorProxy(),
    };
    return this.config;
  }

  store(kind: StoreKind): Promise<Store> {
    let s = this.stores.get(kind);
    if (!s) {
      s = openStore(kind, this.getConfig());
      s.catch(() => this.stores.delete(kind));
      this.stores.set(kind, s);
    }
    return s;
  }

  pageSize(): number {
    return vscode.workspace.getConfiguration('sky').get<number>('storage.pageSize') ?? 100;
  }

  refresh(item?: StorageItem): void {
    if (!item) {
      this.listings.clear();
      this.bucketListings.clear();
      this.stores.clear();
      this.config = undefined;
      this.skyState = undefined;
    } else if (item.kind === 'store') {
      this.bucketListings.delete(item.store);
    } else if (item.kind === 'bucket' || item.kind === 'folder') {
      // Drop this listing and every listing below it in the same bucket.
      const scope = `${item.store}:${item.bucket}:${item.kind === 'folder' ? item.prefix : ''}`;
      // Under both placements (Managed and the store): the bucket's contents are the same.
      for (const k of [...this.listings.keys()]) {
        const bare = k.replace(/^managed\//, '');
        if (
          bare === `bucket:${item.store}:${item.bucket}`
            ? item.kind === 'bucket'
            : bare.startsWith(`folder:${scope}`)
        )
          this.listings.delete(k);
      }
    }
    this.fireChanged(item);
  }

  /**
   * The records changed (a launch or the CLI created or deleted a bucket): the bucket lists are read
   * again; the object listings the user has paged through stay.
   */
  refreshRecords(): void {
    this.bucketListings.clear();
    this.skyState = undefined;
    this.fireChanged(undefined);
  }

  private fireChanged(item: StorageItem | undefined): void {
    void vscode.commands.executeCommand('setContext', 'sky.storage.configured', this.hasStores());
    this.changed.fire(item);
  }

  private sources(): StoreSource[] {
    try {
      return storeSources(this.getConfig());
    } catch {
      return [];
    }
  }

  hasStores(): boolean {
    try {
      return configuredStores(this.getConfig()).length > 0;
    } catch {
      return true; // show the error node rather than the welcome text
    }
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
        const src = this.sources().find((s) => s.kind === e.store);
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
        const filter = this.filters.get(itemId(e));
        t.description = [
          e.managed ? `${storeDescriptor(e.store).skyName} · ${e.status ?? ''}` : '',
          filter ? `prefix: ${filter}` : '',
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

  async getChildren(e?: StorageItem): Promise<StorageItem[]> {
    try {
      if (!e) {
        const stores = configuredStores(this.getConfig());
        // Nothing configured and nothing recorded: an empty root lets the welcome content show.
        if (!stores.length && !readRecords().length) return [];
        return [{ kind: 'managed' }, ...stores.map((store) => ({ kind: 'store' as const, store }))];
      }
      if (e.kind === 'managed') {
        const recs = readRecords();
        const out: StorageItem[] = recs.map((r) => ({
          kind: 'bucket',
          store: r.store,
          bucket: r.name,
          managed: true,
          status: r.status,
          underManaged: true,
        }));
        try {
          const sky = await this.skyPilotState();
          for (const record of sky?.storage ?? []) out.push({ kind: 'skyStorage', record });
        } catch (err) {
          out.push(errorItem(e, err));
        }
        if (!out.length)
          return [{ kind: 'message', id: 'managed:empty', text: 'No buckets created by sky-vscode yet' }];
        return out;
      }
      if (e.kind === 'store') {
        let listing = this.bucketListings.get(e.store);
        if (!listing) {
          listing = { all: [], shown: 0 };
          this.bucketListings.set(e.store, listing);
          await this.loadBuckets(e.store, listing);
        } else if (listing.loading) await listing.loading;
        if (listing.error !== undefined) return [errorItem(e, listing.error)];
        const managed = readRecords();
        const out: StorageItem[] = listing.all.slice(0, listing.shown).map((b) => ({
          kind: 'bucket',
          store: e.store,
          bucket: b.name,
          managed: managed.some((r) => r.name === b.name && r.store === e.store),
        }));
        if (listing.shown < listing.all.length)
          out.push({ kind: 'more', parent: e, id: `${itemId(e)}:more` });
        if (!out.length) out.push({ kind: 'message', id: `${itemId(e)}:empty`, text: '[empty]' });
        return out;
      }
      if (e.kind === 'bucket' || e.kind === 'folder') {
        const id = itemId(e);
        let listing = this.listings.get(id);
        if (!listing) {
          listing = { children: [] };
          this.listings.set(id, listing);
          await this.loadPage(e, listing);
        } else if (listing.loading) await listing.loading;
        const out = [...listing.children];
        // A failed page stays an error node (never "[empty]") until Retry lists it again.
        if (listing.error !== undefined) out.push(errorItem(e, listing.error));
        else if (listing.nextPageToken) out.push({ kind: 'more', parent: e, id: `${id}:more` });
        if (!out.length) out.push({ kind: 'message', id: `${id}:empty`, text: '[empty]' });
        return out;
      }
      return [];
    } catch (err) {
      return [errorItem(e, err)];
    }
  }

  /** Reads the store's buckets into the listing (single flight); a failure is kept for the error node. */
  private loadBuckets(kind: StoreKind, listing: BucketListing): Promise<void> {
    listing.loading ??= (async () => {
      try {
        listing.all = await (await this.store(kind)).listBuckets();
        listing.shown = this.pageSize();
      } catch (err) {
        listing.error = err;
      }
    })().finally(() => (listing.loading = undefined));
    return listing.loading;
  }

  /** Lists the error node's parent again (after the user fixed the cause). */
  retry(error: Extract<StorageItem, { kind: 'error' }>): void {
    const parent = error.parent;
    if (!parent || parent.kind === 'managed') return this.refresh();
    if (parent.kind === 'store') {
      // The store may have failed to open (credentials, endpoint): open it again from a fresh config.
      this.stores.delete(parent.store);
      this.config = undefined;
    }
    this.refresh(parent);
  }

  /** Loads the next page into the listing; concurrent calls share one request (single flight). */
  loadPage(
    e: Extract<StorageItem, { kind: 'bucket' | 'folder' }>,
    listing: Listing = this.listings.get(itemId(e))!,
  ): Promise<void> {
    if (listing.loading) return listing.loading;
    const base = e.kind === 'folder' ? e.prefix : '';
    const filter = e.kind === 'bucket' ? (this.filters.get(itemId(e)) ?? '') : '';
    const placement: Placement = e.underManaged ? { underManaged: true } : {};
    listing.loading = (async () => {
      const store = await this.store(e.store);
      const page = await store.listObjects({
        bucket: e.bucket,
        prefix: base + filter,
        delimiter: '/',
        pageSize: this.pageSize(),
        pageToken: listing.nextPageToken,
      });
      listing.children.push(
        ...page.prefixes.map((prefix) => ({
          kind: 'folder' as const,
          store: e.store,
          bucket: e.bucket,
          prefix,
          ...placement,
        })),
        ...page.objects
          .filter((o) => o.key !== base)
          .map((o) => ({
            kind: 'object' as const,
            store: e.store,
            bucket: e.bucket,
            key: o.key,
            size: o.size,
            lastModified: o.lastModified,
            ...placement,
          })),
      );
      listing.nextPageToken = page.nextPageToken;
    })()
      .then(
        () => void (listing.error = undefined),
        (err: unknown) => void (listing.error = err),
      )
      .finally(() => (listing.loading = undefined));
    return listing.loading;
  }

  async loadMore(more: Extract<StorageItem, { kind: 'more' }>): Promise<void> {
    const parent = more.parent;
    if (parent.kind === 'store') {
      const listing = this.bucketListings.get(parent.store);
      if (!listing) return;
      listing.shown += this.pageSize();
    } else if (parent.kind === 'bucket' || parent.kind === 'folder') {
      const listing = this.listings.get(itemId(parent));
      if (!listing) return;
      await this.loadPage(parent, listing);
    }
    this.changed.fire(parent);
  }
}

function errorItem(parent: StorageItem | undefined, err: unknown): Extract<StorageItem, { kind: 'error' }> {
  return {
    kind: 'error',
    id: `${parent ? itemId(parent) : 'root'}:error`,
    message: errorMessage(err),
    parent,
  };
}
