import * as vscode from 'vscode';
import type { ClusterSession } from '../../services/clusterSession';
import type { JobTerminal } from '../../ui/jobTerminal';
import { pickDownloadFolder } from '../../ui/downloadFolderPicker';
import { ClustersTreeProvider } from './clustersTree';

export interface ClustersApi {
  tree: ClustersTreeProvider;
  session: ClusterSession;
  terminals: JobTerminal[];
  /** Destination picker for downloads (tests replace it). */
  pickFolder: () => Promise<vscode.Uri | undefined>;
  /** The visible view's refresh period (tests shorten it; 15 s otherwise). */
  setRefreshPeriod(ms: number): void;
}

/** The Clusters view: its tree over the Clusters session, refreshed while it is visible. */
export function activateClusters(
  context: vscode.ExtensionContext,
  deps: { session: ClusterSession },
): ClustersApi {
  const session = deps.session;
  const tree = new ClustersTreeProvider(session);
  const view = vscode.window.createTreeView('sky.clusters', {
    treeDataProvider: tree,
    showCollapseAll: true,
  });
  const api: ClustersApi = {
    tree,
    session,
    terminals: [],
    pickFolder: pickDownloadFolder,
    setRefreshPeriod: (ms) => {
      periodMs = ms;
      poll();
    },
  };
  // Poll only while the view is visible: running jobs change status.
  let timer: NodeJS.Timeout | undefined;
  let periodMs = 15_000;
  const poll = () => {
    if (timer) clearInterval(timer);
    timer = view.visible ? setInterval(() => session.refresh(), periodMs) : undefined;
  };
  context.subscriptions.push(session, tree, view, view.onDidChangeVisibility(poll), {
    dispose: () => timer && clearInterval(timer),
  });
  return api;
}
