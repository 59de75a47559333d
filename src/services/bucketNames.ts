import { configuredStores, readRecords, type StoreKind } from '../engine/storage';
import { errorMessage } from '../engine/util/errors';
import type { LogSink } from '../engine/util/log';
import type { BucketNameProvider } from '../schema/completion';
import type { StorageSession } from './storageSession';

/** How long a store's bucket list is reused, and how long completion waits for a fresh one. */
const FRESH_MS = 30_000;
const WAIT_MS = 1_500;

/**
 * Bucket names for task.yaml completion: the buckets of every store the Storage view has configured
 * (through the Storage session's open stores) plus the recorded ones. Each store's list is cached briefly and
 * read in the background: completion waits at most WAIT_MS and then offers what it has. A store that
 * fails is logged and offers nothing until its next read. A refresh of the whole view drops the cache.
 */
export function storageBucketNames(session: StorageSession, log: LogSink): BucketNameProvider {
  const cache = new Map<StoreKind, { at: number; names: string[] }>();
  const loading = new Map<StoreKind, Promise<void>>();
  session.onDidChange((item) => {
    if (!item) cache.clear();
  });
  const load = (kind: StoreKind): Promise<void> => {
    let p = loading.get(kind);
    if (!p) {
      p = session
        .store(kind)
        .then((s) => s.listBuckets())
        .then(
          (buckets) => void cache.set(kind, { at: Date.now(), names: buckets.map((b) => b.name) }),
          (err: unknown) => {
            log.debug(`Bucket names for completion: ${kind}: ${errorMessage(err).split('\n')[0]}`);
            cache.set(kind, { at: Date.now(), names: cache.get(kind)?.names ?? [] });
          },
        )
        .finally(() => loading.delete(kind));
      loading.set(kind, p);
    }
    return p;
  };
  return async () => {
    let kinds: StoreKind[];
    try {
      kinds = configuredStores(session.getConfig());
    } catch {
      kinds = []; // a broken config shows in the Storage view; completion offers what is recorded
    }
    const stale = kinds.filter((k) => Date.now() - (cache.get(k)?.at ?? 0) > FRESH_MS).map(load);
    if (stale.length) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(stale),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, WAIT_MS))),
      ]);
      clearTimeout(timer);
    }
    const names = new Set<string>();
    for (const k of kinds) for (const n of cache.get(k)?.names ?? []) names.add(n);
    try {
      for (const r of readRecords()) names.add(r.name);
    } catch {
      // An unreadable records file is reported by the Storage view.
    }
    return [...names].sort();
  };
}
