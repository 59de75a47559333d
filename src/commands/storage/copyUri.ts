import * as vscode from 'vscode';
import type { Bucketish } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';

/** Sky: Copy URI: the store's URI of a bucket, folder or object, to the clipboard. */
export async function copyUri(session: StorageSession, item: Bucketish): Promise<string> {
  const store = await session.store(item.store);
  const uri = store.uri(
    item.bucket,
    item.kind === 'object' ? item.key : item.kind === 'folder' ? item.prefix : undefined,
  );
  await vscode.env.clipboard.writeText(uri);
  return uri;
}
