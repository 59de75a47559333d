// The Storage view's items: plain data that the view shows and its commands receive.
import type { StoreKind } from '../engine/storage';
import type { SkyPilotStorage } from '../engine/skypilot/state';

/** `underManaged`: shown under the Managed root (the same bucket also appears under its store). */
/** `pinned`: a location opened with Go to URI…, shown at the root. */
export type Placement = { underManaged?: true; pinned?: true };
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

/** What Download, Delete and Copy URI work on. */
export type Bucketish = Extract<StorageItem, { kind: 'bucket' | 'folder' | 'object' }>;

export function itemId(e: StorageItem): string {
  // Tree ids must be unique across the whole tree: a managed bucket is listed twice.
  if ('underManaged' in e && e.underManaged) return `managed/${itemId({ ...e, underManaged: undefined })}`;
  if ('pinned' in e && e.pinned) return `goto/${itemId({ ...e, pinned: undefined })}`;
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
