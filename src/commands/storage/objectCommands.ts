// The Storage view's object actions: Properties, Newest First, Copy To / Move To / Rename, and
// Add as file_mount. The work is the engine's (the same as `storage stat | ls --newest | cp | mv`).
import * as path from 'path';
import * as vscode from 'vscode';
import { copyUri, type CopyResult } from '../../engine/storage/copy';
import { openUri } from '../../engine/storage/openUri';
import { newestObjects, type NewestProgress } from '../../engine/storage/newest';
import { summarizePrefix, type PrefixSummary } from '../../engine/storage/stat';
import type { ObjectStat } from '../../engine/storage/objectOps';
import { storeDescriptor, type NodeMode } from '../../engine/storage/stores/registry';
import { addFileMount, MOUNT_CACHED_TYPES, type MountCachedType } from '../../engine/task/addFileMount';
import { validateTaskText } from '../../engine/task/validate';
import type { Diagnostic } from '../../engine/task/diagnostic';
import { SkyError } from '../../engine/util/errors';
import { formatBytes, throttleProgress, type ProgressSink } from '../../engine/util/progress';
import type { PromptUi } from '../../engine/util/prompt';
import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import { requireTrust } from '../register';

export type Located = Extract<StorageItem, { kind: 'bucket' | 'folder' | 'object' }>;

export function located(item: StorageItem | undefined, what: string): Located {
  if (item?.kind === 'bucket' || item?.kind === 'folder' || item?.kind === 'object') return item;
  throw new Error(`Select a bucket, folder or object in the Storage view to ${what}.`);
}

const keyOf = (item: Located) =>
  item.kind === 'object' ? item.key : item.kind === 'folder' ? item.prefix : '';

export async function uriOf(tree: StorageSession, item: Located): Promise<string> {
  return (await tree.store(item.store)).uri(item.bucket, keyOf(item) || undefined);
}

function withCancellableProgress<T>(
  title: string,
  fn: (sink: ProgressSink, token: vscode.CancellationToken) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) =>
      fn(
        throttleProgress(
          {
            report: (e) =>
              progress.report({
                message: [
                  e.message,
                  e.files &&
                    `${e.files.done}${e.files.total !== undefined ? `/${e.files.total}` : ''} objects`,
                  e.bytes && formatBytes(e.bytes.done),
                ]
                  .filter(Boolean)
                  .join(', '),
              }),
          },
          250,
        ),
        token,
      ),
  );
}

export interface PropertiesReport {
  uri: string;
  stat?: ObjectStat;
  summary?: PrefixSummary;
  text: string;
}

/** An object's properties; for a bucket or folder, the object count and total size under it (cancellable). */
export async function properties(tree: StorageSession, item: Located): Promise<PropertiesReport> {
  const store = await tree.store(item.store);
  const uri = await uriOf(tree, item);
  const d = storeDescriptor(item.store);
  const lines = [`# ${uri}`, '', `- Store: ${d.label}`];
  if (item.kind === 'object') {
    const stat = await store.stat(item.bucket, item.key);
    if (!stat) throw new SkyError('object-not-found', `${uri} is gone (deleted since it was listed).`);
    const kv = (m?: Record<string, string>) =>
      m === undefined ? 'not available' : Object.keys(m).length ? '' : 'none';
    lines.push(
      `- Size: ${formatBytes(stat.size)} (${stat.size} bytes)`,
      `- Last modified: ${stat.lastModified?.toISOString() ?? '—'}`,
      `- ETag: ${stat.etag ?? '—'}`,
      ...(stat.generation ? [`- Generation / version: ${stat.generation}`] : []),
      `- Content type: ${stat.contentType ?? '—'}`,
      ...(stat.md5 ? [`- MD5: ${stat.md5}`] : []),
      `- Metadata: ${kv(stat.metadata)}`,
      ...Object.entries(stat.metadata).map(([k, v]) => `  - ${k} = ${v}`),
      `- Tags: ${kv(stat.tags)}`,
      ...Object.entries(stat.tags ?? {}).map(([k, v]) => `  - ${k} = ${v}`),
    );
    return { uri, stat, text: `${lines.join('\n')}\n` };
  }
  const prefix = item.kind === 'folder' ? item.prefix : '';
  const summary = await withCancellableProgress(`Counting the objects under ${uri}`, (sink, token) =>
    summarizePrefix(store, item.bucket, prefix, {
      token,
      onPage: (s) => sink.report({ files: { done: s.objects }, bytes: { done: s.bytes } }),
    }),
  );
  lines.push(
    `- Objects: ${summary.objects}`,
    `- Total size: ${formatBytes(summary.bytes)} (${summary.bytes} bytes)`,
    `- List requests: ${summary.requests}`,
  );
  return { uri, summary, text: `${lines.join('\n')}\n` };
}

