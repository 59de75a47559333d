import { Command } from 'commander';
import type { CliContext } from './context';
import { loadConfig } from '../engine/config/config';
import { configPath } from '../engine/config/paths';
import { printJson, reportError } from './output';

/** `sky-vscode config [--json]`: where the config is and whether it parses (secrets never printed). */
export function registerConfig(program: Command, ctx: CliContext): void {
  program
    .command('config')
    .description('Check the config file and show which stores and settings it configures (no secrets).')
    .option('--json', 'machine-readable output on stdout')
    .action((opts: { json?: boolean }) => {
      const file = configPath();
      try {
        const cfg = loadConfig(file);
        const summary = {
          file,
          exists: cfg.source !== undefined,
          stores: Object.keys(cfg.stores),
          defaultStore: cfg.defaultStore ?? null,
          ssh: {
            configFile: cfg.ssh.configFile ?? null,
            knownHostsFile: cfg.ssh.knownHostsFile ?? null,
            strictHostKeyChecking: cfg.ssh.strictHostKeyChecking ?? 'ask',
          },
          nodePoolsFile: cfg.nodePoolsFile ?? null,
          clusters: Object.keys(cfg.clusters),
        };
        if (opts.json) printJson(summary);
        else {
          process.stderr.write(`config: ${file}${summary.exists ? '' : ' (not present; defaults apply)'}\n`);
          process.stderr.write(`stores: ${summary.stores.join(', ') || '(none)'}\n`);
        }
        ctx.exit(0);
      } catch (err) {
        ctx.exit(reportError(err));
      }
    });
}
