// Clusters are a head plus workers reached over SSH. Three sources, merged (first wins on a name):
//  1. ~/.ssh/config hosts named SkyPilot's way: NAME (head), NAME-worker1, NAME-worker2, … — so clusters
//     that `sky launch` created appear by themselves (through its `Include ~/.sky/generated/ssh/*`);
//  2. SkyPilot's SSH Node Pools file (~/.sky/ssh_node_pools.yaml): each pool is a cluster, first host the head;
//  3. the `clusters:` section of our config.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import SSHConfig from 'ssh-config';
import { parse as parseYaml } from 'yaml';
import type { SkyConfig } from '../config/config';
import { expandHome } from '../config/paths';
import { SkyError } from '../util/errors';
import { expandIncludes, listAliases } from '../ssh/config';

export interface ClusterNode {
  alias: string;
  rank: number;
  role: 'head' | 'worker';
}

export interface Cluster {
  name: string;
  source: 'ssh-config' | 'node-pool' | 'config';
  nodes: ClusterNode[];
}

export interface ClusterInventory {
  clusters: Cluster[];
  /** The SSH config every node resolves through (user config + synthesized entries for pools/config). */
  sshConfig: SSHConfig;
  sshConfigFile: string;
  knownHostsFile: string;
}

const WORKER = /^(.+)-worker(\d+)$/;

/**
 * One synthesized `Host` block. Its values come from files the user (or a tool) wrote, so none may
 * carry ssh-config syntax: a newline would start a directive of its own (a ProxyCommand runs a
 * command), and ssh_config cannot escape a double quote. Values with spaces are quoted by the
 * ssh-config library, as ssh expects. `where` names the cluster and its file for the error.
 */
