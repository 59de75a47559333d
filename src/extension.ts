import * as vscode from 'vscode';
import type { LogSink } from './engine/util/log';
import { redactingLog } from './engine/util/log';
import type { PromptUi } from './engine/util/prompt';
import { initCommands } from './commands/register';
import { PropertiesDocs } from './ui/propertiesDocs';
import { bindCommands } from './commands/bindings';
import { vscodeUi } from './ui/vscodeUi';
import { ClusterSession } from './services/clusterSession';
import { StorageSession } from './services/storageSession';
import { activateLanguage, type LanguageApi } from './schema/activate';
import { activateClusters, type ClustersApi } from './views/clusters/activate';
import { activateStorage, type StorageApi } from './views/storage/activate';
import { activateWalkthrough, showWalkthroughOnFirstRun, type WalkthroughApi } from './walkthrough/progress';

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
  const ui = () => api.ui;
  // One session per view area: its tree and its commands share it.
  const storage = new StorageSession();
  const clusters = new ClusterSession(log, ui);
  const properties = new PropertiesDocs();
  const storageApi = activateStorage(context, { log, session: storage, ui, properties });
  const clustersApi = activateClusters(context, { session: clusters });
  const api: SkyExtensionApi = {
    log,
    ui: vscodeUi,
    setUi(next) {
      api.ui = next ?? vscodeUi;
    },
    storage: storageApi,
    language: activateLanguage(context, { log, bucketNames: storageApi.bucketNames }),
    clusters: clustersApi,
    walkthrough: activateWalkthrough(context, { log }),
  };
  bindCommands(context, {
    extensionPath: context.extensionPath,
    log,
    output,
    ui,
    storage,
    properties,
    clusters,
    validate: (doc) => api.language.validate(doc),
    pick: {
      storageFolder: () => api.storage.pickFolder(),
      uploads: (folders) => api.storage.pickUploads(folders),
      clusterFolder: () => api.clusters.pickFolder(),
    },
    onTerminal: (t) => api.clusters.terminals.push(t),
  });
  void showWalkthroughOnFirstRun(context).catch((err: Error) => log.warn(`walkthrough: ${err.message}`));

  log.info(`Sky activated (workspace trusted: ${vscode.workspace.isTrusted})`);
  return api;
}

export function deactivate(): void {}
