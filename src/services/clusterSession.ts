import * as vscode from 'vscode';
import { loadConfig, SkyConfig } from '../engine/config/config';
import { configFileFromSettings } from './configFile';
import type { ClusterInventory } from '../engine/cluster/clusters';
import { poolFor } from '../engine/cluster/pool';
import type { SshPool } from '../engine/ssh/connect';
import type { LogSink } from '../engine/util/log';
import type { PromptUi } from '../engine/util/prompt';
import { editorProxy } from './editorProxy';

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
 * The extension's view of clusters: config (file + `sky.*` settings), inventory and one pooled SSH
 * connection per node, rebuilt on refresh. Prompts (host keys, passphrases) go through `ui()`.
 * Anything that uses a connection past the current tick takes a lease (`lease()`/`use()`): a refresh
 * retires the old pool, which keeps the leased connections open until their users are done.
 */
export class ClusterSession implements vscode.Disposable {
  private state: ClusterState | undefined;
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
  }

  dispose(): void {
    this.reset();
  }
}
