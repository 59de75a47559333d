// Objects in the editor, buckets in the Explorer: a FileSystemProvider for `sky-bucket://KIND/BUCKET/KEY`
// (the read-only preview keeps `sky-storage:`; one scheme for every store: the store kind is the authority, so one provider serves them all and a
// URI names the store unambiguously). Saving uploads only if the object is unchanged since it was read
// (its ETag / generation); otherwise the user is asked: compare, overwrite, or cancel.
import { Readable } from 'stream';
import * as vscode from 'vscode';
import type { Store, StoreKind } from '../engine/storage';
import { createFolder } from '../engine/storage/createFolder';
import type { ObjectStat } from '../engine/storage/objectOps';
import { isStoreKind } from '../engine/storage/stores/registry';
import { SkyError } from '../engine/util/errors';
import { formatBytes } from '../engine/util/progress';
import type { PromptUi } from '../engine/util/prompt';
import type { StorageSession } from '../services/storageSession';

export const FS_SCHEME = 'sky-bucket';
/** Objects larger than this are not opened in the editor (they would be read whole into memory). */
export const MAX_EDITOR_BYTES = 50 * 1024 * 1024;

export function fsUri(kind: StoreKind, bucket: string, key = ''): vscode.Uri {
  return vscode.Uri.from({ scheme: FS_SCHEME, authority: kind, path: `/${bucket}${key ? `/${key}` : ''}` });
}

/** What pins an object's version: its ETag and (GCS) generation. */
const versionOf = (s?: ObjectStat) => `${s?.etag ?? ''}|${s?.generation ?? ''}`;

interface Where {
  store: Store;
  bucket: string;
  key: string;
}

