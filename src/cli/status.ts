import { Command } from 'commander';
import type { CliContext } from './context';
import { exec } from '../engine/ssh/exec';
import { errorMessage } from '../engine/util/errors';
import { printJson, reportError } from './output';
import { clusterSession } from './clusterContext';

/** `sky-vscode status [--json]`: clusters, their nodes and whether each is reachable. */
export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('List clusters and check that each node is reachable over SSH.')
    .option('--json', 'machine-readable output on stdout')
    .option('-y, --yes', 'trust unknown host keys when strictHostKeyChecking is ask')
    .action(async (opts: { json?: boolean; yes?: boolean }) => {
      try {
        const { pool, inventory } = clusterSession(!!opts.yes);
        const rows = await Promise.all(
          inventory.clusters.map(async (c) => ({
            name: c.name,
            source: c.source,
            nodes: await Promise.all(
              c.nodes.map(async (n) => {
                try {
                  const conn = await pool.get(n.alias);
                  const r = await exec(conn.client, 'hostname');
                  return {
                    alias: n.alias,
                    role: n.role,
                    host: `${conn.host.user}@${conn.host.hostName}:${conn.host.port}`,
                    reachable: true,
                    hostname: r.stdout.trim(),
                  };
                } catch (err) {
                  return {
                    alias: n.alias,
                    role: n.role,
                    reachable: false,
                    error: errorMessage(err).split('\n')[0],
                  };
                }
              }),
            ),
          })),
        );
        pool.closeAll();
        if (opts.json) printJson(rows);
        else if (!rows.length) process.stderr.write('No clusters found.\n');
        else
          for (const c of rows) {
            process.stdout.write(`${c.name} (${c.source})\n`);
            for (const n of c.nodes)
              process.stdout.write(
                `  ${n.alias.padEnd(24)} ${n.role.padEnd(7)} ${n.reachable ? `UP  ${'host' in n ? n.host : ''}` : `DOWN ${'error' in n ? n.error : ''}`}\n`,
              );
          }
        ctx.exit(0);
      } catch (err) {
        ctx.exit(reportError(err));
      }
    });
}
