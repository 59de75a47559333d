// What a launch or exec would do, worked out without changing anything (`launch --dry-run`, Sky:
// Preview Launch). For the workdir and each local file_mount: the files and bytes to send, compared
// with every node exactly as a re-sync compares them (size, mode, mtime: the same planSync) when the
// nodes are reachable, else every local file counts; each excluded path with the rule file, line and
// pattern that excluded it; and what --delete would remove. For each bucket mount: create, upload
// (compared with the bucket's objects when the store answers) and attach with its mode.
// Reads only: one `find` (or `stat`) per node and target, and bucket existence and listings.
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from 'ssh2';
import type { SkyConfig, StoreKind } from '../config/config';
import type { ClusterNode } from '../cluster/clusters';
import { describeMount } from '../mounts/describe';
import type { SshPool } from '../ssh/connect';
import { configuredStores, openStore, readRecords, SUPPORTED_STORES } from '../storage';
import { listAll, needsUpload, planUpload } from '../storage/transfer';
import { walkLocalTree, type LocalTree } from '../sync/localTree';
import { planFile, planSync } from '../sync/sync';
import type { FileMount } from '../task/model';
import type { CancellationToken } from '../util/cancellation';
import { errorMessage } from '../util/errors';
import type { LogSink } from '../util/log';
import { mountTarget } from './mountTarget';
import type { PlannedStep } from './plan';

/** Bumped only when a field changes meaning or goes away (new fields may be added). */
export const PREVIEW_VERSION = 1;

export interface PreviewExclusion {
  /** The excluded path, relative to the synced folder (for buckets: under the source as written). */
  path: string;
  /** The rule file relative to that folder (".gitignore", "sub/.gitignore", ".skyignore", …). */
  file: string;
  /** 1-based line of the pattern; absent for the built-in `.git` rule of bucket uploads. */
  line?: number;
  pattern: string;
}

export interface NodeSyncPreview {
  node: string;
  /** Regular files that would be sent, and their bytes. */
  files: number;
  bytes: number;
  /** Every path that would be sent (files, folders whose mode changed, symlinks). */
  paths: string[];
  /** What --delete would remove on this node (empty without --delete). */
  delete: string[];
}

export interface SyncPreview {
  what: 'workdir' | 'file_mount';
  /** Local path. */
  source: string;
  /** Where it lands on each node, as the task writes it. */
  target: string;
  isFile: boolean;
  /** Which exclusion regime applies (folders only). */
  rules?: 'skyignore' | 'gitignore';
  /** Everything this machine would send to a node that has none of it. */
  local: { files: number; bytes: number };
  excluded: PreviewExclusion[];
  /** One entry per node when compared with the nodes; empty otherwise. */
  nodes: NodeSyncPreview[];
}

export type BucketAction =
  /** ifMissing: the store was not asked, so the bucket is created only if it does not exist. */
  | { action: 'create'; ifMissing: boolean }
  /** compared: counted against the bucket's objects (size, age); else every local file. */
  | { action: 'upload'; files: number; bytes: number; localFiles: number; compared: boolean }
  | { action: 'attach'; mode: 'MOUNT' | 'MOUNT_CACHED' | 'COPY'; readOnly: boolean; nodes: number }
  /** What the launch would stop on (a missing bucket, an unmanaged one, a missing source, …). */
  | { action: 'fail'; reason: string };

export interface BucketPreview {
  dst: string;
  summary: string;
  details: string[];
  store?: StoreKind;
  bucket?: string;
  actions: BucketAction[];
  /** Paths the upload of a local `source` leaves out, with their rules. */
  excluded: PreviewExclusion[];
  /** Why the bucket was not compared, when it was not. */
  notCompared?: string;
}

export interface LaunchPreview {
  version: typeof PREVIEW_VERSION;
  kind: 'launch' | 'exec';
  taskFile: string;
  cluster: string;
  nodes: string[];
  /** Whether the syncs were compared with the nodes; when not, notCompared says why. */
  compared: boolean;
  notCompared?: string;
  delete: boolean;
  syncs: SyncPreview[];
  buckets: BucketPreview[];
  steps: PlannedStep[];
}

export interface PreviewInput {
  kind: 'launch' | 'exec';
  taskFile: string;
  cluster: string;
  nodes: ClusterNode[];
  workdir?: { source: string; target: string };
  mounts: FileMount[];
  steps: PlannedStep[];
  delete: boolean;
  /** Do not connect to the nodes or the stores. */
  offline: boolean;
  pool: SshPool;
  config: SkyConfig;
  token?: CancellationToken;
  log: LogSink;
}