export class StorageFileSystem implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  /** The ETag (and generation) of each object as last read or written here, and its time then. */
  private readonly versions = new Map<string, { version: string; mtime: number }>();
  /** What the bucket held at a conflict, for the diff. */
  readonly snapshots = new Map<string, Uint8Array>();

  constructor(
    private readonly tree: StorageSession,
    private readonly ui: () => PromptUi,
  ) {}

  private async where(uri: vscode.Uri): Promise<Where> {
    if (!isStoreKind(uri.authority)) throw vscode.FileSystemError.FileNotFound(uri);
    const [bucket, ...rest] = uri.path.replace(/^\/+/, '').split('/');
    if (!bucket) throw vscode.FileSystemError.FileNotFound(uri);
    return { store: await this.tree.store(uri.authority), bucket, key: rest.join('/') };
  }

  watch(): vscode.Disposable {
    return { dispose() {} };
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const w = await this.where(uri);
    const dir: vscode.FileStat = { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    if (!w.key) return dir;
    const s = await w.store.stat(w.bucket, w.key);
    if (s) {
      // An object read here keeps the time it had then: whether it changed since is decided at save
      // by its ETag / generation (writeFile), not by VS Code's own check of a newer mtime, which
      // would pre-empt that prompt with its own (and then ask twice).
      const mtime = this.versions.get(uri.toString())?.mtime ?? s.lastModified?.getTime() ?? 0;
      return { type: vscode.FileType.File, ctime: mtime, mtime, size: s.size };
    }
    const page = await w.store.listObjects({ bucket: w.bucket, prefix: `${w.key}/`, pageSize: 1 });
    if (page.objects.length) return dir;
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const w = await this.where(uri);
    const prefix = w.key ? `${w.key}/` : '';
    const out: [string, vscode.FileType][] = [];
    let pageToken: string | undefined;
    do {
      const page = await w.store.listObjects({
        bucket: w.bucket,
        prefix,
        delimiter: '/',
        pageToken,
        pageSize: 1000,
      });
      for (const p of page.prefixes) out.push([p.slice(prefix.length, -1), vscode.FileType.Directory]);
      for (const o of page.objects)
        if (o.key !== prefix) out.push([o.key.slice(prefix.length), vscode.FileType.File]);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const w = await this.where(uri);
    const s = await w.store.stat(w.bucket, w.key);
    if (!s) throw vscode.FileSystemError.FileNotFound(uri);
    if (s.size > MAX_EDITOR_BYTES)
      throw vscode.FileSystemError.Unavailable(
        `${w.store.uri(w.bucket, w.key)} is ${formatBytes(s.size)}: too large to open in the editor (at most ${formatBytes(MAX_EDITOR_BYTES)}). Download it instead.`,
      );
    const parts: Buffer[] = [];
    for await (const c of await w.store.openRead(w.bucket, w.key)) parts.push(c as Buffer);
    this.versions.set(uri.toString(), {
      version: versionOf(s),
      mtime: s.lastModified?.getTime() ?? 0,
    });
    return Buffer.concat(parts);
  }

  async writeFile(
    uri: vscode.Uri,
    content: Uint8Array,
    opts: { create: boolean; overwrite: boolean },
  ): Promise<void> {
    const w = await this.where(uri);
    const now = await w.store.stat(w.bucket, w.key);
    if (!now && !opts.create) throw vscode.FileSystemError.FileNotFound(uri);
    if (now && !opts.overwrite) throw vscode.FileSystemError.FileExists(uri);
    const read = this.versions.get(uri.toString());
    // What is in the bucket must be what this editor read (or nothing, for a new object): checked
    // here, and again by the store itself as the upload's precondition (GCS generation, Azure
    // ETag), which also catches a write landing between this check and the upload.
    if (now && read && versionOf(now) !== read.version) await this.resolveConflict(uri, w);
    const put = (ifVersion?: { etag?: string; generation?: string }) =>
      w.store.putStream(w.bucket, w.key, Readable.from([Buffer.from(content)]), content.length, {
        ifVersion,
      });
    try {
      await put(now && read ? { etag: now.etag, generation: now.generation } : undefined);
    } catch (err) {
      if (!(err instanceof SkyError && err.code === 'object-changed')) throw err;
      await this.resolveConflict(uri, w);
      await put();
    }
    const after = await w.store.stat(w.bucket, w.key);
    this.versions.set(uri.toString(), {
      version: versionOf(after),
      mtime: after?.lastModified?.getTime() ?? 0,
    });
    this.emitter.fire([{ type: now ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created, uri }]);
  }

  /** The object changed since it was read: Compare (not saved), Overwrite (returns), or Cancel. */
  private async resolveConflict(uri: vscode.Uri, w: Where): Promise<void> {
    const name = w.store.uri(w.bucket, w.key);
    const answer = await this.ui().pick(`${name} changed in the bucket since you opened it`, [
      {
        label: 'Compare',
        value: 'compare' as const,
        description: 'show the bucket’s version beside yours; nothing is saved',
      },
      {
        label: 'Overwrite',
        value: 'overwrite' as const,
        description: 'replace the bucket’s version with yours',
      },
      { label: 'Cancel', value: 'cancel' as const },
    ]);
    if (answer === 'compare') {
      const parts: Buffer[] = [];
      for await (const c of await w.store.openRead(w.bucket, w.key)) parts.push(c as Buffer);
      this.snapshots.set(uri.toString(), Buffer.concat(parts));
      const remote = uri.with({ scheme: CONFLICT_SCHEME, query: uri.toString() });
      void vscode.commands.executeCommand('vscode.diff', remote, uri, `${name}: bucket ↔ yours`);
    }
    if (answer !== 'overwrite')
      throw vscode.FileSystemError.Unavailable(`${name} changed in the bucket; not saved.`);
  }

  async createDirectory(uri: vscode.Uri): Promise<void> {
    // A folder marker, as the consoles make them (stores have no folders of their own): the same
    // engine call as the view's Create Folder and `storage mkdir`.
    const w = await this.where(uri);
    try {
      await createFolder(w.store, w.bucket, w.key);
    } catch (err) {
      if (err instanceof SkyError && err.code === 'folder-exists')
        throw vscode.FileSystemError.FileExists(uri);
      throw err;
    }
  }

  async delete(uri: vscode.Uri, opts: { recursive: boolean }): Promise<void> {
    const w = await this.where(uri);
    if (await w.store.stat(w.bucket, w.key)) await w.store.deleteObjects(w.bucket, [w.key]);
    else {
      if (!opts.recursive) throw vscode.FileSystemError.NoPermissions('Delete a folder recursively.');
      const keys: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await w.store.listObjects({
          bucket: w.bucket,
          prefix: `${w.key}/`,
          pageToken,
          pageSize: 1000,
        });
        keys.push(...page.objects.map((o) => o.key));
        pageToken = page.nextPageToken;
      } while (pageToken);
      await w.store.deleteObjects(w.bucket, keys);
    }
    this.emitter.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
  }

  async rename(from: vscode.Uri, to: vscode.Uri, opts: { overwrite: boolean }): Promise<void> {
    const a = await this.where(from);
    const b = await this.where(to);
    const folder = !(await a.store.stat(a.bucket, a.key));
    const { copyUri } = await import('../engine/storage/copy');
    const slash = folder ? '/' : '';
    await copyUri(
      this.tree.getConfig(),
      a.store.uri(a.bucket, a.key + slash),
      b.store.uri(b.bucket, b.key + slash),
      {
        move: true,
        overwrite: opts.overwrite,
      },
    );
    this.emitter.fire([
      { type: vscode.FileChangeType.Deleted, uri: from },
      { type: vscode.FileChangeType.Created, uri: to },
    ]);
  }
}

/** The bucket's side of a conflict diff (read-only). */
export const CONFLICT_SCHEME = 'sky-storage-conflict';
export class ConflictDocs implements vscode.TextDocumentContentProvider {
  constructor(private readonly fs: StorageFileSystem) {}
  provideTextDocumentContent(uri: vscode.Uri): string {
    return Buffer.from(this.fs.snapshots.get(uri.query) ?? new Uint8Array()).toString('utf8');
  }
}
