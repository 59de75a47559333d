// Read-only preview of a bucket object: a TextDocumentContentProvider for `sky-storage:` URIs, so the
// editor shows the text without a local copy and nothing can be saved back to the bucket by accident.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { StoreKind } from '../engine/storage';
import type { StorageSession } from '../services/storageSession';

export const PREVIEW_SCHEME = 'sky-storage';
/** Bigger objects are downloaded instead (an editor is the wrong tool for them). */
export const PREVIEW_MAX_BYTES = 10 * 1024 * 1024;

/** sky-storage:/STORE/BUCKET/KEY — the key keeps its own slashes, so the tab shows its file name. */
export function previewUri(store: StoreKind, bucket: string, key: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${store}/${bucket}/${key}` });
}

function parse(uri: vscode.Uri): { store: StoreKind; bucket: string; key: string } {
  const [, store, bucket, ...rest] = uri.path.split('/');
  return { store: store as StoreKind, bucket, key: rest.join('/') };
}

export class ObjectPreviewProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly session: StorageSession) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const { store, bucket, key } = parse(uri);
    const s = await this.session.store(store);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-preview-'));
    try {
      const file = path.join(tmp, 'object');
      await s.getToFile(bucket, key, file, { token });
      const buf = fs.readFileSync(file);
      // NUL bytes in the first 8 KiB: binary, as git decides.
      if (buf.subarray(0, 8192).includes(0))
        throw new Error(`${key} looks binary (${buf.length} bytes); use Download… instead.`);
      return buf.toString('utf8');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
}

/** Opens an object read-only in an editor (preview tab), refusing objects that are too big. */
export async function openObject(item: { store: StoreKind; bucket: string; key: string; size: number }) {
  if (item.size > PREVIEW_MAX_BYTES)
    throw new Error(
      `${item.key} is ${(item.size / 1024 / 1024).toFixed(1)} MiB; previews stop at ${PREVIEW_MAX_BYTES / 1024 / 1024} MiB. Use Download… instead.`,
    );
  const doc = await vscode.workspace.openTextDocument(previewUri(item.store, item.bucket, item.key));
  return vscode.window.showTextDocument(doc, { preview: true });
}
