import * as path from 'path';
import * as vscode from 'vscode';
import { discoverClusters } from '../engine/cluster/clusters';
import { loadConfig } from '../engine/config/config';
import { configPath, expandHome } from '../engine/config/paths';
import type { LogSink } from '../engine/util/log';
import { onDidCompleteCommand } from '../commands/register';
import { isTaskDocument } from '../schema/taskFiles';
import { configFileFromSettings } from '../services/configFile';

/** The walkthrough contributed in package.json (`contributes.walkthroughs`). */
export const WALKTHROUGH_ID = 'sky-vscode.sky-vscode#sky.getStarted';

/**
 * The context keys that complete the walkthrough's steps (`onContext:` completion events). Each is
 * set by what a person really did, never by opening the walkthrough: VS Code then remembers the
 * step as done.
 */
export type WalkthroughKey =
  'taskOpened' | 'validated' | 'hoverShown' | 'storesFound' | 'clustersFound' | 'launched' | 'downloaded';
const CONTEXT: Record<WalkthroughKey, string> = {
  taskOpened: 'sky.walkthrough.taskOpened',
  validated: 'sky.walkthrough.validated',
  hoverShown: 'sky.walkthrough.hoverShown',
  storesFound: 'sky.walkthrough.storesFound',
  clustersFound: 'sky.walkthrough.clustersFound',
  launched: 'sky.walkthrough.launched',
  downloaded: 'sky.walkthrough.downloaded',
};
/** The walkthrough step (`contributes.walkthroughs[0].steps[].id`) each key completes. */
const STEP: Record<WalkthroughKey, string> = {
  taskOpened: 'task',
  validated: 'validate',
  hoverShown: 'validate',
  storesFound: 'stores',
  clustersFound: 'cluster',
  launched: 'launch',
  downloaded: 'download',
};

export interface WalkthroughApi {
  /** The keys set so far in this window (the vscode-tier test reads them). */
  done(): WalkthroughKey[];
  /** Every time a step's event happened, in order (a step completes on its first). */
  events(): WalkthroughKey[];
  /** Re-reads the config and SSH sources for the "Connect a store" and "Add a cluster" steps. */
  recheck(): boolean;
}

export function activateWalkthrough(
  context: vscode.ExtensionContext,
  deps: { log: LogSink },
): WalkthroughApi {
  const done = new Set<WalkthroughKey>();
  const events: WalkthroughKey[] = [];
  const mark = (key: WalkthroughKey) => {
    events.push(key);
    if (done.has(key)) return;
    done.add(key);
    deps.log.debug(`walkthrough: ${key}`);
    void vscode.commands.executeCommand('setContext', CONTEXT[key], true);
    // The context key alone is not enough: VS Code creates its walkthrough service lazily, and a
    // key that is already true when the service registers the steps never completes them (it
    // only listens for changes). So the step is also completed directly, as the walkthrough's own
    // "Mark Step Complete" does; that service remembers it across sessions.
    void Promise.resolve(
      vscode.commands.executeCommand('welcome.markStepComplete', `${WALKTHROUGH_ID}#${STEP[key]}`),
    ).catch((err: Error) => deps.log.debug(`walkthrough: step ${STEP[key]} not marked: ${err.message}`));
  };

  const onEditor = (e: vscode.TextEditor | undefined) => {
    if (e && isTaskDocument(e.document)) mark('taskOpened');
  };
  onEditor(vscode.window.activeTextEditor);
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(onEditor));

  // A hover on a task file: this provider adds nothing to the hover, it only notices that one was
  // asked for (the schema's own hover provider answers it).
  context.subscriptions.push(
    vscode.languages.registerHoverProvider(
      { language: 'yaml' },
      {
        provideHover(doc) {
          if (isTaskDocument(doc)) mark('hoverShown');
          return undefined;
        },
      },
    ),
  );

  // A launch or exec that ran to its end (the job terminal shows its exit code), and a download
  // of an artifact that wrote something: both through the one command-registration point.
  context.subscriptions.push(
    onDidCompleteCommand(({ id, result }) => {
      if (id === 'sky.validateTask') mark('validated');
      if ((id === 'sky.launchTask' || id === 'sky.execTask') && result !== undefined) mark('launched');
      if (id === 'sky.downloadRemote' && typeof result === 'string') mark('downloaded');
    }),
  );

  // Stores and clusters: what the config (and ~/.ssh/config, node pools) hold now.
  const recheck = (): boolean => {
    try {
      const config = loadConfig(configFileFromSettings());
      if (Object.keys(config.stores).length > 0) mark('storesFound');
      const found = discoverClusters(config).clusters.length > 0;
      if (found) mark('clustersFound');
      return found;
    } catch (err) {
      // A broken config is reported by the views that read it; here it only means "not yet".
      deps.log.debug(`walkthrough: clusters not checked: ${(err as Error).message}`);
      return false;
    }
  };
  recheck();
  const watchers = [configPath(), expandHome('~/.ssh/config')].map((f) =>
    vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(f)), path.basename(f)),
    ),
  );
  for (const w of watchers) {
    context.subscriptions.push(w, w.onDidChange(recheck), w.onDidCreate(recheck));
  }

  return { done: () => [...done], events: () => [...events], recheck };
}

/** Opens the walkthrough once, on the first activation in this profile (unless the setting is off). */
export async function showWalkthroughOnFirstRun(context: vscode.ExtensionContext): Promise<boolean> {
  const KEY = 'sky.walkthroughShown';
  if (context.globalState.get<boolean>(KEY)) return false;
  if (!vscode.workspace.getConfiguration('sky').get<boolean>('showWalkthroughOnFirstRun', true)) return false;
  await context.globalState.update(KEY, true);
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
  return true;
}
