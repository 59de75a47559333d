import { deleteTargets, keysToDelete, readRecords, type DeleteTarget } from '../../engine/storage';
import { errorMessage } from '../../engine/util/errors';
import type { PromptUi } from '../../engine/util/prompt';
import type { Bucketish } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import { requireTrust } from '../register';
import { withNotification } from './notification';
import { itemLabel } from './selection';

/**
 * Delete: objects and folders after a modal with the count; a non-empty bucket, or one sky-vscode did
 * not create (the CLI refuses those without --force), only after typing its name; each through the
 * engine's one delete path (deleteTargets). The view is refreshed even when some deletes fail; the failures are reported together at the end.
 */
export async function deleteItems(
  session: StorageSession,
  items: Bucketish[],
  ui: PromptUi,
): Promise<boolean> {
  requireTrust('Deleting from a bucket');
  if (!items.length) throw new Error('Select objects, folders or buckets in the Storage view.');
  const buckets = items.filter((i): i is Extract<Bucketish, { kind: 'bucket' }> => i.kind === 'bucket');
  const inner = items.filter((i) => i.kind !== 'bucket');
  const failures: string[] = [];
  let changed = false;
  // The session's open stores: a delete never opens a second client past the view's.
  const open = (kind: Bucketish['store']) => session.store(kind);
  try {
    for (const b of buckets) {
      try {
        const ok = await confirmBucketDelete(session, b, ui);
        if (!ok) return false;
        changed = true;
        const target: DeleteTarget = {
          kind: 'bucket',
          store: b.store,
          bucket: b.bucket,
          managed: ok.managed,
        };
        const out = await withNotification(`Sky: Deleting ${b.bucket}`, (sink, token) =>
          deleteTargets([target], { open, token, progress: sink }),
        );
        failures.push(...out.filter((o) => o.result === 'error').map((o) => o.message));
      } catch (err) {
        failures.push(`${b.bucket}: ${errorMessage(err).split('\n')[0]}`);
      }
    }
    if (inner.length) {
      const keys: Extract<DeleteTarget, { kind: 'objects' }>[] = [];
      for (const it of inner) {
        const k = await keysToDelete(
          await session.store(it.store),
          it.bucket,
          it.kind === 'object'
            ? { key: it.key }
            : { prefix: (it as Extract<Bucketish, { kind: 'folder' }>).prefix },
        );
        keys.push({ kind: 'objects', store: it.store, bucket: it.bucket, keys: k });
      }
      const count = keys.reduce((n, k) => n + k.keys.length, 0);
      const ok = await ui.confirm(`Delete ${count} object(s)?`, {
        destructive: true,
        detail: inner.map(itemLabel).slice(0, 10).join('\n'),
      });
      if (!ok) return false;
      changed = true;
      const out = await deleteTargets(keys, { open });
      failures.push(...out.filter((o) => o.result === 'error').map((o) => o.message));
    }
  } finally {
    if (changed || failures.length) session.refresh();
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
  session: StorageSession,
  b: Extract<Bucketish, { kind: 'bucket' }>,
  ui: PromptUi,
): Promise<{ managed: boolean } | false> {
  // The records now, not when the tree was listed: a launch may have recorded the bucket since.
  const managed = readRecords().some((r) => r.name === b.bucket && r.store === b.store);
  const store = await session.store(b.store);
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