/** An error's first line without its final period, to sit inside a sentence. */
const firstLine = (err: unknown) => errorMessage(err).split('\n')[0].replace(/\.$/, '');

const exclusions = (tree: LocalTree, under = ''): PreviewExclusion[] =>
  tree.excluded.map((x) => ({
    path: under ? path.posix.join(under, x.rel) : x.rel,
    file: x.rule.file,
    ...(x.rule.line !== undefined ? { line: x.rule.line } : {}),
    pattern: x.rule.pattern,
  }));

function localTotals(tree: LocalTree): { files: number; bytes: number } {
  return { files: tree.entries.filter((e) => e.type === 'f').length, bytes: tree.totalBytes };
}

/** The nodes' connections, or why there are none (the first node that cannot be reached). */
async function connectAll(
  pool: SshPool,
  nodes: ClusterNode[],
): Promise<{ clients: Map<string, Client> } | { reason: string }> {
  const clients = new Map<string, Client>();
  for (const n of nodes) {
    try {
      clients.set(n.alias, (await pool.get(n.alias)).client);
    } catch (err) {
      return { reason: `${n.alias} is not reachable: ${firstLine(err)}` };
    }
  }
  return { clients };
}

async function previewSync(
  what: SyncPreview['what'],
  source: string,
  target: string,
  syncedTo: string,
  clients: Map<string, Client> | undefined,
  input: PreviewInput,
): Promise<SyncPreview> {
  const isFile = !fs.statSync(source).isDirectory();
  if (isFile) {
    const size = fs.statSync(source).size;
    const nodes: NodeSyncPreview[] = [];
    for (const [node, c] of clients ?? []) {
      const p = await planFile(c, source, syncedTo, { token: input.token });
      nodes.push({
        node,
        files: p.send ? 1 : 0,
        bytes: p.send ? p.size : 0,
        paths: p.send ? [path.basename(source)] : [],
        delete: [],
      });
    }
    return { what, source, target, isFile, local: { files: 1, bytes: size }, excluded: [], nodes };
  }
  if (!clients) {
    const tree = walkLocalTree(source);
    return {
      what,
      source,
      target,
      isFile,
      rules: tree.mode,
      local: localTotals(tree),
      excluded: exclusions(tree),
      nodes: [],
    };
  }
  let tree: LocalTree | undefined;
  const nodes: NodeSyncPreview[] = [];
  for (const [node, c] of clients) {
    const plan = await planSync(c, source, syncedTo, { delete: input.delete, token: input.token });
    tree ??= plan.tree;
    const files = plan.send.filter((e) => e.type === 'f');
    nodes.push({
      node,
      files: files.length,
      bytes: plan.sendBytes,
      paths: plan.send.map((e) => e.rel),
      delete: plan.remove,
    });
  }
  return {
    what,
    source,
    target,
    isFile,
    rules: tree!.mode,
    local: localTotals(tree!),
    excluded: exclusions(tree!),
    nodes,
  };
}

type Mode = Extract<BucketAction, { action: 'attach' }>['mode'];

function storeOf(written: string | undefined, config: SkyConfig): StoreKind | undefined {
  if (written) {
    const k = written.toLowerCase() as StoreKind;
    return SUPPORTED_STORES.includes(k) ? k : undefined;
  }
  if (config.defaultStore) return config.defaultStore;
  const configured = configuredStores(config);
  return configured.length === 1 ? configured[0] : undefined;
}

