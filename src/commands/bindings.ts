// Every command id of package.json bound to its handler, here and nowhere else; each goes through the
// one error wrapper (registerCommand in register.ts). Handlers live in commands/<area>/<verb>.ts and
// reach the views' state only through the session services.
import * as vscode from 'vscode';
import type { LogSink } from '../engine/util/log';
import type { PromptUi } from '../engine/util/prompt';
import type { ClusterTreeItem } from '../services/clusterItems';
import type { ClusterSession } from '../services/clusterSession';
import type { StorageItem } from '../services/storageItems';
import type { StorageSession } from '../services/storageSession';
import type { JobTerminal } from '../ui/jobTerminal';
import type { PropertiesDocs } from '../ui/propertiesDocs';
import { registerCommand } from './register';
import { openConfig } from './config/openConfig';
import { openWalkthrough } from './help/openWalkthrough';
import { showOutput } from './help/showOutput';
import { newTaskFromTemplate } from './task/newTaskFromTemplate';
import { validateTask, type ValidateDocument } from './task/validate';
import { copyUri } from './storage/copyUri';
import { createBucket } from './storage/createBucket';
import { createFolder } from './storage/createFolder';
import { deleteItems } from './storage/delete';
import { downloadItems } from './storage/download';
import { clearFilter, filterBucket } from './storage/filter';
import { loadMore } from './storage/loadMore';
import { openStorageObject } from './storage/open';
import { refreshStorage } from './storage/refresh';
import { retryListing } from './storage/retry';
import { selection } from './storage/selection';
import { uploadPicked } from './storage/upload';
import { deleteSkyPilotItems, skyPilotSelection } from './storage/skypilotDelete';
import { newestFirstPick, openInEditor, openInExplorer, showProperties } from './storage/objectActions';
import { addAsFileMount, copyOrMoveTo, goToUri, located, rename } from './storage/objectCommands';
import { cancelJobCommand } from './cluster/cancelJob';
import { copySshCommand } from './cluster/copySshCommand';
import { downloadRemote } from './cluster/downloadRemote';
import { launchOrExec } from './cluster/launchTask';
import { openSshTerminal } from './cluster/openSshTerminal';
import { previewLaunch } from './cluster/previewLaunch';
import { refreshClusters } from './cluster/refresh';
import { showJobLogs } from './cluster/showJobLogs';

export interface CommandServices {
  extensionPath: string;
  log: LogSink;
  output: vscode.LogOutputChannel;
  /** The PromptUi of the moment (tests swap it). */
  ui: () => PromptUi;
  storage: StorageSession;
  /** The documents Properties opens. */
  properties: PropertiesDocs;
  clusters: ClusterSession;
  validate: ValidateDocument;
  /** Pickers read at call time (tests replace them). */
  pick: {
    storageFolder(): Promise<vscode.Uri | undefined>;
    uploads(folders: boolean): Promise<vscode.Uri[] | undefined>;
    clusterFolder(): Promise<vscode.Uri | undefined>;
  };
  /** Each job terminal a command opens. */
  onTerminal(t: JobTerminal): void;
}

type Item<K extends StorageItem['kind']> = Extract<StorageItem, { kind: K }>;
type ClusterItem<K extends ClusterTreeItem['kind']> = Extract<ClusterTreeItem, { kind: K }>;

