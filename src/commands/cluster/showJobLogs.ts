import { jobLogs } from '../../engine/launch/follow';
import type { ClusterTreeItem } from '../../services/clusterItems';
import type { ClusterSession } from '../../services/clusterSession';
import { JobTerminal } from '../../ui/jobTerminal';

type JobItem = Extract<ClusterTreeItem, { kind: 'job' }>;

/** Sky: Show Job Logs — re-attaches to a running or finished job in a new terminal. */
export async function showJobLogs(
  item: JobItem,
  session: ClusterSession,
  onTerminal?: (t: JobTerminal) => void,
): Promise<void> {
  if (!item || item.kind !== 'job') throw new Error('Pick a job in the Clusters view.');
  // Leased: following a running job outlasts the Clusters view's refreshes.
  await session.use(async ({ pool }) => {
    const term = JobTerminal.create(`Sky: job ${item.job.id} on ${item.cluster.name}`);
    onTerminal?.(term);
    term.terminal?.show(true);
    const multi = item.job.nodes.length > 1;
    const code = await jobLogs(pool, item.job, {
      follow: true,
      onLine: (alias, l) => term.nodeLine(alias, l, multi, item.job.nodes.indexOf(alias)),
    });
    term.finish(code, `Job ${item.job.id}`);
  });
}
