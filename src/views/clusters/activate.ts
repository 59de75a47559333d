import * as vscode from 'vscode';
import type { LogSink } from '../../engine/util/log';
import type { PromptUi } from '../../engine/util/prompt';
import { registerCommand } from '../../commands/register';
import { launchOrExec } from '../../commands/cluster/launchTask';
import { previewLaunch } from '../../commands/cluster/previewLaunch';
import {
  cancelJobCommand,
  copySshCommand,
  downloadRemote,
  openSshTerminal,
  showJobLogs,
} from '../../commands/cluster/showJobLogs';
import { ClustersTreeProvider, ClusterTreeItem } from './clustersTree';
import { ClusterSession } from '../../services/clusterSession';
import { JobTerminal } from '../../ui/jobTerminal';
import { pickDownloadFolder } from '../../ui/downloadFolderPicker';

export interface ClustersApi {
  tree: ClustersTreeProvider;
  session: ClusterSession;
  terminals: JobTerminal[];
  /** Destination picker for downloads (tests replace it). */
  pickFolder: () => Promise<vscode.Uri | undefined>;
  /** The visible view's refresh period (tests shorten it; 15 s otherwise). */
  setRefreshPeriod(ms: number): void;
}

export function activateClusters(
  context: vscode.ExtensionContext,
  deps: { log: LogSink; ui: () => PromptUi },
): ClustersApi {
  const session = new ClusterSession(deps.log, deps.ui);
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
  const onTerminal = (t: JobTerminal) => api.terminals.push(t);
  // Poll only while the view is visible: running jobs change status.
  let timer: NodeJS.Timeout | undefined;
  let periodMs = 15_000;
  const poll = () => {
    if (timer) clearInterval(timer);
    timer = view.visible ? setInterval(() => tree.refresh(undefined), periodMs) : undefined;
  };
  context.subscriptions.push(session, view, view.onDidChangeVisibility(poll), {
    dispose: () => timer && clearInterval(timer),
  });
  const launchDeps = { session, ui: deps.ui, log: deps.log, onTerminal, onDone: () => tree.refresh() };
  registerCommand(context, 'sky.launchTask', (uri?: vscode.Uri) => launchOrExec('launch', uri, launchDeps));
  registerCommand(context, 'sky.execTask', (uri?: vscode.Uri) => launchOrExec('exec', uri, launchDeps));
  registerCommand(context, 'sky.previewLaunch', (uri?: vscode.Uri) => previewLaunch(uri, launchDeps));
  registerCommand(context, 'sky.refreshClusters', () => tree.refresh());
  registerCommand(context, 'sky.showJobLogs', (item: Extract<ClusterTreeItem, { kind: 'job' }>) =>
    showJobLogs(item, session, onTerminal),
  );
  registerCommand(context, 'sky.cancelJob', async (item: Extract<ClusterTreeItem, { kind: 'job' }>) => {
    if (await cancelJobCommand(item, session, deps.ui())) tree.refresh();
  });
  registerCommand(context, 'sky.downloadRemote', (item: Extract<ClusterTreeItem, { kind: 'remote' }>) =>
    downloadRemote(item, session, deps.ui(), () => api.pickFolder()),
  );
  registerCommand(context, 'sky.openSshTerminal', (item: Extract<ClusterTreeItem, { kind: 'node' }>) =>
    openSshTerminal(item, session),
  );
  registerCommand(context, 'sky.copySshCommand', (item: Extract<ClusterTreeItem, { kind: 'node' }>) =>
    copySshCommand(item, session),
  );
  return api;
}
