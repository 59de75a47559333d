import { Command } from 'commander';
import type { CliContext } from './context';
import { findCluster } from '../engine/cluster/clusters';
import { teardownCluster } from '../engine/mounts/teardown';
import { cancelOnSigint, cliUi, clusterSession } from './clusterContext';
import { reportError, stderrProgress } from './output';

/** `sky-vscode down -c CLUSTER [-y]`: unmount this tool's buckets on every node, delete the cluster's non-persistent buckets. */
export function registerDown(program: Command, ctx: CliContext): void {
  program
    .command('down')
    .description(
      'Tear down what sky-vscode set up on a cluster: unmount its buckets on every node, remove their credentials there, and delete the buckets its tasks marked persistent: false (the machines are left running).',
    )
    .requiredOption('-c, --cluster <name>', 'cluster')
    .option('-y, --yes', 'delete the non-persistent buckets without asking')
    .action(async (opts: { cluster: string; yes?: boolean }) => {
      try {
        const { config, pool, inventory } = clusterSession(false);
        const cluster = findCluster(inventory, opts.cluster);
        const r = await teardownCluster({
          config,
          cluster,
          pool,
          ui: cliUi(!!opts.yes),
          yes: opts.yes,
          token: cancelOnSigint().token,
          progress: stderrProgress(),
        });
        pool.closeAll();
        for (const [node, paths] of Object.entries(r.unmounted))
          process.stderr.write(
            `${node}: ${paths.length ? `unmounted ${paths.join(', ')}` : 'nothing mounted'}\n`,
          );
        for (const b of r.buckets) process.stderr.write(`${b.message}\n`);
        if (r.kept.length)
          process.stderr.write(
            `Kept non-persistent bucket(s) ${r.kept.join(', ')}: pass -y to delete them.\n`,
          );
        ctx.exit(r.buckets.some((b) => b.result === 'error') ? 1 : 0);
      } catch (err) {
        ctx.exit(reportError(err));
      }
    });
}
