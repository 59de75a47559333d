import * as path from 'path';
import { isCloudUri, parseStoreUri, StoreType, StoreUri, STORE_TYPES } from '../storage/uri';
import type { Diagnostic } from './diagnostic';
import { pyStr, substituteDeep, substituteVars, taskVars } from './envSubst';
import { isObj, Obj } from './rules/common';
import { REMOTE_WORKDIR } from './rules/fileMounts';
import { resolveLocalPath } from './rules/localPaths';
import { defaultStoreForTask, StorageMode, STORAGE_MODES } from './rules/storage';
import { validateTask, ValidateOptions } from './validate';

/**
 * The typed task model the launch and mounts code consumes. It is built from the YAML after
 * validation, with SkyPilot's defaults and normalisations applied:
 * - `$VAR`/`${VAR}` substituted from envs + dict secrets (+ overrides) in workdir and file_mounts;
 * - local paths resolved (`~`, then relative to the task file's folder) into `localPath`;
 * - storage enums upper-cased, `mode` defaulted to MOUNT, `persistent` to true, the store inferred
 *   from a URI source, the name derived from a URI source, MOUNT_CACHED `type` presets merged
 *   under explicit `config.mount_cached`.
 * Every mount keeps the JSON pointer of its YAML entry (`pointer`) so callers can point back at it.
 */
export interface Task {
  /** 0-based document index in the file. */
  document: number;
  name?: string;
  workdir?: Workdir;
  numNodes: number;
  /** `resources` as written (validated), `gpus` renamed to `accelerators`, for the launch planner. */
  resources: Obj;
  /** envs as strings (SkyPilot applies str()); null = must be supplied at launch. */
  envs: Record<string, string | null>;
  /** Inline secrets (dict form) and references to managed secrets (`secrets:NAME`). */
  secrets: Record<string, string | null>;
  secretRefs: string[];
  setup?: string;
  run?: string;
  fileMounts: FileMount[];
  config: Obj;
  /** The document's plain value, for fields this model does not cover (service, pool, volumes…). */
  raw: Obj;
}

export type Workdir =
  { kind: 'local'; path: string; localPath: string } | { kind: 'git'; url: string; ref?: string };

/** Where a remote destination lands: relative paths go under ~/sky_workdir (SkyPilot #9537). */
export function remoteDestination(dst: string): string {
  if (dst.startsWith('/') || dst === '~' || dst.startsWith('~/')) return dst;
  return `${REMOTE_WORKDIR}/${dst.replace(/^\.\//, '')}`;
}

interface MountBase {
  /** Destination as written after substitution (may be relative, `~/…` or absolute). */
  dst: string;
  /** `remoteDestination(dst)`. */
  remotePath: string;
  /** JSON pointer of the entry, e.g. `/file_mounts/~1data`. */
  pointer: string;
}

export type FileMount =
  /** Local file or directory, rsynced to every node. */
  | (MountBase & { kind: 'local'; source: string; localPath: string })
  /** Cloud URI string: downloaded on each node with the store's CLI. */
  | (MountBase & { kind: 'uri'; source: string; uri: StoreUri })
  /** Bucket (storage object). */
  | (MountBase & { kind: 'storage'; storage: StorageSpec })
  /** `store: volume`: an ephemeral volume at dst, optional source copied to `<dst>/data`. */
  | (MountBase & { kind: 'volume'; name?: string; source?: string; persistent: boolean; config: Obj });

export type FileMountType = 'MODEL_CHECKPOINT_RO' | 'MODEL_CHECKPOINT_RW' | 'DATASET_RO' | 'DATASET_RW';

export interface MountCachedConfig {
  transfers?: number;
  buffer_size?: string;
  vfs_cache_max_size?: string;
  vfs_cache_max_age?: string;
  vfs_read_ahead?: string;
  vfs_read_chunk_size?: string;
  vfs_read_chunk_streams?: number;
  vfs_write_back?: string;
  read_only?: boolean;
}

export type StorageSource =
  { kind: 'local'; path: string; localPath: string } | { kind: 'uri'; uri: StoreUri };

export interface StorageSpec {
  /** Bucket name: explicit, or derived from a URI source (bucket, Azure container, HF ns/name). */
  name?: string;
  /** Sources as written after substitution; `sources` is the parsed form. A list means "upload these". */
  source?: string | string[];
  sources: StorageSource[];
  /** Explicit `store`, else the URI source's store, else the store for the task's cloud; undefined = SkyPilot's default. */
  store?: StoreType;
  storeExplicit: boolean;
  mode: StorageMode;
  persistent: boolean;
  type?: FileMountType;
  /** Effective MOUNT_CACHED options: the `type` preset overlaid with config.mount_cached. */
  mountCached?: MountCachedConfig;
  /** read-only: config.mount.read_only (MOUNT) or mountCached.read_only (MOUNT_CACHED); HF repos always. */
  readOnly: boolean;
  /** The raw `config` object. */
  config: Obj;
}

