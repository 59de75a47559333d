// The per-object verbs every store adapter provides besides browsing and file transfers: what
// `storage stat|cp|mv|presign` and the Storage view's Properties, copy and share link stand on.
import type { Readable } from 'stream';
import type { CancellationToken } from '../util/cancellation';

export interface ObjectStat {
  key: string;
  size: number;
  lastModified?: Date;
  /** The store's entity tag (S3, Azure, OCI, GCS), quotes removed. */
  etag?: string;
  /** GCS generation, S3/OCI version id: what a precondition pins besides the ETag. */
  generation?: string;
  contentType?: string;
  /** User metadata (x-amz-meta-*, GCS metadata, Azure metadata, OCI opc-meta-*). */
  metadata: Record<string, string>;
  /** Object tags where the store has them (S3, Azure); undefined where it has none or they are unreadable. */
  tags?: Record<string, string>;
  /** The content's MD5 (hex) when the store states it, for verifying copies. */
  md5?: string;
}

export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface CopyOptions {
  token?: CancellationToken;
  /** Source size when known (picks a single or a multipart copy). */
  size?: number;
}

export interface PutStreamOptions {
  token?: CancellationToken;
  contentType?: string;
  metadata?: Record<string, string>;
  /**
   * Write only if the object is still this version (a precondition checked by the store: GCS's
   * generation, Azure's ETag); otherwise fail with SkyError code 'object-changed' and write nothing.
   * Stores without conditional writes here (S3, OCI) do not check it.
   */
  ifVersion?: { etag?: string; generation?: string };
}

export interface ShareLink {
  url: string;
  expires: Date;
  /** What the link lets its holder do, in plain words. */
  grants: string;
}

export interface ObjectOps {
  /** The object's properties, or undefined when there is no object under the key. */
  stat(bucket: string, key: string): Promise<ObjectStat | undefined>;
  /**
   * A copy inside this store done by the store itself (no data through this machine). The
   * destination appears whole or not at all.
   */
  copyWithin(src: ObjectRef, dst: ObjectRef, opts?: CopyOptions): Promise<void>;
  /** The object's content as a stream (for copies across stores and the editor). */
  openRead(bucket: string, key: string, opts?: { token?: CancellationToken }): Promise<Readable>;
  /** Writes a stream of known size as one object; it becomes visible only once complete. */
  putStream(
    bucket: string,
    key: string,
    body: Readable,
    size: number,
    opts?: PutStreamOptions,
  ): Promise<void>;
  /** A URL that lets anyone holding it read the object until `expires`. */
  presign(bucket: string, key: string, expiresInSeconds: number): Promise<ShareLink>;
}
