import * as vscode from 'vscode';
import { sshArgv } from '../../engine/ssh/sshCommand';
import type { ClusterTreeItem } from '../../services/clusterItems';
import type { ClusterSession } from '../../services/clusterSession';

/** Open SSH Terminal: the terminal starts ssh itself with its arguments, no shell line to quote. */
export function openSshTerminal(
  item: Extract<ClusterTreeItem, { kind: 'node' }>,
  session: ClusterSession,
): vscode.Terminal {
  const t = vscode.window.createTerminal({
    name: `ssh ${item.node.alias}`,
    iconPath: new vscode.ThemeIcon('terminal'),
    shellPath: 'ssh',
    shellArgs: sshArgv(session.sshTarget(item.node.alias)),
  });
  t.show();
  return t;
}
