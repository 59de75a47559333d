import type { ClusterSession } from '../../services/clusterSession';

/** Sky: Refresh (Clusters): the config, the inventory and the connections are read again. */
export function refreshClusters(session: ClusterSession): void {
  session.refresh();
}
