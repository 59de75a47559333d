// The Clusters view's items: plain data that the view shows and its commands receive.
import type { Cluster, ClusterNode } from '../engine/cluster/clusters';
import type { JobRecord } from '../engine/launch/jobs';

export type ClusterTreeItem =
  | { kind: 'cluster'; cluster: Cluster }
  | { kind: 'node'; cluster: Cluster; node: ClusterNode }
  | { kind: 'jobs'; cluster: Cluster }
  | { kind: 'job'; cluster: Cluster; job: JobRecord }
  | { kind: 'remote'; node: ClusterNode; path: string; isDir: boolean; size: number }
  | { kind: 'message'; id: string; text: string; error?: boolean };