export function bindCommands(context: vscode.ExtensionContext, s: CommandServices): void {
  const bind = (id: string, handler: (...args: never[]) => unknown) => registerCommand(context, id, handler);
  const { storage, clusters, ui } = s;

  bind('sky.openConfig', () => openConfig());
  bind('sky.showOutput', () => showOutput(s.output));
  bind('sky.openWalkthrough', () => openWalkthrough());
  bind('sky.newTaskFromTemplate', () => newTaskFromTemplate(s.extensionPath, ui()));
  bind('sky.validateTask', (uri?: vscode.Uri) => validateTask(uri, s.validate));

  bind('sky.refreshStorage', (item?: StorageItem) => refreshStorage(storage, item));
  bind('sky.storage.open', (item: StorageItem) => openStorageObject(item));
  bind('sky.storage.retry', (error: Item<'error'>) => retryListing(storage, error));
  bind('sky.storage.loadMore', (more: Item<'more'>) => loadMore(storage, more));
  bind('sky.storage.download', (clicked?: StorageItem, selected?: StorageItem[]) =>
    downloadItems(storage, selection(clicked, selected), ui(), () => s.pick.storageFolder()),
  );
  bind('sky.storage.delete', (clicked?: StorageItem, selected?: StorageItem[]) => {
    // SkyPilot's own buckets are deleted through SkyPilot, so that its records stay true.
    const sky = skyPilotSelection(clicked, selected);
    return sky.length
      ? deleteSkyPilotItems(storage, sky, ui())
      : deleteItems(storage, selection(clicked, selected), ui());
  });
  bind('sky.storage.copyUri', async (item: StorageItem) => {
    const [it] = selection(item, undefined);
    if (!it) throw new Error('Select a bucket, folder or object.');
    const uri = await copyUri(storage, it);
    void vscode.window.setStatusBarMessage(`Copied ${uri}`, 3000);
    return uri;
  });
  bind('sky.storage.filter', (item: Item<'bucket'>) => filterBucket(storage, item, ui()));
  bind('sky.storage.clearFilter', (item: Item<'bucket'>) => clearFilter(storage, item));
  bind('sky.storage.uploadFiles', (item: Item<'bucket' | 'folder'>) =>
    uploadPicked(storage, item, () => s.pick.uploads(false)),
  );
  bind('sky.storage.uploadFolder', (item: Item<'bucket' | 'folder'>) =>
    uploadPicked(storage, item, () => s.pick.uploads(true)),
  );
  bind('sky.storage.createBucket', (item: Item<'store'>) => createBucket(storage, item, ui()));
  bind('sky.storage.createFolder', (item: StorageItem) => createFolder(storage, item, ui()));
  bind('sky.storage.properties', (item: StorageItem) => showProperties(storage, s.properties, item));
  bind('sky.storage.newestFirst', (item: StorageItem) => newestFirstPick(storage, item));
  bind('sky.storage.copyTo', (item: StorageItem) =>
    copyOrMoveTo(storage, located(item, 'copy it'), ui(), false),
  );
  bind('sky.storage.moveTo', (item: StorageItem) =>
    copyOrMoveTo(storage, located(item, 'move it'), ui(), true),
  );
  bind('sky.storage.rename', (item: StorageItem) => rename(storage, located(item, 'rename it'), ui()));
  bind('sky.storage.goToUri', () => goToUri(storage, ui()));
  bind('sky.storage.openInEditor', (item: StorageItem) => openInEditor(item));
  bind('sky.storage.openInExplorer', (item: StorageItem) => openInExplorer(item));
  bind('sky.storage.addFileMount', (item: StorageItem) =>
    addAsFileMount(storage, located(item, 'add it as a file mount'), ui()),
  );

  const launchDeps = {
    session: clusters,
    ui,
    log: s.log,
    onTerminal: s.onTerminal,
    onDone: () => clusters.refresh(),
  };
  bind('sky.launchTask', (uri?: vscode.Uri) => launchOrExec('launch', uri, launchDeps));
  bind('sky.execTask', (uri?: vscode.Uri) => launchOrExec('exec', uri, launchDeps));
  bind('sky.previewLaunch', (uri?: vscode.Uri) => previewLaunch(uri, launchDeps));
  bind('sky.refreshClusters', () => refreshClusters(clusters));
  bind('sky.showJobLogs', (item: ClusterItem<'job'>) => showJobLogs(item, clusters, s.onTerminal));
  bind('sky.cancelJob', async (item: ClusterItem<'job'>) => {
    await cancelJobCommand(item, clusters, ui());
  });
  bind('sky.downloadRemote', (item: ClusterItem<'remote'>) =>
    downloadRemote(item, clusters, ui(), () => s.pick.clusterFolder()),
  );
  bind('sky.openSshTerminal', (item: ClusterItem<'node'>) => openSshTerminal(item, clusters));
  bind('sky.copySshCommand', (item: ClusterItem<'node'>) => copySshCommand(item, clusters));
}
