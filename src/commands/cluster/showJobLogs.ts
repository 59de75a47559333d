import * as vscode from 'vscode';
import { cancelJob } from '../../engine/launch/cancel';
import { follow } from '../../engine/launch/follow';
import { exec } from '../../engine/ssh/exec';
import { jobDir } from '../../engine/launch/scripts';
import { downloadFromNode } from '../../engine/launch/download';
import { formatBytes } from '../../engine/util/progress';
import type { PromptUi } from '../../engine/util/prompt';
import type { ClusterSession } from '../../services/clusterSession';
import type { ClusterTreeItem } from '../../views/clusters/clustersTree';
import { JobTerminal } from '../../ui/jobTerminal';
import type { Client } from 'ssh2';
import { sshArgv, sshShellLine } from '../../engine/ssh/sshCommand';

type JobItem = Extract<ClusterTreeItem, { kind: 'job' }>;
type RemoteItem = Extract<ClusterTreeItem, { kind: 'remote' }>;

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
    let code = 0;
    for (const phase of ['setup', 'run'] as const) {
      await Promise.all(
        item.job.nodes.map(async (alias, i) => {
          const c = (await pool.get(alias)).client;
          if ((await exec(c, `[ -f ${jobDir(item.job.id)}/${phase}.pid ]`)).code !== 0) return;
          const rc = await follow(c, item.job.id, phase, (l) => term.nodeLine(alias, l, multi, i));
          if (rc !== 0) code = rc;
        }),
      );
    }
    term.finish(code, `Job ${item.job.id}`);
  });
}

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
  await session.use(({ pool }) =>
    cancelJob(
      pool,
      item.cluster.nodes.map((n) => n.alias),
      item.job,
    ),
  );
  return true;
}

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

function sshTarget(alias: string, session: ClusterSession) {
  const { inventory } = session.get();
  return { alias, sshConfig: inventory.sshConfig, sshConfigFile: inventory.sshConfigFile };
}

/** Open SSH Terminal: the terminal starts ssh itself with its arguments, no shell line to quote. */
export function openSshTerminal(
  item: Extract<ClusterTreeItem, { kind: 'node' }>,
  session: ClusterSession,
): vscode.Terminal {
  const t = vscode.window.createTerminal({
    name: `ssh ${item.node.alias}`,
    iconPath: new vscode.ThemeIcon('terminal'),
    shellPath: 'ssh',
    shellArgs: sshArgv(sshTarget(item.node.alias, session)),
  });
  t.show();
  return t;
}

/** Copy SSH Command: a line for a POSIX shell, every value single-quoted. */
export async function copySshCommand(
  item: Extract<ClusterTreeItem, { kind: 'node' }>,
  session: ClusterSession,
): Promise<string> {
  const cmd = sshShellLine(sshArgv(sshTarget(item.node.alias, session)));
  await vscode.env.clipboard.writeText(cmd);
  return cmd;
}
