// One interface for every bucket store; each adapter sits on the provider's official SDK.
import type { CancellationToken } from '../util/cancellation';
import type { ObjectOps } from './objectOps';
import type { StoreKind } from './stores/registry';

export type { StoreKind };

export interface BucketInfo {
  name: string;
  created?: Date;
}

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified?: Date;
}

export interface ObjectPage {
  objects: ObjectInfo[];
  /** "Folders": common prefixes under the delimiter, each ending with it. */
  prefixes: string[];
  nextPageToken?: string;
}

export interface ListObjectsRequest {
  bucket: string;
  prefix?: string;
  /** '/' for a folder view; undefined lists everything under the prefix. */
  delimiter?: string;
  pageToken?: string;
  pageSize?: number;
}

export interface TransferOptions {
  token?: CancellationToken;
  onBytes?: (n: number) => void;
  /** The object's or file's size when the caller already knows it (from a listing or a walk). */
  size?: number;
}

export interface Store extends ObjectOps {
  readonly kind: StoreKind;
  /** The URI SkyPilot uses for this bucket/key (s3://b/k, https://acct.blob.core.windows.net/c/k, …). */
  uri(bucket: string, key?: string): string;
  listBuckets(): Promise<BucketInfo[]>;
  bucketExists(bucket: string): Promise<boolean>;
  createBucket(bucket: string): Promise<void>;
  /** Deletes an empty bucket (callers empty it first). */
  deleteEmptyBucket(bucket: string): Promise<void>;
  listObjects(req: ListObjectsRequest): Promise<ObjectPage>;
  putFile(bucket: string, key: string, file: string, opts?: TransferOptions): Promise<void>;
  /** Writes the object to `file` (callers pass a temp name and rename). */
  getToFile(bucket: string, key: string, file: string, opts?: TransferOptions): Promise<void>;
  deleteObjects(bucket: string, keys: string[]): Promise<void>;
}
