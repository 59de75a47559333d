import * as vscode from 'vscode';
import { loadConfig, SkyConfig } from '../engine/config/config';
import { configFileFromSettings } from './configFile';
import type { Cluster, ClusterInventory } from '../engine/cluster/clusters';
import { listRemoteDir, type RemoteEntry } from '../engine/cluster/remoteFiles';
import { cancelJob } from '../engine/launch/cancel';
import { listJobs, type JobRecord } from '../engine/launch/jobs';
import { poolFor } from '../engine/cluster/pool';
import type { SshPool } from '../engine/ssh/connect';
import type { LogSink } from '../engine/util/log';
import type { PromptUi } from '../engine/util/prompt';
import { editorProxy } from './editorProxy';
import { readSkyPilotState, type SkyPilotState } from '../engine/skypilot/state';

export interface ClusterState {
  config: SkyConfig;
  inventory: ClusterInventory;
  pool: SshPool;
}

/** A state whose pool stays open across refreshes until `release()`. */
export interface ClusterLease extends ClusterState {
  release(): void;
}

/**
 * The extension's clusters session, which the Clusters view and the cluster commands share: config
 * (file + `sky.*` settings), inventory and one pooled SSH connection per node, rebuilt on refresh,
 * and the jobs and files on the nodes. Prompts (host keys, passphrases) go through `ui()`.
 * Anything that uses a connection past the current tick takes a lease (`lease()`/`use()`): a refresh
 * retires the old pool, which keeps the leased connections open until their users are done.
 */
export class ClusterSession implements vscode.Disposable {
  private state: ClusterState | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after refresh(): the clusters, nodes and jobs are to be read again. */
  readonly onDidChange = this.changed.event;
  constructor(
    private readonly log: LogSink,
    private readonly ui: () => PromptUi,
  ) {}

  private build() {
    const setting = vscode.workspace.getConfiguration('sky');
    const config = loadConfig(configFileFromSettings());
    const strict = setting.get<'ask' | 'yes' | 'accept-new'>('ssh.strictHostKeyChecking');
    // The setting overrides the config file only where the user changed it from its default.
    const inspected = setting.inspect('ssh.strictHostKeyChecking');
    if (strict && (inspected?.globalValue !== undefined || inspected?.workspaceValue !== undefined))
      config.ssh.strictHostKeyChecking = strict;
    const uiProxy: PromptUi = {
      confirm: (...a) => this.ui().confirm(...a),
      confirmByTyping: (...a) => this.ui().confirmByTyping(...a),
      pick: (...a) => this.ui().pick(...a),
      input: (...a) => this.ui().input(...a),
      overwrite: (...a) => this.ui().overwrite(...a),
    };
    const { pool, inventory } = poolFor(config, { ui: uiProxy, log: this.log });
    return { config, inventory, pool };
  }

  get(): ClusterState {
    this.state ??= this.build();
    // Read on every use: a changed proxy setting applies to the next launch, and no connection closes.
    this.state.config.proxy = editorProxy();
    return this.state;
  }

  lease(): ClusterLease {
    const state = this.get();
    return { ...state, release: state.pool.lease() };
  }

  async use<T>(fn: (state: ClusterState) => Promise<T>): Promise<T> {
    const lease = this.lease();
    try {
      return await fn(lease);
    } finally {
      lease.release();
    }
  }

  /** The next get() reads the config again; connections in use close when their users release them. */
  reset(): void {
    this.state?.pool.retire();
    this.state = undefined;
    this.skyState = undefined;
  }

  private skyState: Promise<SkyPilotState | undefined> | undefined;

  /** SkyPilot's own records (`sky status`), read once per refresh: its Python takes seconds to start. */
  skyPilotState(): Promise<SkyPilotState | undefined> {
    this.skyState ??= readSkyPilotState(this.get().config);
    this.skyState.catch(() => (this.skyState = undefined));
    return this.skyState;
  }

  /** reset(), and the views list everything again. */
  refresh(): void {
    this.reset();
    this.changed.fire();
  }

  /** Connects to the node (checking its host key), or throws why it cannot. */
  async connect(alias: string): Promise<void> {
    await this.use(({ pool }) => pool.get(alias));
  }

  /** The cluster's jobs, from the records on its head, oldest first. */
  listJobs(cluster: Cluster): Promise<JobRecord[]> {
    return this.use(async ({ pool }) => listJobs((await pool.get(cluster.nodes[0].alias)).client));
  }

  /** A folder on a node. */
  listDir(alias: string, dir: string): Promise<RemoteEntry[]> {
    return this.use(async ({ pool }) => listRemoteDir((await pool.get(alias)).client, dir));
  }

  /** Cancels a job on every node of its cluster. */
  cancelJob(cluster: Cluster, job: JobRecord): Promise<void> {
    return this.use(({ pool }) =>
      cancelJob(
        pool,
        cluster.nodes.map((n) => n.alias),
        job,
      ),
    );
  }

  /** What `ssh` needs to reach a node as this machine's ssh config describes it. */
  sshTarget(alias: string) {
    const { inventory } = this.get();
    return { alias, sshConfig: inventory.sshConfig, sshConfigFile: inventory.sshConfigFile };
  }

  dispose(): void {
    this.reset();
    this.changed.dispose();
  }
}