/** SkyPilot's _MOUNT_CACHED_PRESET_CONFIGS (reference §1.6). */
export const MOUNT_CACHED_PRESETS: Record<FileMountType, MountCachedConfig> = {
  MODEL_CHECKPOINT_RO: { vfs_read_chunk_streams: 16, vfs_read_chunk_size: '32M', read_only: true },
  MODEL_CHECKPOINT_RW: { vfs_read_chunk_streams: 16, vfs_read_chunk_size: '32M', transfers: 8 },
  DATASET_RO: { vfs_read_chunk_streams: 0, vfs_read_chunk_size: '8M', read_only: true },
  DATASET_RW: { vfs_read_chunk_streams: 0, vfs_read_chunk_size: '8M', transfers: 16 },
};

export interface ParsedTaskFile {
  /** Tasks in file order (the header document of a pipeline/job group is not a task). */
  tasks: Task[];
  /** Pipeline / job-group header, when the file has one. */
  header?: { document: number; name?: string; execution?: string };
  diagnostics: Diagnostic[];
  /** True when no diagnostic is an error: only then is `tasks` safe to execute. */
  ok: boolean;
}

/** Validates and builds the model. Tasks are built even with errors (best effort) so that editors can use them. */
export function parseTask(text: string, opts: ValidateOptions = {}): ParsedTaskFile {
  const { parsed, diagnostics, headerIndex } = validateTask(text, opts);
  const baseDir = opts.file ? path.dirname(path.resolve(opts.file)) : process.cwd();
  const tasks: Task[] = [];
  let header: ParsedTaskFile['header'];
  for (const d of parsed.documents) {
    const v = d.value;
    if (d.index === headerIndex && isObj(v)) {
      header = {
        document: d.index,
        ...(typeof v.name === 'string' ? { name: v.name } : {}),
        ...(typeof v.execution === 'string' ? { execution: v.execution } : {}),
      };
      continue;
    }
    if (v === null || v === undefined) {
      if (parsed.documents.length === 1) tasks.push(buildTask({}, d.index, baseDir, opts.env));
      continue;
    }
    if (isObj(v)) tasks.push(buildTask(v, d.index, baseDir, opts.env));
  }
  return {
    tasks,
    ...(header ? { header } : {}),
    diagnostics,
    ok: !diagnostics.some((x) => x.severity === 'error'),
  };
}

function strMap(m: unknown): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (isObj(m))
    for (const [k, v] of Object.entries(m)) out[k] = v === null || v === undefined ? null : pyStr(v);
  return out;
}

/** A task's `secrets:` mapping as strings (null: to be given with --secret); `secrets:` refs left out. */
function taskSecrets(v: Obj): Record<string, string | null> {
  const raw = v.secrets;
  return isObj(raw)
    ? strMap(Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('secrets:'))))
    : {};
}

/**
 * The secret values a task file holds (each task's `secrets:` mapping), without building the tasks:
 * `validate` registers them for masking and needs nothing else of the model.
 */
export function secretValues(documents: readonly unknown[]): string[] {
  return documents.flatMap((v) =>
    isObj(v) ? Object.values(taskSecrets(v)).filter((x): x is string => x !== null) : [],
  );
}

