import { Command } from 'commander';
import type { CliContext } from './context';
import { findCluster } from '../engine/cluster/clusters';
import { listJobs } from '../engine/launch/jobs';
import { printJson, reportError } from './output';
import { clusterSession } from './clusterContext';

/** `sky-vscode queue -c CLUSTER [--json]`: the jobs on a cluster. */
export function registerQueue(program: Command, ctx: CliContext): void {
  program
    .command('queue')
    .description("List a cluster's jobs.")
    .requiredOption('-c, --cluster <name>', 'cluster')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { cluster: string; json?: boolean }) => {
      let session: ReturnType<typeof clusterSession> | undefined;
      try {
        session = clusterSession();
        const { pool, inventory } = session;
        const cluster = findCluster(inventory, opts.cluster);
        const jobs = await listJobs((await pool.get(cluster.nodes[0].alias)).client);
        if (opts.json) printJson(jobs);
        else {
          process.stdout.write(
            `${'ID'.padEnd(5)}${'NAME'.padEnd(24)}${'SUBMITTED'.padEnd(26)}${'STATUS'.padEnd(14)}NODES\n`,
          );
          for (const j of jobs)
            process.stdout.write(
              `${String(j.id).padEnd(5)}${j.name.slice(0, 23).padEnd(24)}${j.submittedAt.padEnd(26)}${j.status.padEnd(14)}${j.nodes.length}\n`,
            );
        }
        ctx.exit(0);
      } catch (err) {
        ctx.exit(reportError(err));
      } finally {
        // An open connection would keep the process alive after an error.
        session?.pool.closeAll();
      }
    });
}
