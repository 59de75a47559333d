import * as vscode from 'vscode';
import { loadConfig, SkyConfig } from '../engine/config/config';
import { configFileFromSettings } from './configFile';
import { editorProxy } from './editorProxy';
import {
  configuredStores,
  openStore,
  readRecords,
  type BucketInfo,
  type Store,
  type StoreKind,
} from '../engine/storage';
import { errorMessage } from '../engine/util/errors';
import { readSkyPilotState, type SkyPilotState } from '../engine/skypilot/state';
import { storeSources, type StoreSource } from '../engine/storage/stores/registry';
import { itemId, type Placement, type StorageItem } from './storageItems';

type Listing = { children: StorageItem[]; nextPageToken?: string; loading?: Promise<void>; error?: unknown };
/** A store's buckets, read once and shown a page at a time (ListBuckets has no paging on most stores). */
type BucketListing = { all: BucketInfo[]; shown: number; loading?: Promise<void>; error?: unknown };

/**
 * The Storage view's session, which its tree and its commands share: the config, the open stores, the
 * listings (one page per expansion with "Load more…", single-flight loading, an error child instead
 * of a thrown error, a server-side prefix filter per bucket) and the change events.
 */
export class StorageSession implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StorageItem | undefined>();
  /** Fires with the item whose children changed (undefined: everything). */
  readonly onDidChange = this.changed.event;
  private readonly listings = new Map<string, Listing>();
  private readonly bucketListings = new Map<StoreKind, BucketListing>();
  private readonly stores = new Map<StoreKind, Promise<Store>>();
  readonly filters = new Map<string, string>();
  /** Locations opened with Go to URI… (no bucket listing needed to reach them). */
  readonly pinned: Extract<StorageItem, { kind: 'bucket' | 'folder' }>[] = [];
  private config: SkyConfig | undefined;
  private skyState: Promise<SkyPilotState | undefined> | undefined;

  /** SkyPilot's records, read once per refresh (its Python takes seconds to start). */
  skyPilotState(): Promise<SkyPilotState | undefined> {
    this.skyState ??= readSkyPilotState(this.getConfig());
    this.skyState.catch(() => (this.skyState = undefined));
    return this.skyState;
  }

  /** Where each store's settings come from (a config section, or credentials SkyPilot uses). */
  sources(): StoreSource[] {
    try {
      return storeSources(this.getConfig());
    } catch {
      return [];
    }
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

  hasStores(): boolean {
    try {
      return configuredStores(this.getConfig()).length > 0;
    } catch {
      return true; // show the error node rather than the welcome text
    }
  }

  /** The children of an item (the roots without one), listed from the store on first use. */
  async children(e?: StorageItem): Promise<StorageItem[]> {
    try {
      if (!e) {
        const stores = configuredStores(this.getConfig());
        // Nothing configured and nothing recorded: an empty root lets the welcome content show.
        if (!stores.length && !readRecords().length && !this.pinned.length) return [];
        return [
          { kind: 'managed' },
          ...stores.map((store) => ({ kind: 'store' as const, store })),
          ...this.pinned,
        ];
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
    const placement: Placement = e.underManaged ? { underManaged: true } : e.pinned ? { pinned: true } : {};
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

  dispose(): void {
    this.changed.dispose();
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