/** The newest objects under a bucket or folder, streamed into `onPage` as pages arrive (cancellable). */
export async function newestFirst(
  tree: StorageSession,
  item: Located,
  onPage: (p: NewestProgress) => void,
  n = 100,
): Promise<NewestProgress & { uri: string }> {
  if (item.kind === 'object') throw new Error('Newest First works on a bucket or folder.');
  const store = await tree.store(item.store);
  const uri = await uriOf(tree, item);
  const r = await withCancellableProgress(`Newest under ${uri}`, (sink, token) =>
    newestObjects(store, item.bucket, item.kind === 'folder' ? item.prefix : '', {
      n,
      token,
      onPage: (p) => {
        sink.report({ message: `${p.scanned} objects, ${p.requests} list requests` });
        onPage(p);
      },
    }),
  );
  return { ...r, uri };
}

/** One copy or move with progress and cancel; when destination objects exist, asks before replacing them. */
export async function runCopy(
  tree: StorageSession,
  ui: PromptUi,
  src: string,
  dst: string,
  move: boolean,
  refresh: () => void = () => tree.refresh(),
): Promise<CopyResult | undefined> {
  const go = (overwrite: boolean) =>
    withCancellableProgress(`${move ? 'Moving' : 'Copying'} ${src} to ${dst}`, (progress, token) =>
      copyUri(tree.getConfig(), src, dst, { move, overwrite, token, progress }),
    );
  let r: CopyResult;
  try {
    r = await go(false);
  } catch (err) {
    if (!(err instanceof SkyError) || err.code !== 'object-exists') throw err;
    const yes = await ui.confirm(`${err.message.replace(/; nothing was copied\.$/, '.')} Replace them?`, {
      destructive: true,
      confirmLabel: 'Replace',
    });
    if (!yes) return undefined;
    r = await go(true);
  }
  refresh();
  return r;
}

/** Copy To… / Move To…: the destination is a URI of any store (ending in / to keep the name). */
export async function copyOrMoveTo(
  tree: StorageSession,
  item: Located,
  ui: PromptUi,
  move: boolean,
): Promise<CopyResult | undefined> {
  requireTrust(move ? 'Moving objects' : 'Copying objects');
  if (item.kind === 'bucket')
    throw new Error('Copy or move a folder or an object (or every folder of the bucket).');
  const src = await uriOf(tree, item);
  const dst = await ui.input(
    `${move ? 'Move' : 'Copy'} ${src} to (a bucket URI of any store; end it with / to keep the name)`,
    { value: src, validate: (v) => (v.trim() && v.trim() !== src ? undefined : 'Enter another URI.') },
  );
  if (!dst) return undefined;
  return runCopy(tree, ui, src, dst.trim(), move);
}

/** Rename: a move to a new last name segment in the same folder. */
export async function rename(
  tree: StorageSession,
  item: Located,
  ui: PromptUi,
): Promise<CopyResult | undefined> {
  requireTrust('Renaming objects');
  if (item.kind === 'bucket') throw new Error('Buckets cannot be renamed; rename a folder or an object.');
  const key = keyOf(item).replace(/\/$/, '');
  const parent = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
  const name = key.slice(parent.length);
  const next = await ui.input(`Rename ${name} to`, {
    value: name,
    validate: (v) =>
      !v.trim()
        ? 'Enter a name.'
        : v.includes('/')
          ? 'A name has no /.'
          : v === name
            ? 'Enter a new name.'
            : undefined,
  });
  if (!next) return undefined;
  const store = await tree.store(item.store);
  const tail = item.kind === 'folder' ? '/' : '';
  return runCopy(
    tree,
    ui,
    store.uri(item.bucket, key + tail),
    store.uri(item.bucket, parent + next.trim() + tail),
    true,
  );
}

/** The modes SkyPilot accepts for this source: a path inside a bucket can only be copied (not https). */
function modesFor(item: Located, scheme: string): NodeMode[] {
  const modes = [...storeDescriptor(item.store).nodeModes];
  const inside = item.kind !== 'bucket';
  return inside && scheme !== 'https' ? modes.filter((m) => m === 'COPY') : modes;
}

export interface AddedFileMount {
  file: string;
  path: string;
  mode: NodeMode;
  type?: MountCachedType;
  errors: Diagnostic[];
}

