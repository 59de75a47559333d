import * as path from 'path';
import * as vscode from 'vscode';
import {
  deleteBuckets,
  downloadToFolder,
  listAll,
  readRecords,
  upsertRecord,
  uploadSources,
} from '../../engine/storage';
import { errorMessage } from '../../engine/util/errors';
import { validateBucketName } from '../../engine/storage/names';
import { cannotCreate, storeDescriptor } from '../../engine/storage/stores/registry';
import { formatBytes, throttleProgress, type ProgressSink } from '../../engine/util/progress';
import type { OverwriteAnswer, PromptUi } from '../../engine/util/prompt';
import type { StorageItem, StorageTreeProvider } from '../../services/storageSession';
import { requireTrust } from '../register';

type Bucketish = Extract<StorageItem, { kind: 'bucket' | 'folder' | 'object' }>;

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
  // One "Yes/No to all" answers for the whole selection, not only for the item it was given in.
  ui = stickyOverwrite(ui);
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

/** A PromptUi whose overwrite question, once answered "to all", is not asked again. */
export function stickyOverwrite(ui: PromptUi): PromptUi {
  let toAll: OverwriteAnswer | undefined;
  return {
    confirm: (...a) => ui.confirm(...a),
    confirmByTyping: (...a) => ui.confirmByTyping(...a),
    pick: (...a) => ui.pick(...a),
    input: (...a) => ui.input(...a),
    async overwrite(target) {
      if (toAll) return toAll;
      const a = await ui.overwrite(target);
      if (a === 'yesToAll' || a === 'noToAll') toAll = a;
      return a;
    },
  };
}

function itemLabel(it: Bucketish): string {
  return it.kind === 'object' ? it.key : it.kind === 'folder' ? it.prefix : it.bucket;
}

/**
 * Delete: objects and folders after a modal with the count; a non-empty bucket, or one sky-vscode did
 * not create (the CLI refuses those without --force), only after typing its name. The tree is
 * refreshed even when some deletes fail; the failures are reported together at the end.
 */
export async function deleteItems(
  tree: StorageTreeProvider,
  items: Bucketish[],
  ui: PromptUi,
): Promise<boolean> {
  requireTrust('Deleting from a bucket');
  if (!items.length) throw new Error('Select objects, folders or buckets in the Storage view.');
  const buckets = items.filter((i): i is Extract<Bucketish, { kind: 'bucket' }> => i.kind === 'bucket');
  const inner = items.filter((i) => i.kind !== 'bucket');
  const failures: string[] = [];
  let changed = false;
  try {
    for (const b of buckets) {
      try {
        const ok = await confirmBucketDelete(tree, b, ui);
        if (!ok) return false;
        changed = true;
        const out = await withNotification(`Sky: Deleting ${b.bucket}`, (sink, token) =>
          deleteBuckets({
            config: tree.getConfig(),
            patterns: [b.bucket],
            store: b.store,
            force: !ok.managed,
            ui,
            yes: true,
            token,
            progress: sink,
          }),
        );
        failures.push(...out.filter((o) => o.result === 'error').map((o) => o.message));
      } catch (err) {
        failures.push(`${b.bucket}: ${errorMessage(err).split('\n')[0]}`);
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
      changed = true;
      for (const k of keys) {
        try {
          await (await tree.store(k.store)).deleteObjects(k.bucket, k.keys);
        } catch (err) {
          failures.push(`${k.bucket}: ${errorMessage(err).split('\n')[0]}`);
        }
      }
    }
  } finally {
    if (changed || failures.length) tree.refresh();
  }
  if (failures.length)
    throw new Error(`${failures.length} of ${items.length} delete(s) failed:\n${failures.join('\n')}`);
  return true;
}

/**
 * Asks before deleting a bucket: `{ managed }` to go ahead, false when refused. A bucket missing from
 * sky-vscode's records is someone else's: the prompt says so and wants its name typed.
 */
async function confirmBucketDelete(
  tree: StorageTreeProvider,
  b: Extract<Bucketish, { kind: 'bucket' }>,
  ui: PromptUi,
): Promise<{ managed: boolean } | false> {
  // The records now, not when the tree was listed: a launch may have recorded the bucket since.
  const managed = readRecords().some((r) => r.name === b.bucket && r.store === b.store);
  const store = await tree.store(b.store);
  const empty = (await store.listObjects({ bucket: b.bucket, pageSize: 1 })).objects.length === 0;
  const contents = empty ? 'It is empty.' : 'Every object in it will be deleted.';
  const ok = !managed
    ? await ui.confirmByTyping(
        `Bucket ${b.bucket} was not created by sky-vscode (it is not in its records). ${contents} Type the bucket name to delete it.`,
        b.bucket,
      )
    : empty
      ? await ui.confirm(`Delete the empty bucket ${b.bucket}?`, { destructive: true })
      : await ui.confirmByTyping(
          `Bucket ${b.bucket} is not empty: every object in it will be deleted.`,
          b.bucket,
        );
  return ok && { managed };
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
  const d = storeDescriptor(item.store);
  if (!d.canCreate) throw cannotCreate(d);
  const name = await ui.input(`New ${storeDescriptor(item.store).skyName} bucket name`, {
    validate: (v) => validateBucketName(storeDescriptor(item.store).skyName, v),
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
