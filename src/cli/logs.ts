import { Command } from 'commander';
import type { CliContext } from './context';
import { findCluster } from '../engine/cluster/clusters';
import { listJobs } from '../engine/launch/jobs';
import { jobLogs } from '../engine/launch/follow';
import { UsageError } from '../engine/util/errors';
import { reportError } from './output';
import { cancelOnSigint, clusterSession, jobIdArgument } from './clusterContext';

/** `sky-vscode logs -c CLUSTER [JOB_ID] [--follow]`: a job's setup and run logs from every node. */
export function registerLogs(program: Command, ctx: CliContext): void {
  program
    .command('logs')
    .description("Print a job's logs (the latest job by default); --follow streams until it ends.")
    .requiredOption('-c, --cluster <name>', 'cluster')
    .argument('[job]', 'job id')
    .option('--follow', 'stream until the job ends')
    .action(async (jobArg: string | undefined, opts: { cluster: string; follow?: boolean }) => {
      let session: ReturnType<typeof clusterSession> | undefined;
      try {
        const id = jobArg === undefined ? undefined : jobIdArgument(jobArg);
        session = clusterSession();
        const { pool, inventory } = session;
        const cluster = findCluster(inventory, opts.cluster);
        const jobs = await listJobs((await pool.get(cluster.nodes[0].alias)).client);
        const job = id !== undefined ? jobs.find((j) => j.id === id) : jobs[jobs.length - 1];
        if (!job)
          throw new UsageError(
            jobArg ? `Job ${jobArg} not found on ${cluster.name}.` : `No jobs on ${cluster.name}.`,
          );
        const multi = job.nodes.length > 1;
        const source = cancelOnSigint();
        const rc = await jobLogs(pool, job, {
          follow: !!opts.follow,
          onLine: (alias, l) => process.stdout.write(`${multi ? `(${alias}) ` : ''}${l}\n`),
          token: source.token,
        });
        const code = rc !== 0 ? 1 : 0;
        process.stderr.write(`Job ${job.id}: ${job.status}\n`);
        ctx.exit(code);
      } catch (err) {
        ctx.exit(reportError(err));
      } finally {
        // An open connection would keep the process alive after an error.
        session?.pool.closeAll();
      }
    });
}
