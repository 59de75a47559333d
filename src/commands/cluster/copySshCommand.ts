import * as vscode from 'vscode';
import { sshArgv, sshShellLine } from '../../engine/ssh/sshCommand';
import type { ClusterTreeItem } from '../../services/clusterItems';
import type { ClusterSession } from '../../services/clusterSession';

/** Copy SSH Command: a line for a POSIX shell, every value single-quoted. */
export async function copySshCommand(
  item: Extract<ClusterTreeItem, { kind: 'node' }>,
  session: ClusterSession,
): Promise<string> {
  const cmd = sshShellLine(sshArgv(session.sshTarget(item.node.alias)));
  await vscode.env.clipboard.writeText(cmd);
  return cmd;
}
