// `storage ls --newest` and the Storage view's "Newest First": the N most recently modified objects
// under a prefix, over every page of a flat recursive listing. Stores list in key order only, so
// every key under the prefix is read; to read them faster the listing fans out over the prefix's
// first-level folders (one flat listing each, several at a time) when there are few enough of them.
import pLimit from 'p-limit';
import { CancelledError, type CancellationToken } from '../util/cancellation';
import type { ObjectInfo, Store } from './store';

export interface NewestProgress {
  /** The newest objects so far, newest first (at most N). */
  newest: ObjectInfo[];
  /** Objects seen so far. */
  scanned: number;
  /** List requests so far. */
  requests: number;
}

export interface NewestOptions {
  n?: number;
  token?: CancellationToken;
  /** Called after each page with the current top N (the listing streams). */
  onPage?: (p: NewestProgress) => void;
  /** Listings run at once when fanning out. */
  parallel?: number;
}

/** More first-level folders than this (or more than one page of them): one flat listing instead. */
const MAX_FANOUT = 256;

const time = (o: ObjectInfo) => o.lastModified?.getTime() ?? 0;

/** Newest first; equal times by key, so the order is stable. */
function before(a: ObjectInfo, b: ObjectInfo): boolean {
  const d = time(a) - time(b);
  return d > 0 || (d === 0 && a.key < b.key);
}

export async function newestObjects(
  store: Store,
  bucket: string,
  prefix: string,
  opts: NewestOptions = {},
): Promise<NewestProgress> {
  const n = opts.n ?? 100;
  const state: NewestProgress = { newest: [], scanned: 0, requests: 0 };
  const check = () => {
    if (opts.token?.isCancellationRequested) throw new CancelledError();
  };
  const take = (objects: ObjectInfo[]) => {
    const top = state.newest;
    for (const o of objects) {
      if (o.key.endsWith('/') && o.size === 0) continue; // a folder marker, not data
      state.scanned++;
      if (top.length >= n && !before(o, top[top.length - 1])) continue;
      let lo = 0;
      let hi = top.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (before(top[mid], o)) lo = mid + 1;
        else hi = mid;
      }
      top.splice(lo, 0, o);
      if (top.length > n) top.pop();
    }
    opts.onPage?.({ ...state, newest: [...top] });
  };
  const flat = async (p: string) => {
    let pageToken: string | undefined;
    do {
      check();
      const page = await store.listObjects({ bucket, prefix: p, pageToken, pageSize: 1000 });
      state.requests++;
      take(page.objects);
      pageToken = page.nextPageToken;
    } while (pageToken);
  };

  check();
  const first = await store.listObjects({ bucket, prefix, delimiter: '/', pageSize: 1000 });
  state.requests++;
  if (first.nextPageToken || first.prefixes.length > MAX_FANOUT) {
    await flat(prefix);
    return state;
  }
  take(first.objects);
  const limit = pLimit(opts.parallel ?? 8);
  const controller = new AbortController();
  await Promise.all(
    first.prefixes.map((p) =>
      limit(async () => {
        if (controller.signal.aborted) return;
        try {
          await flat(p);
        } catch (err) {
          controller.abort();
          throw err;
        }
      }),
    ),
  );
  return state;
}
