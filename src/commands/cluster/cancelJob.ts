import type { PromptUi } from '../../engine/util/prompt';
import type { ClusterTreeItem } from '../../services/clusterItems';
import type { ClusterSession } from '../../services/clusterSession';

type JobItem = Extract<ClusterTreeItem, { kind: 'job' }>;

/** Sky: Cancel Job: after a confirm, on every node of the cluster; the Clusters view lists again. */
export async function cancelJobCommand(
  item: JobItem,
  session: ClusterSession,
  ui: PromptUi,
): Promise<boolean> {
  if (!item || item.kind !== 'job') throw new Error('Pick a job in the Clusters view.');
  const ok = await ui.confirm(`Cancel job ${item.job.id} (${item.job.name}) on ${item.cluster.name}?`, {
    destructive: true,
    confirmLabel: 'Cancel Job',
  });
  if (!ok) return false;
  await session.cancelJob(item.cluster, item.job);
  session.refresh();
  return true;
}
