// "Create folder" and `storage mkdir`: stores have no folders of their own, so a folder is a marker,
// a zero-byte object whose key ends in '/' (what the S3, GCS, Azure and OCI consoles make). Every
// listing here shows such a key as a folder of its parent (a common prefix under '/') and hides it
// inside the folder itself, so an empty folder stays visible until something is put in it.
import { Readable } from 'stream';
import type { SkyConfig } from '../config/config';
import { SkyError, UsageError } from '../util/errors';
import { openUri } from './openUri';
import type { Store } from './store';
import { storeDescriptor, type StoreKind } from './stores/registry';

/** Object names are at most 1024 bytes (S3, GCS, OCI) or 1024 characters (Azure). */
const MAX_KEY = 1024;

/**
 * Why `key` (a folder's whole key under its bucket, with or without the trailing '/') cannot name a
 * folder on this store, or undefined when it can. `name` is what the person typed, for the message.
 */
export function folderKeyProblem(kind: StoreKind, key: string, name = key): string | undefined {
  const bare = key.replace(/\/$/, '');
  if (!name.trim() || !bare) return 'Enter a folder name.';
  if (name.startsWith('/')) return 'A folder name does not start with /.';
  if (name !== name.trim()) return 'A folder name does not start or end with spaces.';
  const segments = bare.split('/');
  if (segments.some((s) => s === '')) return 'A folder name has no empty part (no //).';
  if (segments.some((s) => s === '.' || s === '..')) return 'A folder name has no . or .. part.';
  if (name.includes('\\')) return 'Use / (not \\) to nest folders.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'A folder name has no control characters.';
  const api = storeDescriptor(kind).api;
  // Azure drops a trailing dot of a path segment from the blob's URL: the marker would name another folder.
  if (api === 'azure' && segments.some((s) => s.endsWith('.')))
    return 'On Azure, a folder name part cannot end with a dot.';
  const length = api === 'azure' ? `${bare}/`.length : Buffer.byteLength(`${bare}/`);
  if (length > MAX_KEY)
    return `The folder's key would be ${length} ${api === 'azure' ? 'characters' : 'bytes'}; ${storeDescriptor(kind).label} allows ${MAX_KEY}.`;
  return undefined;
}

export interface CreatedFolder {
  /** The marker's key (ends in '/'). */
  key: string;
  uri: string;
}

/** True when the folder's marker exists or any object is stored under it. */
export async function folderExists(store: Store, bucket: string, key: string): Promise<boolean> {
  if (await store.stat(bucket, key)) return true;
  const page = await store.listObjects({ bucket, prefix: key, pageSize: 1 });
  return page.objects.length > 0 || page.prefixes.length > 0;
}

/** Makes the folder `key` in `bucket` (its marker); refuses a folder that exists already. */
export async function createFolder(store: Store, bucket: string, key: string): Promise<CreatedFolder> {
  const problem = folderKeyProblem(store.kind, key);
  if (problem) throw new UsageError(`${store.uri(bucket, key)}: ${problem}`);
  const marker = key.endsWith('/') ? key : `${key}/`;
  const uri = store.uri(bucket, marker);
  if (await folderExists(store, bucket, marker))
    throw new SkyError('folder-exists', `The folder ${uri} exists already.`, {
      hint: 'Pick another name, or open the existing folder.',
    });
  // An empty stream: a zero-length chunk makes the OCI SDK's upload fail ("fetch failed").
  await store.putStream(bucket, marker, Readable.from([]), 0);
  return { key: marker, uri };
}

/** `storage mkdir URI`: the folder a URI names (s3://b/a/b, gs://…, https://acct.blob.core.windows.net/c/a). */
export async function createFolderUri(config: SkyConfig, uri: string): Promise<CreatedFolder> {
  const t = await openUri(config, uri);
  if (!t.bucket || !t.key)
    throw new UsageError(
      `${uri} names no folder inside a bucket.`,
      'Add the folder path: s3://BUCKET/FOLDER/.',
    );
  return createFolder(t.store, t.bucket, t.key);
}
