import * as vscode from 'vscode';
import { performance } from 'perf_hooks';
import { launchTask, type LaunchResult } from '../../engine/launch/run';
import { createStorageMounter } from '../../engine/mounts/attach';
import type { PromptUi } from '../../engine/util/prompt';
import type { LogSink } from '../../engine/util/log';
import { CancelledError, throwIfCancelled } from '../../engine/util/cancellation';
import { formatBytes } from '../../engine/util/progress';
import { PhaseClock } from '../../engine/util/timings';
import { requireTrust } from '../register';
import type { ClusterSession, ClusterState } from '../../services/clusterSession';
import { JobTerminal } from '../../ui/jobTerminal';

export interface LaunchDepsUi {
  session: ClusterSession;
  ui: () => PromptUi;
  log: LogSink;
  onTerminal?: (t: JobTerminal) => void;
  onDone?: () => void;
}

/** The task file a command acts on: the Explorer's argument, else the active YAML editor. */
export function taskUri(arg: unknown, action = 'launch it'): vscode.Uri {
  if (arg instanceof vscode.Uri) return arg;
  const editor = vscode.window.activeTextEditor;
  if (editor && /\.ya?ml$/i.test(editor.document.fileName)) return editor.document.uri;
  throw new Error(`Open a task YAML file (or right-click one in the Explorer) to ${action}.`);
}

/** Sky: Launch Task / Sky: Exec Task — pick a cluster, confirm, then a cancellable progress notification and a job terminal. */
export async function launchOrExec(
  kind: 'launch' | 'exec',
  arg: unknown,
  deps: LaunchDepsUi,
): Promise<LaunchResult | undefined> {
  requireTrust(kind === 'launch' ? 'Sky: Launch Task' : 'Sky: Exec Task');
  const uri = taskUri(arg);
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  // A fresh config for every launch; the pool it replaces stays open for the jobs and terminals using it.
  deps.session.reset();
  const session = deps.session.lease();
  try {
    return await launchOn(kind, uri, session, deps);
  } finally {
    session.release();
  }
}

async function launchOn(
  kind: 'launch' | 'exec',
  uri: vscode.Uri,
  { config, inventory, pool }: ClusterState,
  deps: LaunchDepsUi,
): Promise<LaunchResult | undefined> {
  if (!inventory.clusters.length)
    throw new Error(
      `No clusters found. Add hosts to ${inventory.sshConfigFile} (NAME, NAME-worker1…) or a clusters section to the config.`,
    );
  const ui = deps.ui();
  const clusterName = await ui.pick(
    `${kind === 'launch' ? 'Launch' : 'Exec'} ${vscode.workspace.asRelativePath(uri)} on which cluster?`,
    inventory.clusters.map((c) => ({
      label: c.name,
      description: `${c.nodes.length} node(s) · ${c.source}`,
      detail: c.nodes.map((n) => n.alias).join(', '),
      value: c.name,
    })),
  );
  if (!clusterName) return undefined;
  const ok = await ui.confirm(
    `${kind === 'launch' ? 'Launch' : 'Exec'} ${vscode.workspace.asRelativePath(uri)} on ${clusterName}?`,
    {
      detail:
        kind === 'launch'
          ? 'Syncs the workdir and file_mounts to every node, runs setup, then run.'
          : 'Syncs the workdir and runs (no setup, no file_mounts).',
      confirmLabel: kind === 'launch' ? 'Launch' : 'Exec',
    },
  );
  if (!ok) return undefined;
  const term = JobTerminal.create(`Sky: ${clusterName}`);
  deps.onTerminal?.(term);
  term.terminal?.show(true);
  term.info(`${kind} ${uri.fsPath} on ${clusterName}`);
  let multi = false;
  const colors = new Map<string, number>();
  try {
    return await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Sky: ${kind === 'launch' ? 'Launching' : 'Executing'} on ${clusterName}`,
        cancellable: true,
      },
      async (progress, token) => {
        term.onCancel = () => deps.log.info('Use Cancel on the progress notification to stop the job.');
        let last = 0;
        const clock = new PhaseClock(performance.now());
        const result = await launchTask(
          { kind, taskFile: uri.fsPath, cluster: clusterName },
          {
            config,
            pool,
            ui,
            mountStorage: createStorageMounter({
              config,
              ui,
              cluster: clusterName,
              command: `VS Code: Sky: ${kind === 'launch' ? 'Launch' : 'Exec'} Task ${vscode.workspace.asRelativePath(uri)}`,
            }),
            log: deps.log,
            token,
            timings: clock,
            progress: {
              report(e) {
                const now = Date.now();
                if (!e.phase && now - last < 250) return;
                last = now;
                const parts = [
                  e.phase,
                  e.node && `[${e.node}]`,
                  e.files && `${e.files.done}/${e.files.total ?? '?'} files`,
                  e.bytes && formatBytes(e.bytes.done),
                  e.message,
                ].filter(Boolean);
                progress.report({ message: parts.join(' ') });
                if (e.phase && !e.files) term.info(parts.join(' '));
              },
            },
            onJob: (job) => {
              multi = job.nodes.length > 1;
              term.info(`Job ${job.id} (${job.taskId})`);
            },
            output: (node, line) => {
              if (!colors.has(node)) colors.set(node, colors.size);
              term.nodeLine(node, line, multi, colors.get(node)!);
            },
          },
        );
        deps.log.info(`${kind} on ${clusterName}: ${clock.render()}`);
        throwIfCancelled(token);
        term.finish(result.exitCode, `Job ${result.job?.id} ${result.job?.status}`);
        const msg = `Sky: job ${result.job?.id} on ${clusterName} ${result.job?.status} (exit code ${result.exitCode}).`;
        if (result.exitCode === 0) void vscode.window.showInformationMessage(msg);
        else void vscode.window.showErrorMessage(msg, 'Show Logs').then((c) => c && term.terminal?.show());
        return result;
      },
    );
  } catch (err) {
    if (err instanceof CancelledError) term.finish(143, err.message);
    else term.line(`\x1b[31m${err instanceof Error ? err.message : String(err)}\x1b[0m`);
    throw err;
  } finally {
    deps.onDone?.();
  }
}
