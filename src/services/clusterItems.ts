// The Clusters view's items: plain data that the view shows and its commands receive.
import type { Cluster, ClusterNode } from '../engine/cluster/clusters';
import type { JobRecord } from '../engine/launch/jobs';
import type { SkyPilotCluster } from '../engine/skypilot/state';

export type ClusterTreeItem =
  | { kind: 'cluster'; cluster: Cluster; skypilotStatus?: string }
  /** A cluster SkyPilot knows (`sky status`) that no SSH config reaches: a stopped one, say. */
  | { kind: 'skyCluster'; cluster: SkyPilotCluster }
  | { kind: 'node'; cluster: Cluster; node: ClusterNode }
  | { kind: 'jobs'; cluster: Cluster }
  | { kind: 'job'; cluster: Cluster; job: JobRecord }
  | { kind: 'remote'; node: ClusterNode; path: string; isDir: boolean; size: number }
  | { kind: 'message'; id: string; text: string; error?: boolean };
