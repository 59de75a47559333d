import * as vscode from 'vscode';
import { loadConfig, SkyConfig } from '../../engine/config/config';
import { configFileFromSettings } from '../configFile';
import type { ClusterInventory } from '../../engine/cluster/clusters';
import { poolFor } from '../../engine/launch/run';
import type { SshPool } from '../../engine/ssh/connect';
import type { LogSink } from '../../engine/util/log';
import type { PromptUi } from '../../engine/util/prompt';
import { editorProxy } from '../editorProxy';

/**
 * The extension's view of clusters: config (file + `sky.*` settings), inventory and one pooled SSH
 * connection per node, rebuilt on refresh. Prompts (host keys, passphrases) go through `ui()`.
 */
export class ClusterSession implements vscode.Disposable {
  private state: { config: SkyConfig; inventory: ClusterInventory; pool: SshPool } | undefined;
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

  get(): { config: SkyConfig; inventory: ClusterInventory; pool: SshPool } {
    this.state ??= this.build();
    // Read on every use: a changed proxy setting applies to the next launch, and no connection closes.
    this.state.config.proxy = editorProxy();
    return this.state;
  }

  reset(): void {
    this.state?.pool.closeAll();
    this.state = undefined;
  }

  dispose(): void {
    this.reset();
  }
}
