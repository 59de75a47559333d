import { Command } from 'commander';
import type { CliContext } from './context';
import { findCluster } from '../engine/cluster/clusters';
import { listJobs } from '../engine/launch/jobs';
import { cancelJob } from '../engine/launch/cancel';
import { UsageError } from '../engine/util/errors';
import { reportError } from './output';
import { clusterSession, jobIdArgument } from './clusterContext';

/** `sky-vscode cancel -c CLUSTER JOB_ID`: kills the job's processes on every node. */
export function registerCancel(program: Command, ctx: CliContext): void {
  program
    .command('cancel')
    .description('Cancel a job: kill its process groups on every node.')
    .requiredOption('-c, --cluster <name>', 'cluster')
    .argument('<job>', 'job id')
    .action(async (jobArg: string, opts: { cluster: string }) => {
      let session: ReturnType<typeof clusterSession> | undefined;
      try {
        const id = jobIdArgument(jobArg);
        session = clusterSession();
        const { pool, inventory } = session;
        const cluster = findCluster(inventory, opts.cluster);
        const jobs = await listJobs((await pool.get(cluster.nodes[0].alias)).client);
        const job = jobs.find((j) => j.id === id);
        if (!job) throw new UsageError(`Job ${jobArg} not found on ${cluster.name}.`);
        await cancelJob(
          pool,
          cluster.nodes.map((n) => n.alias),
          job,
        );
        process.stderr.write(`Job ${job.id} cancelled.\n`);
        ctx.exit(0);
      } catch (err) {
        ctx.exit(reportError(err));
      } finally {
        // An open connection would keep the process alive after an error.
        session?.pool.closeAll();
      }
    });
}
