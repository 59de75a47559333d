import { Command } from 'commander';
import type { CliContext } from './context';
import { findNode } from '../engine/cluster/clusters';
import { downloadFromNode } from '../engine/launch/download';
import { formatBytes } from '../engine/util/progress';
import { reportError, stderrProgress } from './output';
import { cancelOnSigint, clusterSession } from './clusterContext';

/** `sky-vscode download -c NODE REMOTE_PATH LOCAL_PATH`: a file or folder from the head or a worker. */
export function registerDownload(program: Command, ctx: CliContext): void {
  program
    .command('download')
    .description('Download a file or folder from a node (CLUSTER or CLUSTER-workerN).')
    .requiredOption('-c, --cluster <node>', 'node: CLUSTER (head) or CLUSTER-workerN')
    .argument('<remote>', 'remote path (~ is the remote home)')
    .argument('<local>', 'local destination (an existing folder receives the item inside it)')
    .option('--force', 'overwrite an existing destination')
    .action(async (remote: string, local: string, opts: { cluster: string; force?: boolean }) => {
      // A failed download must close the connection too, or the process never exits.
      let pool: ReturnType<typeof clusterSession>['pool'] | undefined;
      try {
        const session = clusterSession();
        pool = session.pool;
        const { node } = findNode(session.inventory, opts.cluster);
        const source = cancelOnSigint();
        const r = await downloadFromNode((await pool.get(node.alias)).client, remote, local, {
          token: source.token,
          progress: stderrProgress(),
          overwrite: !!opts.force,
          node: opts.cluster,
        });
        process.stderr.write(`\nDownloaded ${r.files} file(s), ${formatBytes(r.bytes)} to ${r.target}\n`);
        ctx.exit(0);
      } catch (err) {
        ctx.exit(reportError(err));
      } finally {
        pool?.closeAll();
      }
    });
}
