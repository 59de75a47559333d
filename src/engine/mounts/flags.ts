// rclone's flags for MOUNT and MOUNT_CACHED, as SkyPilot sets them.
import * as crypto from 'crypto';
import type { MountCachedConfig } from '../task/model';
import type { LogSink } from '../util/log';
import { NODE_DIRS } from './nodeScripts';

function versionAtLeast(v: string | undefined, want: string): boolean {
  if (!v) return false;
  const a = v.split('.').map(Number);
  const b = want.split('.').map(Number);
  for (let i = 0; i < b.length; i++) if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) > b[i];
  return true;
}

export const id = (dst: string) => crypto.createHash('md5').update(dst).digest('hex');
export const cacheDirFor = (dst: string) => `${NODE_DIRS.cache}/${id(dst)}`;

/** SkyPilot's MountCachedConfig.to_rclone_flags with its defaults; one transfer unless `transfers` says more. */
export function cachedFlags(
  dst: string,
  c: MountCachedConfig = {},
  rcloneVersion?: string,
  log?: LogSink,
): string[] {
  const up = (s: string) => s.toUpperCase();
  const t = c.transfers ?? 1;
  const f = [
    '--vfs-cache-mode', 'full',
    '--dir-cache-time', '10s',
    '--vfs-cache-poll-interval', '10s',
    '--cache-dir', `${'$HOME'}/${cacheDirFor(dst)}`,
    '--vfs-fast-fingerprint',
    '--transfers', String(t),
    '--checkers', String(Math.max(4, Math.min(2 * t, Math.floor(30 + 1.2 * t)))),
    '--vfs-cache-max-size', up(c.vfs_cache_max_size ?? '10G'),
    '--vfs-write-back', c.vfs_write_back ?? '1s',
  ]; // prettier-ignore
  if (c.buffer_size) f.push('--buffer-size', up(c.buffer_size));
  if (c.vfs_cache_max_age) f.push('--vfs-cache-max-age', c.vfs_cache_max_age);
  if (c.vfs_read_ahead) f.push('--vfs-read-ahead', up(c.vfs_read_ahead));
  if (c.vfs_read_chunk_size) f.push('--vfs-read-chunk-size', up(c.vfs_read_chunk_size));
  if (c.vfs_read_chunk_streams !== undefined) {
    if (versionAtLeast(rcloneVersion, '1.68'))
      f.push('--vfs-read-chunk-streams', String(c.vfs_read_chunk_streams));
    else
      log?.warn(
        `${dst}: vfs_read_chunk_streams needs rclone 1.68+ (the node has ${rcloneVersion ?? 'an unknown version'}); ignored.`,
      );
  }
  if (c.read_only) f.push('--read-only');
  return f;
}

/** MOUNT: streaming, no local cache (goofys-like); close-to-open, with a 5 s listing cache like SkyPilot's goofys flags. */
export function mountFlags(readOnly: boolean): string[] {
  const f = ['--vfs-cache-mode', 'off', '--dir-cache-time', '5s', '--attr-timeout', '1s'];
  if (readOnly) f.push('--read-only');
  return f;
}