function hostBlock(
  where: string,
  alias: string,
  h: { ip: unknown; user?: unknown; port?: unknown; identityFile?: unknown },
): string {
  const bad = (field: string, v: unknown, why: string) =>
    new SkyError('cluster-config', `${where}: ${field} ${JSON.stringify(v)} ${why}.`, {
      hint: 'Fix that value: it is written into the SSH config the nodes are reached through.',
    });
  const text = (field: string, v: unknown): string => {
    if (typeof v !== 'string' || v === '') throw bad(field, v, 'must be a non-empty string');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(v)) throw bad(field, v, 'contains a newline or control character');
    if (v.includes('"')) throw bad(field, v, 'contains a double quote, which SSH config cannot hold');
    return v;
  };
  const entry: Record<string, string> = { Host: text('the node name', alias) };
  // A Host line with spaces or wildcards would be several patterns, matching other hosts.
  if (/[\s*?!,#]/.test(alias)) throw bad('the node name', alias, 'must not contain spaces or * ? ! , #');
  entry.HostName = text('host', h.ip);
  if (h.user !== undefined && h.user !== null) entry.User = text('user', h.user);
  if (h.port !== undefined && h.port !== null) {
    const port = typeof h.port === 'string' && /^[0-9]+$/.test(h.port) ? Number(h.port) : h.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
      throw bad('port', h.port, 'must be a port number (1-65535)');
    entry.Port = String(port);
  }
  if (h.identityFile !== undefined && h.identityFile !== null) {
    entry.IdentityFile = expandHome(text('identity file', h.identityFile));
    entry.IdentitiesOnly = 'yes';
  }
  const block = SSHConfig.parse('');
  block.append(entry);
  return `${block.toString().trimEnd()}\n`;
}

function nodesFor(name: string, count: number): ClusterNode[] {
  return Array.from({ length: count }, (_, i) => ({
    alias: i === 0 ? name : `${name}-worker${i}`,
    rank: i,
    role: i === 0 ? ('head' as const) : ('worker' as const),
  }));
}

export function discoverClusters(cfg: SkyConfig): ClusterInventory {
  const sshConfigFile = cfg.ssh.configFile ?? path.join(os.homedir(), '.ssh', 'config');
  const knownHostsFile = cfg.ssh.knownHostsFile ?? path.join(os.homedir(), '.ssh', 'known_hosts');
  const baseText = expandIncludes(sshConfigFile);
  const base = SSHConfig.parse(baseText);
  const baseAliases = listAliases(base);
  const extra: string[] = [];
  const clusters: Cluster[] = [];
  const taken = new Set<string>();

  // 1. SkyPilot-named hosts in the SSH config.
  const workers = new Map<string, number[]>();
  for (const a of baseAliases) {
    const m = WORKER.exec(a);
    if (m) workers.set(m[1], [...(workers.get(m[1]) ?? []), Number(m[2])]);
  }
  for (const a of baseAliases) {
    if (WORKER.test(a) || taken.has(a)) continue;
    const w = (workers.get(a) ?? []).sort((x, y) => x - y);
    // Only contiguous workers 1..N belong to the cluster (SkyPilot numbers them that way).
    let n = 0;
    while (w[n] === n + 1) n++;
    clusters.push({ name: a, source: 'ssh-config', nodes: nodesFor(a, n + 1) });
    taken.add(a);
  }

  // 2. SSH Node Pools.
  const poolsFile = cfg.nodePoolsFile ?? path.join(os.homedir(), '.sky', 'ssh_node_pools.yaml');
  if (fs.existsSync(poolsFile)) {
    let pools: Record<string, { user?: unknown; identity_file?: unknown; hosts?: unknown[] }>;
    try {
      pools = (parseYaml(fs.readFileSync(poolsFile, 'utf8'), { uniqueKeys: true }) ?? {}) as typeof pools;
    } catch (err) {
      throw new SkyError(
        'node-pools',
        `Cannot read SSH Node Pools file ${poolsFile}: ${(err as Error).message}`,
      );
    }
    for (const [pool, spec] of Object.entries(pools)) {
      if (taken.has(pool) || !spec || !Array.isArray(spec.hosts) || spec.hosts.length === 0) continue;
      const nodes: ClusterNode[] = [];
      const where = `Cluster '${pool}' in the SSH Node Pools file ${poolsFile}`;
      spec.hosts.forEach((h, i) => {
        const alias = i === 0 ? pool : `${pool}-worker${i}`;
        if (typeof h === 'string') {
          // A Host alias of the SSH config is used as it is; otherwise it is an IP with the pool defaults.
          if (baseAliases.includes(h)) {
            nodes.push({ alias: h, rank: i, role: i === 0 ? 'head' : 'worker' });
            return;
          }
          extra.push(hostBlock(where, alias, { ip: h, user: spec.user, identityFile: spec.identity_file }));
        } else if (h && typeof h === 'object' && typeof (h as { ip?: unknown }).ip === 'string') {
          const o = h as { ip: string; user?: unknown; identity_file?: unknown; port?: unknown };
          extra.push(
            hostBlock(where, alias, {
              ip: o.ip,
              user: o.user ?? spec.user,
              port: o.port,
              identityFile: o.identity_file ?? spec.identity_file,
            }),
          );
        } else return;
        nodes.push({ alias, rank: nodes.length, role: nodes.length === 0 ? 'head' : 'worker' });
      });
      if (nodes.length) {
        clusters.push({ name: pool, source: 'node-pool', nodes });
        taken.add(pool);
      }
    }
  }

  // 3. Our config.
  for (const [name, spec] of Object.entries(cfg.clusters ?? {})) {
    if (taken.has(name) || !spec?.nodes?.length) continue;
    const nodes = spec.nodes.map((n, i) => {
      const alias = i === 0 ? name : `${name}-worker${i}`;
      extra.push(
        hostBlock(`Cluster '${name}' in ${cfg.source ?? 'the sky-vscode config'}`, alias, {
          ip: n?.host,
          user: n?.user,
          port: n?.port,
          identityFile: n?.identityFile,
        }),
      );
      return { alias, rank: i, role: i === 0 ? ('head' as const) : ('worker' as const) };
    });
    clusters.push({ name, source: 'config', nodes });
    taken.add(name);
  }

  // Synthesized entries go first so that they win over a `Host *` block at the end of the user's file.
  const sshConfig = SSHConfig.parse(`${extra.join('\n')}\n${baseText}`);
  return { clusters, sshConfig, sshConfigFile, knownHostsFile };
}

export function findCluster(inv: ClusterInventory, name: string): Cluster {
  const c = inv.clusters.find((x) => x.name === name);
  if (!c) {
    const known = inv.clusters.map((x) => x.name).join(', ') || 'none';
    throw new SkyError('cluster-unknown', `Cluster '${name}' not found (known: ${known}).`, {
      hint: `Clusters come from ${inv.sshConfigFile} (Host NAME, NAME-worker1…), the SSH Node Pools file and the clusters section of the sky-vscode config.`,
    });
  }
  return c;
}

/** Resolves `CLUSTER` or `CLUSTER-workerN` to a node. */
export function findNode(inv: ClusterInventory, nodeName: string): { cluster: Cluster; node: ClusterNode } {
  for (const c of inv.clusters) {
    const n = c.nodes.find((x) => x.alias === nodeName);
    if (n) return { cluster: c, node: n };
  }
  const m = WORKER.exec(nodeName);
  const c = findCluster(inv, m ? m[1] : nodeName);
  throw new SkyError(
    'node-unknown',
    `Node '${nodeName}' not found in cluster ${c.name} (nodes: ${c.nodes.map((n) => n.alias).join(', ')}).`,
  );
}
