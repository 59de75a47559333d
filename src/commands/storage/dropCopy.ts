// Drag and drop inside the Storage view: folders and objects dropped on a bucket or folder are copied
// (or moved) there by the engine's copy, the same as Copy To… / Move To…: server-side inside one
// store, streamed through this machine (no temp file) across stores.
import * as vscode from 'vscode';
import type { CopyResult } from '../../engine/storage/copy';
import type { LogSink } from '../../engine/util/log';
import type { PromptUi } from '../../engine/util/prompt';
import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import { requireTrust } from '../register';
import { runCopy } from './objectCommands';

/** The mime type VS Code gives this tree's own drags (application/vnd.code.tree.<view id>). */
export const TREE_MIME = 'application/vnd.code.tree.sky.storage';
/** What handleDrag puts on the transfer: the dragged folders and objects as the view's items. */
export const ITEMS_MIME = 'application/vnd.sky-vscode.storage-items';

export type Dragged = Extract<StorageItem, { kind: 'folder' | 'object' }>;
type Target = Extract<StorageItem, { kind: 'bucket' | 'folder' }>;

const draggable = (e: unknown): e is Dragged =>
  !!e && typeof e === 'object' && ((e as Dragged).kind === 'folder' || (e as Dragged).kind === 'object');

const keyOf = (e: Dragged) => (e.kind === 'folder' ? e.prefix : e.key);
const prefixOf = (e: Target) => (e.kind === 'folder' ? e.prefix : '');
const parentPrefix = (key: string) => {
  const bare = key.replace(/\/$/, '');
  return bare.includes('/') ? bare.slice(0, bare.lastIndexOf('/') + 1) : '';
};
const sameBucket = (a: StorageItem & { store: string; bucket: string }, b: typeof a) =>
  a.store === b.store && a.bucket === b.bucket;

/** handleDrag: buckets, stores and messages are not dragged; folders and objects are. */
export function dragItems(source: readonly StorageItem[], data: vscode.DataTransfer): void {
  const items = source.filter(draggable);
  if (items.length) data.set(ITEMS_MIME, new vscode.DataTransferItem(items));
}

/** The folders and objects dragged from this tree, or undefined when the drop came from elsewhere. */
export function draggedItems(data: vscode.DataTransfer): Dragged[] | undefined {
  for (const mime of [ITEMS_MIME, TREE_MIME]) {
    const value: unknown = data.get(mime)?.value;
    if (Array.isArray(value) && value.some(draggable)) return value.filter(draggable);
  }
  return undefined;
}

/** A drop on an object lands in the object's folder, as in the Explorer. */
function dropTarget(target: StorageItem | undefined): Target {
  if (target?.kind === 'bucket' || target?.kind === 'folder') return target;
  if (target?.kind === 'object') {
    const prefix = parentPrefix(target.key);
    return prefix
      ? { kind: 'folder', store: target.store, bucket: target.bucket, prefix }
      : { kind: 'bucket', store: target.store, bucket: target.bucket, managed: false };
  }
  throw new Error('Drop folders and objects on a bucket or folder in the Storage view.');
}

export interface DropCopyResult {
  target: string;
  move: boolean;
  copies: (CopyResult & { src: string; dst: string })[];
}

/** Folders and objects dragged inside the tree and dropped on `target`. */
export async function dropItems(
  session: StorageSession,
  targetItem: StorageItem | undefined,
  dragged: Dragged[],
  ui: PromptUi,
  log: LogSink,
): Promise<DropCopyResult | undefined> {
  const target = dropTarget(targetItem);
  requireTrust('Copying objects');
  const tstore = await session.store(target.store);
  const targetUri = tstore.uri(target.bucket, prefixOf(target) || undefined);
  // A folder dragged along with something inside it: the folder's copy carries it already.
  const items = dragged.filter(
    (d, i) =>
      !dragged.some(
        (o, j) =>
          j !== i &&
          o.kind === 'folder' &&
          sameBucket(o, d) &&
          keyOf(d).startsWith(o.prefix) &&
          (keyOf(d) !== o.prefix || j < i),
      ),
  );
  const stores = new Map([[target.store, tstore]]);
  const storeOf = async (e: Dragged) => {
    if (!stores.has(e.store)) stores.set(e.store, await session.store(e.store));
    return stores.get(e.store)!;
  };
  // Refused before anything is asked or copied, each with a message that says why.
  const plan: { item: Dragged; src: string; dst: string }[] = [];
  for (const item of items) {
    const src = (await storeOf(item)).uri(item.bucket, keyOf(item));
    const onItself =
      draggable(targetItem) &&
      targetItem.kind === item.kind &&
      sameBucket(targetItem, item) &&
      keyOf(targetItem) === keyOf(item);
    if (
      onItself ||
      (item.kind === 'folder' && sameBucket(item, target) && prefixOf(target).startsWith(item.prefix))
    )
      throw new Error(
        `${src} cannot be dropped on itself${item.kind === 'folder' ? ' or on a folder inside it' : ''}; nothing was copied.`,
      );
    if (sameBucket(item, target) && parentPrefix(keyOf(item)) === prefixOf(target))
      throw new Error(`${src} is in ${targetUri} already; nothing was copied.`);
    const name = keyOf(item).replace(/\/$/, '').split('/').pop()!;
    // An object keeps its name under the target; a folder becomes a folder of the target.
    const dst =
      item.kind === 'folder'
        ? tstore.uri(target.bucket, `${prefixOf(target)}${name}/`)
        : prefixOf(target)
          ? tstore.uri(target.bucket, prefixOf(target))
          : `${tstore.uri(target.bucket)}/`;
    plan.push({ item, src, dst });
  }
  // A tree drop carries no modifier keys (no Ctrl/Alt to tell a copy from a move), so the user
  // picks. Copy comes first so that Enter never deletes anything, and Cancel is there because a
  // drag in a tree is easy to make by mistake and a copy across stores can take long and cost egress.
  const what = plan.length === 1 ? plan[0].src : `${plan.length} items`;
  const verb = await ui.pick(`Drop ${what} into ${targetUri}`, [
    { label: 'Copy', value: 'copy' as const, description: 'keep the source' },
    {
      label: 'Move',
      value: 'move' as const,
      description: 'delete each source object once its copy is checked',
    },
    { label: 'Cancel', value: 'cancel' as const },
  ]);
  if (verb !== 'copy' && verb !== 'move') return undefined;
  const move = verb === 'move';
  const out: DropCopyResult = { target: targetUri, move, copies: [] };
  for (const { item, src, dst } of plan) {
    const r = await runCopy(session, ui, src, dst, move, () => {
      session.refresh(target);
      // A moved folder's parents may be left empty (and vanish): the source's bucket lists again.
      if (move) session.refresh({ kind: 'bucket', store: item.store, bucket: item.bucket, managed: false });
    });
    // Declined to replace existing objects: this item is skipped, the others still go.
    if (!r) continue;
    log.info(
      `Drop: ${r.moved ? 'moved' : 'copied'} ${src} to ${dst}: ${r.objects.length} object(s), ${r.bytes} bytes, ${r.mode === 'server' ? 'inside the store' : 'streamed through this machine'}`,
    );
    out.copies.push({ ...r, src, dst });
  }
  if (out.copies.length)
    void vscode.window.setStatusBarMessage(
      `${move ? 'Moved' : 'Copied'} ${out.copies.length === 1 ? out.copies[0].src : `${out.copies.length} items`} to ${targetUri}`,
      3000,
    );
  return out;
}
