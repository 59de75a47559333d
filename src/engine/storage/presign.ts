// `storage presign` and the Storage view's share link: a URL that reads one object until it expires
// (S3 presigned URL, GCS V4 signed URL, Azure service SAS, OCI pre-authenticated request).
import type { SkyConfig } from '../config/config';
import { SkyError, UsageError } from '../util/errors';
import type { ShareLink } from './objectOps';
import { openUri } from './openUri';
import type { StoreApi } from './stores/registry';

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90s`, `15m`, `12h`, `7d`, or plain seconds. */
export function parseDuration(s: string): number {
  const m = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(s);
  if (!m || Number(m[1]) <= 0)
    throw new UsageError(`'${s}' is not a duration.`, 'Write it as 90s, 15m, 12h or 7d.');
  return Number(m[1]) * UNIT[(m[2] || 's').toLowerCase()];
}

/** The longest a link can live, where the store's signing scheme caps it. */
const MAX_SECONDS: Partial<Record<StoreApi, number>> = { s3: 7 * 86400, gcs: 7 * 86400 };

export async function presignUri(
  config: SkyConfig,
  uri: string,
  expiresInSeconds: number,
): Promise<ShareLink & { uri: string }> {
  const t = await openUri(config, uri);
  if (!t.key || t.key.endsWith('/'))
    throw new UsageError(`${uri} names a bucket or a folder; a share link is for one object.`);
  const max = MAX_SECONDS[t.descriptor.api];
  if (max !== undefined && expiresInSeconds > max)
    throw new UsageError(
      `${t.descriptor.label} links live at most ${max / 86400} days (asked: ${Math.round(expiresInSeconds / 3600)} h).`,
    );
  if (!(await t.store.stat(t.bucket, t.key)))
    throw new SkyError('object-not-found', `There is no object ${t.store.uri(t.bucket, t.key)} to share.`);
  return { uri: t.store.uri(t.bucket, t.key), ...(await t.store.presign(t.bucket, t.key, expiresInSeconds)) };
}
