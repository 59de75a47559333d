import * as vscode from 'vscode';
import type { JobRecord } from '../../engine/launch/jobs';
import { errorMessage } from '../../engine/util/errors';
import { formatBytes } from '../../engine/util/progress';
import type { ClusterTreeItem } from '../../services/clusterItems';
import type { ClusterSession } from '../../services/clusterSession';
import { unreachableReason, type SkyPilotCluster } from '../../engine/skypilot/state';

function skyClusterReason(c: SkyPilotCluster): string {
  return (
    unreachableReason(c) ??
    `SkyPilot cluster ${c.name} is UP but no SSH config names it (SkyPilot writes ~/.sky/generated/ssh/${c.name}).`
  );
}

const JOB_ICONS: Record<string, string> = {
  SUCCEEDED: 'pass',
  FAILED: 'error',
  FAILED_SETUP: 'error',
  CANCELLED: 'circle-slash',
  RUNNING: 'sync~spin',
  SETTING_UP: 'loading~spin',
  PENDING: 'clock',
};

function duration(job: JobRecord): string {
  if (!job.startedAt) return '';
  const end = job.endedAt ? Date.parse(job.endedAt) : Date.now();
  const s = Math.max(0, Math.round((end - Date.parse(job.startedAt)) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

/**
 * Clusters → nodes (reachable or the error, with a lazy file browser of ~/sky_workdir and ~) and jobs,
 * as the Clusters session finds them; a refresh of the session lists everything again.
 */
export class ClustersTreeProvider implements vscode.TreeDataProvider<ClusterTreeItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ClusterTreeItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listening: vscode.Disposable;
  constructor(private readonly session: ClusterSession) {
    this.listening = session.onDidChange(() => this.changed.fire(undefined));
  }

  dispose(): void {
    this.listening.dispose();
    this.changed.dispose();
  }

  getTreeItem(e: ClusterTreeItem): vscode.TreeItem {
    switch (e.kind) {
      case 'cluster': {
        const t = new vscode.TreeItem(e.cluster.name, vscode.TreeItemCollapsibleState.Collapsed);
        t.id = `cluster:${e.cluster.name}`;
        t.description = `${e.cluster.nodes.length} node${e.cluster.nodes.length > 1 ? 's' : ''} · ${e.cluster.source}${e.skypilotStatus ? ` · SkyPilot: ${e.skypilotStatus}` : ''}`;
        t.iconPath = new vscode.ThemeIcon('server-environment');
        t.contextValue = 'cluster';
        return t;
      }
      case 'skyCluster': {
        const t = new vscode.TreeItem(e.cluster.name, vscode.TreeItemCollapsibleState.Collapsed);
        t.id = `skycluster:${e.cluster.name}`;
        t.description = `SkyPilot: ${e.cluster.status}${e.cluster.nodes ? ` · ${e.cluster.nodes} node${e.cluster.nodes > 1 ? 's' : ''}` : ''}`;
        t.tooltip = skyClusterReason(e.cluster);
        t.iconPath = new vscode.ThemeIcon(
          e.cluster.status === 'STOPPED' ? 'debug-stop' : 'server-environment',
        );
        t.contextValue = 'skypilotCluster';
        return t;
      }
      case 'node': {
        const t = new vscode.TreeItem(e.node.alias, vscode.TreeItemCollapsibleState.Collapsed);
        t.id = `node:${e.node.alias}`;
        t.description = e.node.role;
        t.iconPath = new vscode.ThemeIcon(e.node.role === 'head' ? 'vm' : 'vm-outline');
        t.contextValue = 'node';
        return t;
      }
      case 'jobs': {
        const t = new vscode.TreeItem('Jobs', vscode.TreeItemCollapsibleState.Collapsed);
        t.id = `jobs:${e.cluster.name}`;
        t.iconPath = new vscode.ThemeIcon('list-unordered');
        return t;
      }
      case 'job': {
        const t = new vscode.TreeItem(`${e.job.id}: ${e.job.name}`, vscode.TreeItemCollapsibleState.None);
        t.id = `job:${e.cluster.name}:${e.job.id}`;
        t.description = `${e.job.status} ${duration(e.job)}`.trim();
        t.tooltip = `${e.job.taskId}\nsubmitted ${e.job.submittedAt}\nnodes: ${e.job.nodes.join(', ')}`;
        t.iconPath = new vscode.ThemeIcon(JOB_ICONS[e.job.status] ?? 'circle-outline');
        t.contextValue = ['RUNNING', 'SETTING_UP', 'PENDING'].includes(e.job.status) ? 'jobRunning' : 'job';
        t.command = { command: 'sky.showJobLogs', title: 'Show Job Logs', arguments: [e] };
        return t;
      }
      case 'remote': {
        // The two roots show their full path (~/sky_workdir, ~); entries below show their name.
        const name =
          e.path === '~' || e.path === '~/sky_workdir' ? e.path : (e.path.split('/').pop() ?? e.path);
        const t = new vscode.TreeItem(
          name,
          e.isDir ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        t.id = `remote:${e.node.alias}:${e.path}`;
        t.description = e.isDir ? undefined : formatBytes(e.size);
        t.tooltip = `${e.node.alias}:${e.path}`;
        t.iconPath = e.isDir ? vscode.ThemeIcon.Folder : vscode.ThemeIcon.File;
        t.contextValue = e.isDir ? 'remoteDir' : 'remoteFile';
        return t;
      }
      case 'message': {
        const t = new vscode.TreeItem(e.text, vscode.TreeItemCollapsibleState.None);
        t.id = e.id;
        t.iconPath = new vscode.ThemeIcon(e.error ? 'warning' : 'info');
        t.tooltip = e.text;
        return t;
      }
    }
  }

  async getChildren(e?: ClusterTreeItem): Promise<ClusterTreeItem[]> {
    try {
      if (!e) {
        const { inventory } = this.session.get();
        let sky: SkyPilotCluster[] = [];
        let skyError: unknown;
        try {
          sky = (await this.session.skyPilotState())?.clusters ?? [];
        } catch (err) {
          skyError = err;
        }
        const out: ClusterTreeItem[] = inventory.clusters.map((cluster) => ({
          kind: 'cluster',
          cluster,
          skypilotStatus: sky.find((c) => c.name === cluster.name)?.status,
        }));
        const known = new Set(inventory.clusters.map((c) => c.name));
        for (const c of sky) if (!known.has(c.name)) out.push({ kind: 'skyCluster', cluster: c });
        if (skyError !== undefined)
          out.push({
            kind: 'message',
            id: 'err:skypilot',
            text: `SkyPilot's clusters: ${errorMessage(skyError).split('\n')[0]}`,
            error: true,
          });
        return out;
      }
      if (e.kind === 'skyCluster')
        return [
          {
            kind: 'message',
            id: `skyreason:${e.cluster.name}`,
            text: skyClusterReason(e.cluster),
            error: true,
          },
        ];
      if (e.kind === 'cluster') {
        return [
          ...e.cluster.nodes.map((node) => ({ kind: 'node' as const, cluster: e.cluster, node })),
          { kind: 'jobs', cluster: e.cluster },
        ];
      }
      if (e.kind === 'node') {
        await this.session.connect(e.node.alias);
        return [
          { kind: 'remote', node: e.node, path: '~/sky_workdir', isDir: true, size: 0 },
          { kind: 'remote', node: e.node, path: '~', isDir: true, size: 0 },
        ];
      }
      if (e.kind === 'jobs') {
        const jobs = await this.session.listJobs(e.cluster);
        if (!jobs.length) return [{ kind: 'message', id: `nojobs:${e.cluster.name}`, text: 'No jobs yet' }];
        return jobs.reverse().map((job) => ({ kind: 'job', cluster: e.cluster, job }));
      }
      if (e.kind === 'remote' && e.isDir) {
        const items = (await this.session.listDir(e.node.alias, e.path)).map((x) => ({
          kind: 'remote' as const,
          node: e.node,
          ...x,
        }));
        return items.length
          ? items
          : [{ kind: 'message', id: `empty:${e.node.alias}:${e.path}`, text: '[empty]' }];
      }
      return [];
    } catch (err) {
      const id = e ? `err:${JSON.stringify(e.kind)}:${'node' in e ? e.node.alias : ''}` : 'err:root';
      return [{ kind: 'message', id, text: errorMessage(err).split('\n')[0], error: true }];
    }
  }
}
