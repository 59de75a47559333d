// What launch will do with one file_mount, in words: for the dry-run plan and the task.yaml hover.
import type { StoreKind } from '../config/config';
import type { StorageRecord } from '../storage/records';
import type { FileMount } from '../task/model';

const MODE_TEXT = {
  MOUNT:
    'FUSE mount (rclone, no cache): reads stream from the bucket; a written file is uploaded when it is closed',
  MOUNT_CACHED:
    'rclone VFS-cache mount: reads and writes hit local disk, writes upload in the background; the job is not done until they are all in the bucket',
  COPY: 'downloaded to each node’s disk; writes stay local',
} as const;

export interface DescribeContext {
  /** Nodes that get the mount (all nodes of the cluster; num_nodes when the cluster is unknown). */
  nodes: number;
  defaultStore?: StoreKind;
  records?: StorageRecord[];
}

/** One-line summary plus detail lines (markdown-safe plain text). */
export function describeMount(m: FileMount, ctx: DescribeContext): { summary: string; details: string[] } {
  const where = `at ${m.dst} on ${ctx.nodes === 1 ? 'the node' : `each of the ${ctx.nodes} nodes`}`;
  switch (m.kind) {
    case 'local':
      return {
        summary: `Local ${m.source} synced ${where}`,
        details: [
          'Re-synced on every launch (and on exec with --with-file-mounts); only changed files are sent.',
        ],
      };
    case 'uri':
      return {
        summary: `${m.uri.store} ${m.source} downloaded ${where}`,
        details: ['A single object becomes a file, a prefix a directory (decided by listing the bucket).'],
      };
    case 'volume':
      return { summary: `Volume ${where}`, details: ['Volumes are not supported on SSH clusters.'] };
    case 'storage': {
      const s = m.storage;
      const store = s.store ? s.store.toLowerCase() : ctx.defaultStore;
      const storeText = s.store
        ? s.store
        : ctx.defaultStore
          ? `${ctx.defaultStore} (the config's defaultStore)`
          : 'asked at launch (no store given)';
      const uriSource = s.sources.find((x) => x.kind === 'uri');
      const local = s.sources.filter((x) => x.kind === 'local').map((x) => x.path);
      const managed = s.name && ctx.records?.find((r) => r.name === s.name && (!store || r.store === store));
      let bucket: string;
      if (uriSource) bucket = `Bucket ${uriSource.uri.raw} is attached as is (not managed by sky-vscode).`;
      else if (local.length)
        bucket = `Bucket ${s.name} is created if missing${managed ? ` (it exists: ${managed.status})` : ''}, then ${local.join(', ')} uploaded (changed files only).`;
      else
        bucket = managed
          ? `Existing managed bucket ${s.name} (${managed.status}) is attached.`
          : `Bucket ${s.name} is attached if it exists, else created empty.`;
      const details = [bucket, `Store: ${storeText}.`, `${s.mode}: ${MODE_TEXT[s.mode]}.`];
      if (s.readOnly) details.push('Read-only.');
      if (s.mode === 'MOUNT_CACHED' && s.mountCached) {
        const c = s.mountCached;
        details.push(
          `Uploads: ${c.transfers ?? 1} at a time${c.transfers ? '' : ' (in the order files were written)'}; write-back after ${c.vfs_write_back ?? '1s'}; cache up to ${c.vfs_cache_max_size ?? '10G'}.`,
        );
      }
      if (!s.persistent)
        details.push('persistent: false — `sky-vscode down` deletes this bucket with the cluster.');
      return { summary: `${s.mode} of ${s.name ?? uriSource?.uri.bucket ?? 'a bucket'} ${where}`, details };
    }
  }
}
