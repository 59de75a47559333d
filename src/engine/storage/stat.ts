// `storage stat`: an object's properties; and, on demand, the object count and total size under a
// prefix (the Storage view's Properties).
import type { SkyConfig } from '../config/config';
import { CancelledError, type CancellationToken } from '../util/cancellation';
import { SkyError } from '../util/errors';
import type { ObjectStat } from './objectOps';
import { openUri } from './openUri';
import type { Store } from './store';

export interface StatResult extends ObjectStat {
  uri: string;
  store: string;
}

export async function statUri(config: SkyConfig, uri: string): Promise<StatResult> {
  const t = await openUri(config, uri);
  if (!t.key || t.key.endsWith('/'))
    throw new SkyError('usage', `${uri} names a bucket or a folder, not an object.`, {
      hint: 'Name an object (no trailing /), or use `storage find`/`ls --newest` for what is under a prefix.',
    });
  const s = await t.store.stat(t.bucket, t.key);
  if (!s)
    throw new SkyError('object-not-found', `There is no object ${t.store.uri(t.bucket, t.key)}.`, {
      hint: 'Check the key; `storage objects` lists what is there.',
    });
  return { uri: t.store.uri(t.bucket, t.key), store: t.descriptor.label, ...s };
}

export interface PrefixSummary {
  objects: number;
  bytes: number;
  /** List requests it took (each returns up to 1,000 objects). */
  requests: number;
}

/** Counts the objects and their bytes under a prefix, page by page; `onPage` sees the running totals. */
export async function summarizePrefix(
  store: Store,
  bucket: string,
  prefix: string,
  opts: { token?: CancellationToken; onPage?: (s: PrefixSummary) => void } = {},
): Promise<PrefixSummary> {
  const sum: PrefixSummary = { objects: 0, bytes: 0, requests: 0 };
  let pageToken: string | undefined;
  do {
    if (opts.token?.isCancellationRequested) throw new CancelledError();
    const page = await store.listObjects({ bucket, prefix, pageToken, pageSize: 1000 });
    sum.requests++;
    for (const o of page.objects) {
      sum.objects++;
      sum.bytes += o.size;
    }
    opts.onPage?.({ ...sum });
    pageToken = page.nextPageToken;
  } while (pageToken);
  return sum;
}
