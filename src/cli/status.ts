import { Command } from 'commander';
import type { CliContext } from './context';
import { exec } from '../engine/ssh/exec';
import { errorMessage } from '../engine/util/errors';
import { printJson, reportError } from './output';
import { clusterSession } from './clusterContext';
import { loadConfig } from '../engine/config/config';
import { readSkyPilotState, unreachableReason, type SkyPilotCluster } from '../engine/skypilot/state';

async function skyPilotClustersOrWarn(): Promise<SkyPilotCluster[]> {
  try {
    return (await readSkyPilotState(loadConfig()))?.clusters ?? [];
  } catch (err) {
    process.stderr.write(`Warning: SkyPilot's clusters could not be read: ${errorMessage(err)}\n`);
    return [];
  }
}

function skyStatus(sky: SkyPilotCluster[], name: string): { skypilotStatus?: string } {
  const c = sky.find((x) => x.name === name);
  return c ? { skypilotStatus: c.status } : {};
}

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
        const sky = await skyPilotClustersOrWarn();
        const rows = await Promise.all(
          inventory.clusters.map(async (c) => ({
            name: c.name,
            source: c.source,
            ...skyStatus(sky, c.name),
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
        // Clusters SkyPilot knows that no SSH config reaches (stopped ones among them): listed with
        // SkyPilot's status and why they cannot be connected to.
        const known = new Set(rows.map((r) => r.name));
        const skyRows = sky
          .filter((c) => !known.has(c.name))
          .map((c) => ({
            name: c.name,
            source: 'skypilot' as const,
            skypilotStatus: c.status,
            nodes: [] as never[],
            error:
              unreachableReason(c) ??
              `SkyPilot cluster ${c.name} is UP but no SSH config names it (SkyPilot writes ~/.sky/generated/ssh/${c.name}).`,
          }));
        if (opts.json) printJson([...rows, ...skyRows]);
        else if (!rows.length && !skyRows.length) process.stderr.write('No clusters found.\n');
        else {
          for (const c of rows) {
            process.stdout.write(
              `${c.name} (${c.source}${'skypilotStatus' in c ? `, SkyPilot: ${c.skypilotStatus}` : ''})\n`,
            );
            for (const n of c.nodes)
              process.stdout.write(
                `  ${n.alias.padEnd(24)} ${n.role.padEnd(7)} ${n.reachable ? `UP  ${'host' in n ? n.host : ''}` : `DOWN ${'error' in n ? n.error : ''}`}\n`,
              );
          }
          for (const c of skyRows)
            process.stdout.write(`${c.name} (SkyPilot: ${c.skypilotStatus})\n  ${c.error}\n`);
        }
        ctx.exit(0);
      } catch (err) {
        ctx.exit(reportError(err));
      }
    });
}
