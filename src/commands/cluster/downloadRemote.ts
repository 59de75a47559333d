import * as vscode from 'vscode';
import type { Client } from 'ssh2';
import { downloadFromNode } from '../../engine/launch/download';
import { formatBytes } from '../../engine/util/progress';
import type { PromptUi } from '../../engine/util/prompt';
import type { ClusterTreeItem } from '../../services/clusterItems';
import type { ClusterSession } from '../../services/clusterSession';

type RemoteItem = Extract<ClusterTreeItem, { kind: 'remote' }>;

/** Download… on a remote file or folder: artifact download with progress and cancel; folders keep structure. */
export async function downloadRemote(
  item: RemoteItem,
  session: ClusterSession,
  ui: PromptUi,
  pickFolder: () => Promise<vscode.Uri | undefined>,
): Promise<string | undefined> {
  if (!item || item.kind !== 'remote')
    throw new Error('Pick a file or folder under a node in the Clusters view.');
  const dest = await pickFolder();
  if (!dest) return undefined;
  // Leased: a download outlasts the Clusters view's refreshes.
  return session.use(async ({ pool }) =>
    downloadWith((await pool.get(item.node.alias)).client, item, ui, dest),
  );
}

function downloadWith(c: Client, item: RemoteItem, ui: PromptUi, dest: vscode.Uri): Thenable<string> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Sky: Downloading ${item.path} from ${item.node.alias}`,
      cancellable: true,
    },
    async (progress, token) => {
      let last = 0;
      const r = await downloadFromNode(c, item.path, dest.fsPath, {
        token,
        ui,
        progress: {
          report(e) {
            if (Date.now() - last < 250) return;
            last = Date.now();
            progress.report({ message: `${e.files?.done ?? 0} files, ${formatBytes(e.bytes?.done ?? 0)}` });
          },
        },
      });
      void vscode.window.showInformationMessage(
        `Downloaded ${r.files} file(s) (${formatBytes(r.bytes)}) to ${r.target}`,
      );
      return r.target;
    },
  );
}