async function previewBucket(
  m: Exclude<FileMount, { kind: 'local' }>,
  input: PreviewInput,
): Promise<BucketPreview> {
  const nodes = input.nodes.length;
  const { summary, details } = describeMount(m, {
    nodes,
    defaultStore: input.config.defaultStore,
    records: readRecords(),
  });
  const out: BucketPreview = { dst: m.dst, summary, details, actions: [], excluded: [] };
  const fail = (reason: string) => {
    out.actions.push({ action: 'fail', reason });
    return out;
  };
  if (m.kind === 'volume') return fail('volumes are not supported on SSH clusters');
  const mode = m.kind === 'uri' ? 'COPY' : (m.storage.mode as Mode);
  const attach: BucketAction = {
    action: 'attach',
    mode,
    readOnly: m.kind === 'storage' && !!m.storage.readOnly,
    nodes,
  };
  const uri = m.kind === 'uri' ? m.uri : m.storage.sources.find((x) => x.kind === 'uri')?.uri;
  out.store = storeOf(uri ? uri.store : m.kind === 'storage' ? m.storage.store : undefined, input.config);
  out.bucket = uri ? uri.bucket : m.kind === 'storage' ? m.storage.name : undefined;
  const local =
    m.kind === 'storage'
      ? m.storage.sources.filter((x): x is Extract<typeof x, { kind: 'local' }> => x.kind === 'local')
      : [];
  if (!uri && !out.bucket) return fail('a storage mount needs a name or a source');
  const missing = local.find((l) => !fs.existsSync(l.localPath));
  if (missing) return fail(`local source ${missing.path} does not exist (${missing.localPath})`);
  // What the upload would send from this machine, and what its rules leave out.
  const items = local.length
    ? planUpload(
        local.map((l) => l.localPath),
        '',
        input.log,
      )
    : [];
  for (const l of local)
    if (fs.statSync(l.localPath).isDirectory())
      out.excluded.push(...exclusions(walkLocalTree(l.localPath, { excludeGit: true }), l.path));
  const localBytes = items.reduce((n, i) => n + i.size, 0);
  const uncompared = (why: string) => {
    out.notCompared = why;
    if (uri) out.actions.push(attach);
    else if (local.length)
      out.actions.push(
        { action: 'create', ifMissing: true },
        {
          action: 'upload',
          files: items.length,
          bytes: localBytes,
          localFiles: items.length,
          compared: false,
        },
        attach,
      );
    else out.actions.push({ action: 'create', ifMissing: true }, attach);
    return out;
  };
  if (input.offline) return uncompared('offline');
  if (!out.store) return uncompared('the store is chosen at launch (no store given, no defaultStore)');
  try {
    const st = await openStore(out.store, input.config);
    const exists = await st.bucketExists(out.bucket!);
    if (uri) {
      if (!exists) return fail(`bucket ${st.uri(out.bucket!)} does not exist`);
      out.actions.push(attach);
      return out;
    }
    if (local.length) {
      const managed = readRecords().some((r) => r.name === out.bucket && r.store === out.store);
      if (exists && !managed)
        return fail(`bucket ${st.uri(out.bucket!)} exists but was not created by sky-vscode`);
      const objects = exists ? new Map((await listAll(st, out.bucket!)).map((o) => [o.key, o])) : new Map();
      const todo = items.filter((i) => needsUpload(i, objects.get(i.key)));
      if (!exists) out.actions.push({ action: 'create', ifMissing: false });
      out.actions.push(
        {
          action: 'upload',
          files: todo.length,
          bytes: todo.reduce((n, i) => n + i.size, 0),
          localFiles: items.length,
          compared: true,
        },
        attach,
      );
      return out;
    }
    if (!exists) {
      if (mode === 'COPY')
        return fail(`bucket ${st.uri(out.bucket!)} does not exist, and COPY mode needs data to copy`);
      out.actions.push({ action: 'create', ifMissing: false });
    }
    out.actions.push(attach);
    return out;
  } catch (err) {
    out.actions = [];
    return uncompared(`the ${out.store} store did not answer: ${firstLine(err)}`);
  }
}

/** The plan of a launch or exec; changes nothing on the nodes or in the stores. */
export async function previewLaunch(input: PreviewInput): Promise<LaunchPreview> {
  const conn = input.offline
    ? { reason: 'offline: the nodes were not asked' }
    : await connectAll(input.pool, input.nodes);
  const clients = 'clients' in conn ? conn.clients : undefined;
  const syncs: SyncPreview[] = [];
  if (input.workdir)
    syncs.push(
      await previewSync(
        'workdir',
        input.workdir.source,
        input.workdir.target,
        input.workdir.target,
        clients,
        input,
      ),
    );
  for (const m of input.mounts) {
    if (m.kind !== 'local') continue;
    syncs.push(
      await previewSync(
        'file_mount',
        m.localPath,
        m.remotePath,
        mountTarget(m.remotePath).path,
        clients,
        input,
      ),
    );
  }
  const buckets: BucketPreview[] = [];
  for (const m of input.mounts) if (m.kind !== 'local') buckets.push(await previewBucket(m, input));
  return {
    version: PREVIEW_VERSION,
    kind: input.kind,
    taskFile: input.taskFile,
    cluster: input.cluster,
    nodes: input.nodes.map((n) => n.alias),
    compared: !!clients,
    ...('reason' in conn ? { notCompared: conn.reason } : {}),
    delete: input.delete,
    syncs,
    buckets,
    steps: input.steps,
  };
}
