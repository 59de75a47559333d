// `storage find`: objects under a prefix whose name contains a text. The URI's path is the
// server-side prefix; `startsWith` makes the text part of it too (the store then lists only the
// matching keys). Otherwise every key under the prefix is listed and matched here.
import { CancelledError, type CancellationToken } from '../util/cancellation';
import type { ObjectInfo, Store } from './store';

export interface FindOptions {
  /** Match only names (relative to the prefix) that start with the text: a server-side prefix. */
  startsWith?: boolean;
  ignoreCase?: boolean;
  /** Stop after this many matches. */
  limit?: number;
  token?: CancellationToken;
  onMatch?: (o: ObjectInfo) => void;
}

export interface FindResult {
  matches: ObjectInfo[];
  scanned: number;
  requests: number;
  /** The prefix the store listed. */
  listedPrefix: string;
  truncated: boolean;
}

export async function findObjects(
  store: Store,
  bucket: string,
  prefix: string,
  text: string,
  opts: FindOptions = {},
): Promise<FindResult> {
  const base = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
  const listedPrefix = opts.startsWith && !opts.ignoreCase ? base + text : base;
  const needle = opts.ignoreCase ? text.toLowerCase() : text;
  const res: FindResult = { matches: [], scanned: 0, requests: 0, listedPrefix, truncated: false };
  let pageToken: string | undefined;
  do {
    if (opts.token?.isCancellationRequested) throw new CancelledError();
    const page = await store.listObjects({ bucket, prefix: listedPrefix, pageToken, pageSize: 1000 });
    res.requests++;
    for (const o of page.objects) {
      res.scanned++;
      const rel = o.key.slice(base.length);
      const hay = opts.ignoreCase ? rel.toLowerCase() : rel;
      if (opts.startsWith ? !hay.startsWith(needle) : !hay.includes(needle)) continue;
      res.matches.push(o);
      opts.onMatch?.(o);
      if (opts.limit !== undefined && res.matches.length >= opts.limit) {
        res.truncated = true;
        return res;
      }
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  return res;
}
