import * as path from 'path';
import * as vscode from 'vscode';
import { deleteBuckets, downloadToFolder, listAll, upsertRecord, uploadSources } from '../../engine/storage';
import { validateBucketName } from '../../engine/storage/names';
import { formatBytes, throttleProgress, type ProgressSink } from '../../engine/util/progress';
import type { PromptUi } from '../../engine/util/prompt';
import type { StorageItem, StorageTreeProvider } from '../../views/storage/storageTree';
import { requireTrust } from '../register';

type Bucketish = Extract<StorageItem, { kind: 'bucket' | 'folder' | 'object' }>;
const URI_STORE = { s3: 'S3', r2: 'R2', ibm: 'IBM', gcs: 'GCS', azure: 'AZURE', oci: 'OCI' } as const;

/** The clicked item plus the selection, as VS Code passes them to a multi-select command. */
export function selection(
  clicked: StorageItem | undefined,
  selected: StorageItem[] | undefined,
): Bucketish[] {
  const all =
    selected?.length && clicked && selected.some((s) => s === clicked) ? selected : clicked ? [clicked] : [];
  return all.filter((x): x is Bucketish => x.kind === 'bucket' || x.kind === 'folder' || x.kind === 'object');
}

function withNotification<T>(
  title: string,
  fn: (sink: ProgressSink, token: vscode.CancellationToken) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => {
      // ~4 updates a second: more often and VS Code stops showing the increments.
      const sink = throttleProgress(
        {
          report: (e) =>
            progress.report({
              message: [
                e.files && `${e.files.done}${e.files.total !== undefined ? `/${e.files.total}` : ''} files`,
                e.bytes && formatBytes(e.bytes.done),
              ]
                .filter(Boolean)
                .join(', '),
            }),
        },
        250,
      );
      return fn(sink, token);
    },
  );
}

export async function downloadItems(
  tree: StorageTreeProvider,
  items: Bucketish[],
  ui: PromptUi,
  pickFolder: () => Promise<vscode.Uri | undefined>,
): Promise<number> {
  if (!items.length) throw new Error('Select objects, folders or buckets in the Storage view.');
  const dest = await pickFolder();
  if (!dest) return 0;
  return withNotification(
    `Sky: Downloading ${items.length === 1 ? itemLabel(items[0]) : `${items.length} items`}`,
    async (sink, token) => {
      let files = 0;
      for (const it of items) {
        const store = await tree.store(it.store);
        const key = it.kind === 'object' ? it.key : it.kind === 'folder' ? it.prefix : '';
        const target = it.kind === 'bucket' ? path.join(dest.fsPath, it.bucket) : dest.fsPath;
        const r = await downloadToFolder(store, it.bucket, key, target, { token, progress: sink, ui });
        files += r.files;
      }
      void vscode.window.showInformationMessage(`Downloaded ${files} file(s) to ${dest.fsPath}`);
      return files;
    },
  );
}

function itemLabel(it: Bucketish): string {
  return it.kind === 'object' ? it.key : it.kind === 'folder' ? it.prefix : it.bucket;
}

/** Delete: objects and folders after a modal with the count; a bucket only after typing its name. */
export async function deleteItems(
  tree: StorageTreeProvider,
  items: Bucketish[],
  ui: PromptUi,
): Promise<boolean> {
  requireTrust('Deleting from a bucket');
  if (!items.length) throw new Error('Select objects, folders or buckets in the Storage view.');
  const buckets = items.filter((i): i is Extract<Bucketish, { kind: 'bucket' }> => i.kind === 'bucket');
  const inner = items.filter((i) => i.kind !== 'bucket');
  if (buckets.length) {
    for (const b of buckets) {
      const store = await tree.store(b.store);
      const empty = (await store.listObjects({ bucket: b.bucket, pageSize: 1 })).objects.length === 0;
      const ok = empty
        ? await ui.confirm(`Delete the empty bucket ${b.bucket}?`, { destructive: true })
        : await ui.confirmByTyping(
            `Bucket ${b.bucket} is not empty: every object in it will be deleted.`,
            b.bucket,
          );
      if (!ok) return false;
      const out = await withNotification(`Sky: Deleting ${b.bucket}`, (sink, token) =>
        deleteBuckets({
          config: tree.getConfig(),
          patterns: [b.bucket],
          store: b.store,
          force: !b.managed,
          ui,
          yes: true,
          token,
          progress: sink,
        }),
      );
      const failed = out.find((o) => o.result === 'error');
      if (failed) throw new Error(failed.message);
    }
  }
  if (inner.length) {
    const keys: { store: Bucketish['store']; bucket: string; keys: string[] }[] = [];
    for (const it of inner) {
      const store = await tree.store(it.store);
      const k =
        it.kind === 'object'
          ? [it.key]
          : (await listAll(store, it.bucket, (it as Extract<Bucketish, { kind: 'folder' }>).prefix)).map(
              (o) => o.key,
            );
      keys.push({ store: it.store, bucket: it.bucket, keys: k });
    }
    const count = keys.reduce((n, k) => n + k.keys.length, 0);
    const ok = await ui.confirm(`Delete ${count} object(s)?`, {
      destructive: true,
      detail: inner.map(itemLabel).slice(0, 10).join('\n'),
    });
    if (!ok) return false;
    for (const k of keys) await (await tree.store(k.store)).deleteObjects(k.bucket, k.keys);
  }
  tree.refresh();
  return true;
}

export async function uploadInto(
  tree: StorageTreeProvider,
  target: Extract<StorageItem, { kind: 'bucket' | 'folder' }>,
  sources: string[],
): Promise<number> {
  requireTrust('Uploading to a bucket');
  if (!sources.length) return 0;
  const prefix = target.kind === 'folder' ? target.prefix : '';
  const r = await withNotification(`Sky: Uploading to ${target.bucket}/${prefix}`, async (sink, token) =>
    // Each picked file or folder keeps its own name under the target.
    uploadSources(await tree.store(target.store), target.bucket, sources, {
      prefix,
      listLayout: true,
      token,
      progress: sink,
    }),
  );
  tree.refresh(target);
  return r.uploaded;
}

export async function createBucket(
  tree: StorageTreeProvider,
  item: Extract<StorageItem, { kind: 'store' }>,
  ui: PromptUi,
): Promise<string | undefined> {
  requireTrust('Creating a bucket');
  const name = await ui.input(`New ${item.store.toUpperCase()} bucket name`, {
    validate: (v) => validateBucketName(URI_STORE[item.store], v),
  });
  if (!name) return undefined;
  const store = await tree.store(item.store);
  await store.createBucket(name);
  await upsertRecord({ name, store: item.store, source: [], command: 'Sky: Create Bucket', status: 'READY' });
  tree.refresh();
  return name;
}

export async function copyUri(tree: StorageTreeProvider, item: Bucketish): Promise<string> {
  const store = await tree.store(item.store);
  const uri = store.uri(
    item.bucket,
    item.kind === 'object' ? item.key : item.kind === 'folder' ? item.prefix : undefined,
  );
  await vscode.env.clipboard.writeText(uri);
  return uri;
}