export function buildTask(
  v: Obj,
  document: number,
  baseDir: string,
  overrides: Record<string, string> = {},
): Task {
  const vars = taskVars(v, overrides);
  const envs = strMap(v.envs);
  for (const [k, val] of Object.entries(overrides)) if (k in envs) envs[k] = val;
  const secretsRaw = v.secrets;
  const secrets = taskSecrets(v);
  const secretRefs = Array.isArray(secretsRaw)
    ? secretsRaw.filter((s): s is string => typeof s === 'string')
    : isObj(secretsRaw)
      ? Object.keys(secretsRaw).filter((k) => k.startsWith('secrets:'))
      : [];
  let workdir: Workdir | undefined;
  if (typeof v.workdir === 'string') {
    const p = substituteVars(v.workdir, vars);
    workdir = { kind: 'local', path: p, localPath: resolveLocalPath(p, baseDir) };
  } else if (isObj(v.workdir) && typeof v.workdir.url === 'string') {
    workdir = {
      kind: 'git',
      url: substituteVars(v.workdir.url, vars),
      ...(typeof v.workdir.ref === 'string' ? { ref: v.workdir.ref } : {}),
    };
  }
  const fileMounts: FileMount[] = [];
  if (isObj(v.file_mounts)) {
    const defaultStore = defaultStoreForTask(v);
    for (const [key, raw] of Object.entries(v.file_mounts)) {
      const dst = substituteVars(key, vars);
      const base = {
        dst,
        remotePath: remoteDestination(dst),
        pointer: `/file_mounts/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
      };
      if (typeof raw === 'string') {
        const src = substituteVars(raw, vars);
        const u = isCloudUri(src) ? parseStoreUri(src) : undefined;
        if (u && u.ok) fileMounts.push({ ...base, kind: 'uri', source: src, uri: u.uri });
        else if (!u)
          fileMounts.push({ ...base, kind: 'local', source: src, localPath: resolveLocalPath(src, baseDir) });
      } else if (isObj(raw)) {
        const s = substituteDeep(raw, vars);
        if (s.store === 'volume') {
          fileMounts.push({
            ...base,
            kind: 'volume',
            ...(typeof s.name === 'string' ? { name: s.name } : {}),
            ...(typeof s.source === 'string' ? { source: s.source } : {}),
            persistent: s.persistent === true,
            config: isObj(s.config) ? s.config : {},
          });
        } else {
          fileMounts.push({ ...base, kind: 'storage', storage: buildStorage(s, baseDir, defaultStore) });
        }
      }
    }
  }
  const num = v.num_nodes;
  return {
    document,
    ...(typeof v.name === 'string' ? { name: v.name } : {}),
    ...(workdir ? { workdir } : {}),
    numNodes: typeof num === 'number' && Number.isInteger(num) && num >= 1 ? num : 1,
    resources: isObj(v.resources) ? canonicalResources(v.resources) : {},
    envs,
    secrets,
    secretRefs,
    ...(typeof v.setup === 'string'
      ? { setup: v.setup }
      : Array.isArray(v.setup)
        ? { setup: v.setup.join('\n') }
        : {}),
    ...(typeof v.run === 'string' ? { run: v.run } : {}),
    fileMounts,
    config: isObj(v.config) ? v.config : {},
    raw: v,
  };
}

/** `gpus` is SkyPilot's alias of `accelerators` (RESOURCE_CONFIG_ALIASES): consumers see one name. */
function canonicalResources(r: Obj): Obj {
  const one = (x: Obj): Obj => {
    if (x.gpus === undefined || x.accelerators !== undefined) return x;
    const { gpus, ...rest } = x;
    return { ...rest, accelerators: gpus };
  };
  const out = one(r);
  for (const k of ['any_of', 'ordered']) {
    const list = out[k];
    if (Array.isArray(list)) out[k] = list.map((x) => (isObj(x) ? one(x) : x));
  }
  return out;
}

export function buildStorage(s: Obj, baseDir: string, defaultStore?: StoreType): StorageSpec {
  const modeUp = typeof s.mode === 'string' ? s.mode.toUpperCase() : 'MOUNT';
  const mode = (STORAGE_MODES as readonly string[]).includes(modeUp) ? (modeUp as StorageMode) : 'MOUNT';
  const storeUp = typeof s.store === 'string' ? s.store.toUpperCase() : undefined;
  const explicitStore = STORE_TYPES.find((t) => t === storeUp);
  const srcList =
    typeof s.source === 'string'
      ? [s.source]
      : Array.isArray(s.source)
        ? s.source.filter((x): x is string => typeof x === 'string')
        : [];
  const sources: StorageSource[] = srcList.map((p) => {
    const r = isCloudUri(p) ? parseStoreUri(p) : undefined;
    return r && r.ok
      ? { kind: 'uri', uri: r.uri }
      : { kind: 'local', path: p, localPath: resolveLocalPath(p, baseDir) };
  });
  const uriSource = typeof s.source === 'string' && sources[0]?.kind === 'uri' ? sources[0].uri : undefined;
  const typeUp = typeof s.type === 'string' ? (s.type.toUpperCase() as FileMountType) : undefined;
  const type = typeUp && typeUp in MOUNT_CACHED_PRESETS ? typeUp : undefined;
  const config = isObj(s.config) ? s.config : {};
  let mountCached: MountCachedConfig | undefined;
  if (mode === 'MOUNT_CACHED') {
    mountCached = {
      ...(type ? MOUNT_CACHED_PRESETS[type] : {}),
      ...(isObj(config.mount_cached) ? (config.mount_cached as MountCachedConfig) : {}),
    };
  }
  const mountCfg = isObj(config.mount) ? config.mount : {};
  const hfRepo = uriSource?.store === 'HF' && uriSource.hfKind !== 'bucket';
  const readOnly =
    hfRepo ||
    (mode === 'MOUNT' && mountCfg.read_only === true) ||
    (mode === 'MOUNT_CACHED' && mountCached?.read_only === true);
  const store = explicitStore ?? uriSource?.store ?? defaultStore;
  const name = typeof s.name === 'string' ? s.name : uriSource ? uriSource.bucket : undefined;
  return {
    ...(name !== undefined ? { name } : {}),
    ...(typeof s.source === 'string' || Array.isArray(s.source)
      ? { source: s.source as string | string[] }
      : {}),
    sources,
    ...(store ? { store } : {}),
    storeExplicit: explicitStore !== undefined,
    mode,
    persistent: s.persistent !== false,
    ...(type ? { type } : {}),
    ...(mountCached ? { mountCached } : {}),
    readOnly,
    config,
  };
}
