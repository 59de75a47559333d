import * as vscode from 'vscode';
import { launchTask } from '../../engine/launch/run';
import type { LaunchPreview } from '../../engine/launch/preview';
import { renderPreview } from '../../engine/launch/previewText';
import { createStorageMounter } from '../../engine/mounts/attach';
import { throwIfCancelled } from '../../engine/util/cancellation';
import { taskUri, type LaunchDepsUi } from './launchTask';

/**
 * Sky: Preview Launch — the engine's dry run of `launch` on a picked cluster (what would be sent,
 * excluded, deleted and done to buckets), opened as a Markdown document. It runs nothing from the
 * workspace and only reads the nodes and stores, so unlike Launch it does not need workspace trust.
 */
export async function previewLaunch(
  arg: unknown,
  deps: Pick<LaunchDepsUi, 'session' | 'ui' | 'log'>,
): Promise<{ preview: LaunchPreview; document: vscode.TextDocument } | undefined> {
  const uri = taskUri(arg, 'preview its launch');
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  deps.session.reset();
  const { config, inventory, pool } = deps.session.get();
  if (!inventory.clusters.length)
    throw new Error(
      `No clusters found. Add hosts to ${inventory.sshConfigFile} (NAME, NAME-worker1…) or a clusters section to the config.`,
    );
  const ui = deps.ui();
  const rel = vscode.workspace.asRelativePath(uri);
  const clusterName = await ui.pick(
    `Preview the launch of ${rel} on which cluster?`,
    inventory.clusters.map((c) => ({
      label: c.name,
      description: `${c.nodes.length} node(s) · ${c.source}`,
      detail: c.nodes.map((n) => n.alias).join(', '),
      value: c.name,
    })),
  );
  if (!clusterName) return undefined;
  const preview = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Sky: Previewing the launch of ${rel} on ${clusterName}`,
      cancellable: true,
    },
    async (_progress, token) => {
      const result = await launchTask(
        { kind: 'launch', taskFile: uri.fsPath, cluster: clusterName, dryRun: true },
        {
          config,
          pool,
          ui,
          // Required for a task with bucket mounts to be accepted; a dry run never calls it.
          mountStorage: createStorageMounter({ config, ui, cluster: clusterName, command: 'preview' }),
          log: deps.log,
          token,
        },
      );
      throwIfCancelled(token);
      return result.preview!;
    },
  );
  const document = await vscode.workspace.openTextDocument({
    language: 'markdown',
    content: renderPreview(preview),
  });
  await vscode.window.showTextDocument(document, { preview: false });
  return { preview, document };
}
