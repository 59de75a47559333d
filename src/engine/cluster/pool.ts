import type { SkyConfig } from '../config/config';
import { SshPool, StrictMode } from '../ssh/connect';
import type { LogSink } from '../util/log';
import type { PromptUi } from '../util/prompt';
import { discoverClusters } from './clusters';

/** The clusters the config and ~/.ssh/config describe, and a pool of ssh connections to their nodes. */
export function poolFor(
  config: SkyConfig,
  deps: { ui?: PromptUi; log?: LogSink },
): { pool: SshPool; inventory: ReturnType<typeof discoverClusters> } {
  const inventory = discoverClusters(config);
  const strict: StrictMode = config.ssh.strictHostKeyChecking ?? 'ask';
  const pool = new SshPool({
    sshConfig: inventory.sshConfig,
    knownHostsFile: inventory.knownHostsFile,
    strict,
    ui: deps.ui,
    log: deps.log,
  });
  return { pool, inventory };
}
