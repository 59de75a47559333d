// SkyPilot's own records — the buckets `sky launch` / `sky storage` created and the clusters
// `sky status` knows — read through SkyPilot's Python API (sky.core.storage_ls,
// sky.global_user_state.get_clusters), run by the Python interpreter of the user's `sky` command.
// Never by opening ~/.sky/state.db ourselves: its handles are Python pickles, and its schema is
// SkyPilot's to migrate. Deleting a bucket goes through SkyPilot too (sky.core.storage_delete, what
// `sky storage delete` runs), so its records stay true.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SkyConfig } from '../config/config';
import { expandHome } from '../config/paths';
import { storeForSkyName, type StoreKind } from '../storage/stores/registry';
import type { StoreType } from '../storage/uri';
import { SkyError } from '../util/errors';

export interface SkyPilotStorage {
  name: string;
  /** The stores this version can open, from SkyPilot's store types (S3, GCS, …). */
  stores: StoreKind[];
  /** SkyPilot's store types as it wrote them. */
  skyStores: string[];
  /** SkyPilot's StorageStatus: INIT, INIT_FAILED, UPLOAD_FAILED, READY. */
  status: string;
  launchedAt?: string;
  /** The command that last used it, as SkyPilot records it. */
  lastUse?: string;
}

export interface SkyPilotCluster {
  name: string;
  /** SkyPilot's ClusterStatus: INIT, UP or STOPPED. */
  status: string;
  launchedAt?: string;
  nodes?: number;
  lastUse?: string;
}

export interface SkyPilotState {
  storage: SkyPilotStorage[];
  clusters: SkyPilotCluster[];
  /** The `sky` command whose Python read them. */
  sky: string;
}

const MARK = '@@sky-vscode@@';

const READ_SCRIPT = `
import json, sys
from sky import core, global_user_state
out = {'storage': [], 'clusters': []}
for r in core.storage_ls():
    out['storage'].append({'name': r['name'], 'launched_at': r['launched_at'],
        'store': [getattr(s, 'value', str(s)) for s in r['store']],
        'last_use': r['last_use'], 'status': getattr(r['status'], 'value', str(r['status']))})
for c in global_user_state.get_clusters():
    h = c.get('handle')
    out['clusters'].append({'name': c['name'], 'status': getattr(c['status'], 'value', str(c['status'])),
        'launched_at': c.get('launched_at'), 'last_use': c.get('last_use'),
        'nodes': getattr(h, 'launched_nodes', None)})
sys.stdout.write('${MARK}' + json.dumps(out) + '\\n')
`;

const DELETE_SCRIPT = `
import sys
from sky import core
core.storage_delete(sys.argv[1])
sys.stdout.write('${MARK}deleted\\n')
`;

/** The `sky` executable: `skyCommand` in the config, else the first `sky` on PATH; undefined when none. */
export function findSkyCommand(config: SkyConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (config.skyCommand) return expandHome(config.skyCommand);
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const f = path.join(dir, 'sky');
    try {
      fs.accessSync(f, fs.constants.X_OK);
      if (fs.statSync(f).isFile()) return f;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The Python that runs `sky` (its `#!` line: pip, pipx and uv all write one naming their venv's Python). */
export function skyPython(sky: string): string {
  let first: string;
  try {
    first = fs.readFileSync(sky, 'utf8').slice(0, 512).split('\n')[0];
  } catch (err) {
    throw new SkyError('skypilot', `Cannot read the sky command ${sky}: ${(err as Error).message}`, {
      hint: 'Set skyCommand in the config to the `sky` executable of your SkyPilot installation.',
    });
  }
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
  const interp = m && (path.basename(m[1]) === 'env' && m[2] ? m[2] : m[1]);
  if (!interp || !/python/.test(path.basename(interp)))
    throw new SkyError(
      'skypilot',
      `${sky} is not SkyPilot's Python entry point (its first line is not a Python #!).`,
      {
        hint: 'Set skyCommand in the config to the `sky` executable that `pip install skypilot` made.',
      },
    );
  return interp;
}

function runPython(sky: string, script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const python = skyPython(sky);
  return new Promise((resolve, reject) => {
    // -I: neither the working folder nor PYTHON* variables can shadow SkyPilot's modules.
    execFile(
      python,
      ['-I', '-c', script, ...args],
      { env, cwd: os.homedir(), maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith(MARK));
        if (line) return resolve(line.slice(MARK.length));
        const last = stderr.trim().split('\n').filter(Boolean).pop() ?? (err ? err.message : 'no output');
        reject(
          new SkyError('skypilot', `SkyPilot (${sky}) failed: ${last}`, {
            cause: err ?? undefined,
            hint: 'Run `sky storage ls` in a terminal to see SkyPilot’s own message.',
          }),
        );
      },
    );
  });
}

function isoOf(seconds: unknown): string | undefined {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : undefined;
}

/** SkyPilot's buckets and clusters, or undefined when SkyPilot is not installed (no `sky`). */
export async function readSkyPilotState(
  config: SkyConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SkyPilotState | undefined> {
  const sky = findSkyCommand(config, env);
  if (!sky) return undefined;
  const raw = JSON.parse(await runPython(sky, READ_SCRIPT, [], env)) as {
    storage: { name: string; launched_at?: number; store: string[]; last_use?: string; status: string }[];
    clusters: { name: string; status: string; launched_at?: number; last_use?: string; nodes?: number }[];
  };
  return {
    sky,
    storage: raw.storage.map((s) => ({
      name: s.name,
      skyStores: s.store,
      stores: s.store.map((t) => storeForSkyName(t as StoreType)?.kind).filter((k): k is StoreKind => !!k),
      status: s.status,
      launchedAt: isoOf(s.launched_at),
      lastUse: s.last_use ?? undefined,
    })),
    clusters: raw.clusters.map((c) => ({
      name: c.name,
      status: c.status,
      launchedAt: isoOf(c.launched_at),
      lastUse: c.last_use ?? undefined,
      nodes: c.nodes ?? undefined,
    })),
  };
}

/** Deletes a bucket SkyPilot created the way `sky storage delete` does, so that its records stay true. */
export async function deleteSkyPilotStorage(
  name: string,
  config: SkyConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const sky = findSkyCommand(config, env);
  if (!sky)
    throw new SkyError(
      'skypilot-missing',
      `${name} is a SkyPilot bucket: it is deleted through SkyPilot so that SkyPilot's records stay true, and no \`sky\` command was found on PATH.`,
      {
        hint: 'Install SkyPilot (or put its `sky` on PATH, or set skyCommand in the config), or run `sky storage delete` yourself.',
      },
    );
  await runPython(sky, DELETE_SCRIPT, [name], env);
}

/** Why a SkyPilot cluster in this state cannot be connected to, or undefined when it can. */
export function unreachableReason(c: SkyPilotCluster): string | undefined {
  if (c.status === 'UP') return undefined;
  if (c.status === 'STOPPED')
    return `SkyPilot cluster ${c.name} is STOPPED: its machines are off. Start it with \`sky start ${c.name}\`.`;
  return `SkyPilot cluster ${c.name} is ${c.status}: it is not ready. See \`sky status ${c.name}\`.`;
}
