import * as vscode from 'vscode';
import type { LogSink } from './engine/util/log';
import { redactingLog } from './engine/util/log';
import type { PromptUi } from './engine/util/prompt';
import { initCommands, registerCommand } from './commands/register';
import { openConfig } from './commands/openConfig';
import { vscodeUi } from './ui/vscodeUi';
import { activateLanguage, type LanguageApi } from './schema/activate';
import { activateClusters, type ClustersApi } from './views/clusters/activate';
import { activateStorage, type StorageApi } from './views/storage/activate';
import { newTaskFromTemplate } from './commands/newTaskFromTemplate';
import {
  activateWalkthrough,
  showWalkthroughOnFirstRun,
  WALKTHROUGH_ID,
  type WalkthroughApi,
} from './walkthrough/progress';

/** What activate() returns: used by the vscode-tier tests to script prompts and reach services. */
export interface SkyExtensionApi {
  log: LogSink;
  /** The PromptUi every command uses; tests replace it with a ScriptedUi. */
  ui: PromptUi;
  setUi(ui: PromptUi | undefined): void;
  language: LanguageApi;
  clusters: ClustersApi;
  storage: StorageApi;
  walkthrough: WalkthroughApi;
}

export function activate(context: vscode.ExtensionContext): SkyExtensionApi {
  const output = vscode.window.createOutputChannel('Sky', { log: true });
  context.subscriptions.push(output);
  const log = redactingLog({
    trace: (m) => output.trace(m),
    debug: (m) => output.debug(m),
    info: (m) => output.info(m),
    warn: (m) => output.warn(m),
    error: (m) => output.error(m),
  });
  initCommands({ log, output });
  const api: SkyExtensionApi = {
    log,
    ui: vscodeUi,
    setUi(ui) {
      api.ui = ui ?? vscodeUi;
    },
    language: undefined as unknown as LanguageApi,
    clusters: undefined as unknown as ClustersApi,
    storage: undefined as unknown as StorageApi,
    walkthrough: undefined as unknown as WalkthroughApi,
  };

  registerCommand(context, 'sky.openConfig', () => openConfig());
  registerCommand(context, 'sky.showOutput', () => output.show(true));
  api.storage = activateStorage(context, { log, ui: () => api.ui });
  api.language = activateLanguage(context, { log, bucketNames: api.storage.bucketNames });
  api.clusters = activateClusters(context, { log, ui: () => api.ui });
  api.walkthrough = activateWalkthrough(context, { log });
  registerCommand(context, 'sky.newTaskFromTemplate', () =>
    newTaskFromTemplate(context.extensionPath, api.ui),
  );
  registerCommand(context, 'sky.openWalkthrough', () =>
    vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false),
  );
  void showWalkthroughOnFirstRun(context).catch((err: Error) => log.warn(`walkthrough: ${err.message}`));

  log.info(`Sky activated (workspace trusted: ${vscode.workspace.isTrusted})`);
  return api;
}

export function deactivate(): void {}