/** Add as file_mount…: pick the task file, the mount path, the mode (and the MOUNT_CACHED preset). */
export async function addAsFileMount(
  tree: StorageSession,
  item: Located,
  ui: PromptUi,
): Promise<AddedFileMount | undefined> {
  // SkyPilot names a folder without the trailing '/'.
  const source = (await uriOf(tree, item)).replace(/\/$/, '');
  const files = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/node_modules/**', 500);
  if (!files.length)
    throw new Error('No YAML task file in the workspace: create one first (Sky: New Task from Template…).');
  const active = vscode.window.activeTextEditor?.document.uri.toString();
  files.sort(
    (a, b) =>
      Number(b.toString() === active) - Number(a.toString() === active) || a.path.localeCompare(b.path),
  );
  const file = await ui.pick(
    `Add ${source} to which task file?`,
    files.map((f) => ({ label: vscode.workspace.asRelativePath(f), value: f })),
  );
  if (!file) return undefined;
  const base = path.posix.basename(keyOf(item).replace(/\/$/, '')) || item.bucket;
  const mountPath = await ui.input('Mount path on the nodes', {
    value: `/${base}`,
    validate: (v) => (/^(\/|~\/)/.test(v.trim()) ? undefined : 'An absolute path (/…) or one under ~/.'),
  });
  if (!mountPath) return undefined;
  const scheme = source.slice(0, source.indexOf(':'));
  const modes = modesFor(item, scheme);
  const mode =
    modes.length === 1
      ? modes[0]
      : await ui.pick(
          'Mode',
          modes.map((m) => ({
            label: m,
            value: m,
            description:
              m === 'MOUNT'
                ? 'streamed from the bucket'
                : m === 'MOUNT_CACHED'
                  ? 'a local cache, writes uploaded in the background'
                  : 'copied onto the nodes before setup',
          })),
        );
  if (!mode) return undefined;
  let type: MountCachedType | undefined;
  if (mode === 'MOUNT_CACHED') {
    const t = await ui.pick('MOUNT_CACHED preset (type)', [
      { label: 'None', value: 'none' as const },
      ...MOUNT_CACHED_TYPES.map((x) => ({ label: x, value: x })),
    ]);
    if (!t) return undefined;
    type = t === 'none' ? undefined : t;
  }
  const doc = await vscode.workspace.openTextDocument(file);
  const change = addFileMount(doc.getText(), { path: mountPath.trim(), source, mode, type });
  const edit = new vscode.WorkspaceEdit();
  edit.replace(
    file,
    new vscode.Range(doc.positionAt(change.offset), doc.positionAt(change.offset + change.length)),
    change.text,
  );
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not edit ${file.fsPath}.`);
  await doc.save();
  await vscode.window.showTextDocument(doc, { preview: false });
  const errors = validateTaskText(doc.getText(), { file: file.fsPath, localChecks: false }).filter(
    (d) => d.severity === 'error',
  );
  if (errors.length)
    void vscode.window.showWarningMessage(
      `${vscode.workspace.asRelativePath(file)} has ${errors.length} error(s) after the edit: ${errors[0].message}`,
    );
  return { file: file.fsPath, path: mountPath.trim(), mode, type, errors };
}

export type Pinned = Extract<StorageItem, { kind: 'bucket' | 'folder' }>;

/**
 * Go to URI…: any URI SkyPilot accepts becomes a root of the Storage view. Only the location itself
 * is listed (no ListBuckets), so credentials limited to one bucket or container reach it.
 */
export async function goToUri(tree: StorageSession, ui: PromptUi): Promise<Pinned | undefined> {
  const typed = await ui.input(
    'Go to a bucket URI (s3://b/p, gs://b/p, https://ACCOUNT.blob.core.windows.net/c/p, r2://, cos://REGION/b, oci://b, …)',
    { validate: (v) => (v.trim() ? undefined : 'Paste a bucket URI.') },
  );
  if (!typed) return undefined;
  const t = await openUri(tree.getConfig(), typed.trim());
  const store = await tree.store(t.descriptor.kind);
  let prefix = t.key && !t.key.endsWith('/') ? `${t.key}/` : t.key;
  const page = await store.listObjects({ bucket: t.bucket, prefix, delimiter: '/', pageSize: 1 });
  if (prefix && !page.objects.length && !page.prefixes.length) {
    // An object's URI: its folder is shown.
    if (!(await store.stat(t.bucket, t.key)))
      throw new SkyError('object-not-found', `There is nothing at ${store.uri(t.bucket, t.key)}.`);
    prefix = t.key.includes('/') ? t.key.slice(0, t.key.lastIndexOf('/') + 1) : '';
  }
  const item: Pinned = prefix
    ? { kind: 'folder', store: t.descriptor.kind, bucket: t.bucket, prefix, pinned: true }
    : { kind: 'bucket', store: t.descriptor.kind, bucket: t.bucket, managed: false, pinned: true };
  const same = (p: Pinned) =>
    p.store === item.store && p.bucket === item.bucket && (p.kind === 'folder' ? p.prefix : '') === prefix;
  if (!tree.pinned.some(same)) tree.pinned.push(item);
  tree.refreshRecords();
  return tree.pinned.find(same);
}
