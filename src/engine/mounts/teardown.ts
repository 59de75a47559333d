// Tearing a cluster down, as far as this tool set it up: unmount the buckets it mounted on every
// node, remove the rclone credential files it wrote there, and delete the buckets that the
// cluster's tasks declared `persistent: false` (SkyPilot deletes those on `sky launch --down`).
// The machines themselves are the user's: nothing else on them is touched.
import type { SkyConfig } from '../config/config';
import type { Cluster } from '../cluster/clusters';
import type { SshPool } from '../ssh/connect';
import { exec } from '../ssh/exec';
import { deleteBuckets, readRecords, type DeleteOutcome } from '../storage';
import type { CancellationToken } from '../util/cancellation';
import { SkyError } from '../util/errors';
import type { ProgressSink } from '../util/progress';
import type { PromptUi } from '../util/prompt';
import { NODE_DIRS } from './nodeScripts';

// Every rclone mount whose remote is one of ours (sky-<store>-<bucket>:…), then our conf files.
const UNMOUNT_ALL = `set -u
findmnt -rn -t fuse.rclone -o TARGET,SOURCE 2>/dev/null | while read -r target source; do
  case "$source" in sky-*) target=$(printf '%b' "$target")
    if fusermount3 -uz "$target" 2>/dev/null || fusermount -uz "$target" 2>/dev/null || sudo -n umount -l "$target" 2>/dev/null; then echo "unmounted $target"; else echo "failed $target"; fi;;
  esac
done
rm -f ~/${NODE_DIRS.conf}/sky-*.conf
`;

export interface TeardownResult {
  unmounted: Record<string, string[]>;
  buckets: DeleteOutcome[];
  /** Non-persistent buckets left in place because the deletion was not confirmed. */
  kept: string[];
}

export async function teardownCluster(opts: {
  config: SkyConfig;
  cluster: Cluster;
  pool: SshPool;
  ui: PromptUi;
  yes?: boolean;
  token?: CancellationToken;
  progress?: ProgressSink;
}): Promise<TeardownResult> {
  const unmounted: Record<string, string[]> = {};
  await Promise.all(
    opts.cluster.nodes.map(async (n) => {
      opts.progress?.report({ phase: 'Unmounting', node: n.alias });
      const r = await exec((await opts.pool.get(n.alias)).client, 'bash -s', {
        stdin: UNMOUNT_ALL,
        token: opts.token,
      });
      const lines = r.stdout.split('\n').filter(Boolean);
      const failed = lines.filter((l) => l.startsWith('failed '));
      if (failed.length)
        throw new SkyError(
          'unmount-failed',
          `Could not unmount on ${n.alias}: ${failed.map((l) => l.slice(7)).join(', ')}`,
        );
      unmounted[n.alias] = lines.map((l) => l.replace(/^unmounted /, ''));
    }),
  );
  const ephemeral = readRecords().filter((r) => r.persistent === false && r.cluster === opts.cluster.name);
  const buckets: DeleteOutcome[] = [];
  for (const store of [...new Set(ephemeral.map((r) => r.store))]) {
    opts.progress?.report({ phase: 'Deleting non-persistent buckets', message: store });
    buckets.push(
      ...(await deleteBuckets({
        config: opts.config,
        patterns: ephemeral.filter((r) => r.store === store).map((r) => r.name),
        store,
        ui: opts.ui,
        yes: opts.yes,
        token: opts.token,
        progress: opts.progress,
      })),
    );
  }
  const kept = ephemeral.filter((r) => !buckets.some((b) => b.name === r.name && b.store === r.store));
  return { unmounted, buckets, kept: kept.map((r) => `${r.name} (${r.store})`) };
}
