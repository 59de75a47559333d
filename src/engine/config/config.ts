import * as fs from 'fs';
import { LineCounter, parseDocument, isMap, isPair, isScalar, Node, Pair, YAMLMap } from 'yaml';
import type { ProxySettings } from '../net/proxy';
import { SkyError } from '../util/errors';
import { registerSecret } from '../util/redact';
import {
  STORE_KINDS,
  storeDescriptor,
  type StoreApi,
  type StoreConfigs,
  type StoreKind,
} from '../storage/stores/registry';
import { configPath, expandHome } from './paths';

export { STORE_KINDS, type StoreKind };

export interface S3LikeConfig {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  profile?: string;
  credentialsFile?: string;
  /** Never in the file (not a config key): keys found in SkyPilot's own non-INI file (IBM COS's YAML). */
  staticKeys?: { accessKeyId: string; secretAccessKey: string };
}
export interface GcsConfig {
  endpoint?: string;
  projectId?: string;
  keyFile?: string;
}
export interface AzureConfig {
  connectionString?: string;
  account?: string;
  sasToken?: string;
  accountKey?: string;
  endpoint?: string;
}
export interface OciConfig {
  endpoint?: string;
  namespace?: string;
  compartment?: string;
  configFile?: string;
  profile?: string;
  region?: string;
}
export interface SshSettings {
  configFile?: string;
  knownHostsFile?: string;
  strictHostKeyChecking?: 'ask' | 'yes' | 'accept-new';
}
export interface ClusterNodeConfig {
  host: string;
  user?: string;
  port?: number;
  identityFile?: string;
}
export interface SkyConfig {
  /** One optional section per store of the registry, shaped by the API the store speaks. */
  stores: StoreConfigs;
  defaultStore?: StoreKind;
  ssh: SshSettings;
  nodePoolsFile?: string;
  /** SkyPilot's `sky` executable when it is not on PATH (its Python reads SkyPilot's records). */
  skyCommand?: string;
  clusters: Record<string, { nodes: ClusterNodeConfig[] }>;
  storage: { pageSize?: number; concurrency?: number };
  /** Where the config was read from (undefined when no file exists). */
  source?: string;
  /**
   * The editor's proxy (VS Code's http.proxy and http.noProxy), set by the extension, never read from
   * the file; without it the S3 stores read HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
   */
  proxy?: ProxySettings;
}

type Shape = { [key: string]: 'string' | 'boolean' | 'number' | Shape | 'any' };
const API_SHAPES: Record<StoreApi, Shape> = {
  s3: {
    endpoint: 'string',
    region: 'string',
    forcePathStyle: 'boolean',
    profile: 'string',
    credentialsFile: 'string',
  },
  gcs: { endpoint: 'string', projectId: 'string', keyFile: 'string' },
  azure: {
    connectionString: 'string',
    account: 'string',
    sasToken: 'string',
    accountKey: 'string',
    endpoint: 'string',
  },
  oci: {
    endpoint: 'string',
    namespace: 'string',
    compartment: 'string',
    configFile: 'string',
    profile: 'string',
    region: 'string',
  },
};
const SCHEMA: Shape = {
  stores: Object.fromEntries(STORE_KINDS.map((k) => [k, API_SHAPES[storeDescriptor(k).api]])),
  defaultStore: 'string',
  ssh: { configFile: 'string', knownHostsFile: 'string', strictHostKeyChecking: 'string' },
  nodePoolsFile: 'string',
  skyCommand: 'string',
  clusters: 'any',
  storage: { pageSize: 'number', concurrency: 'number' },
};
const SECRET_KEYS = new Set(['connectionString', 'sasToken', 'accountKey']);

export function emptyConfig(): SkyConfig {
  return { stores: {}, ssh: {}, clusters: {}, storage: {} };
}

/** Reads and checks the config file; a missing file is an empty config. Unknown keys are errors with file:line. */
export function loadConfig(file: string = configPath()): SkyConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig();
    throw new SkyError('config-read', `Cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, file = 'config.yaml'): SkyConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  const where = (node: Node | null | undefined) => {
    const off = node?.range?.[0] ?? 0;
    const { line, col } = lc.linePos(off);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    const { line, col } = lc.linePos(e.pos[0]);
    throw new SkyError('config-syntax', `${file}:${line}:${col}: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value == null)) return { ...emptyConfig(), source: file };
  if (!isMap(root))
    throw new SkyError('config-shape', `${where(root)}: the config must be a mapping of keys.`);
  check(root, SCHEMA, '', where);
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  const cfg: SkyConfig = {
    ...emptyConfig(),
    ...(raw as Partial<SkyConfig>),
    stores: (raw.stores as SkyConfig['stores']) ?? {},
    ssh: (raw.ssh as SshSettings) ?? {},
    clusters: (raw.clusters as SkyConfig['clusters']) ?? {},
    storage: (raw.storage as SkyConfig['storage']) ?? {},
    source: file,
  };
  const mode = cfg.ssh.strictHostKeyChecking;
  if (mode !== undefined && !['ask', 'yes', 'accept-new'].includes(mode)) {
    throw new SkyError(
      'config-value',
      `${file}: ssh.strictHostKeyChecking must be ask, yes or accept-new (got '${mode}').`,
    );
  }
  if (cfg.defaultStore !== undefined && !STORE_KINDS.includes(cfg.defaultStore)) {
    throw new SkyError('config-value', `${file}: defaultStore must be one of ${STORE_KINDS.join(', ')}.`);
  }
  for (const section of Object.values(cfg.stores)) {
    for (const [k, v] of Object.entries((section as Record<string, unknown> | undefined) ?? {}))
      if (SECRET_KEYS.has(k)) registerSecret(String(v));
  }
  if (cfg.ssh.configFile) cfg.ssh.configFile = expandHome(cfg.ssh.configFile);
  if (cfg.ssh.knownHostsFile) cfg.ssh.knownHostsFile = expandHome(cfg.ssh.knownHostsFile);
  if (cfg.nodePoolsFile) cfg.nodePoolsFile = expandHome(cfg.nodePoolsFile);
  if (cfg.skyCommand) cfg.skyCommand = expandHome(cfg.skyCommand);
  return cfg;
}

function check(
  map: YAMLMap,
  shape: Shape,
  prefix: string,
  where: (n: Node | null | undefined) => string,
): void {
  for (const item of map.items) {
    if (!isPair(item)) continue;
    const pair = item as Pair<Node, Node>;
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const expected = shape[key];
    const dotted = prefix ? `${prefix}.${key}` : key;
    if (expected === undefined) {
      const known = Object.keys(shape).join(', ');
      throw new SkyError(
        'config-unknown-key',
        `${where(pair.key)}: unknown key '${dotted}' (known here: ${known}).`,
      );
    }
    if (expected === 'any') continue;
    const value = pair.value;
    if (typeof expected === 'object') {
      if (value == null || (isScalar(value) && value.value == null)) continue;
      if (!isMap(value))
        throw new SkyError('config-shape', `${where(value)}: '${dotted}' must be a mapping.`);
      check(value, expected, dotted, where);
    } else if (isScalar(value) && value.value != null && typeof value.value !== expected) {
      throw new SkyError('config-type', `${where(value)}: '${dotted}' must be a ${expected}.`);
    }
  }
}
