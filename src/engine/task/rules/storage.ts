import * as path from 'path';
import { validateBucketName } from '../../storage/names';
import { isCloudUri, parseStoreUri, StoreType, STORE_TYPES } from '../../storage/uri';
import type { RuleContext } from '../context';
import { hasPendingVar, substituteDeep } from '../envSubst';
import { isObj, Obj, ptr } from './common';
import { pathKind, resolveLocalPath } from './localPaths';

export type StorageMode = 'MOUNT' | 'COPY' | 'MOUNT_CACHED';
export const STORAGE_MODES: readonly StorageMode[] = ['MOUNT', 'COPY', 'MOUNT_CACHED'];

const NAME_PREFIX = /^(s3|gs|https|r2|cos|oci|nebius|cw|vastdata|hf):\/\//i;

/** The store SkyPilot would pick for a bucket without `store:`, when the task pins a cloud. */
export function defaultStoreForTask(task: Obj): StoreType | undefined {
  const res = isObj(task.resources) ? task.resources : {};
  const cloud = (
    typeof res.infra === 'string' ? res.infra.split('/')[0] : typeof res.cloud === 'string' ? res.cloud : ''
  ).toLowerCase();
  const map: Record<string, StoreType> = {
    aws: 'S3',
    gcp: 'GCS',
    azure: 'AZURE',
    ibm: 'IBM',
    oci: 'OCI',
    nebius: 'NEBIUS',
  };
  return map[cloud];
}

/** Stores that refuse sources from another provider (their _validate / upload). */
function crossStoreProblem(dst: StoreType, src: StoreType): 'error' | 'warning' | undefined {
  if (dst === src) return undefined;
  if (dst === 'GCS') return ['S3', 'R2', 'OCI'].includes(src) ? undefined : 'error';
  if (dst === 'AZURE' || dst === 'IBM' || dst === 'HF' || dst === 'OCI') return 'error';
  return 'warning';
}

/** One storage (bucket) entry of file_mounts: Storage._validate_storage_spec and friends (reference §1.6–1.7). */
export function storageRule(ctx: RuleContext, p: string, raw: Obj): void {
  const s = substituteDeep(raw, ctx.vars);
  const at = (...segs: string[]) => `${p}${ptr(...segs)}`;
  const storeRaw = s.store;
  // The schema lets `$VAR` through for store and mode (editors see the text before substitution); a
  // reference still there after substitution names no env, and SkyPilot refuses the literal text.
  for (const k of ['store', 'mode']) {
    const v = s[k];
    if (typeof v === 'string' && /\$\{?[A-Za-z_]/.test(v) && !hasPendingVar(v, ctx.task)) {
      ctx.report({
        severity: 'error',
        pointer: at(k),
        code: 'unresolved-var',
        message: `${k} '${v}' uses a variable that neither envs nor secrets set; SkyPilot would read the literal text.`,
      });
      return;
    }
  }
  if (storeRaw === 'volume') {
    volumeSource(ctx, p, s);
    return;
  }
  let store: StoreType | undefined;
  if (typeof storeRaw === 'string') {
    const up = storeRaw.toUpperCase();
    if (up === 'VOLUME') {
      ctx.report({
        severity: 'error',
        pointer: at('store'),
        code: 'store-volume-case',
        message: `Ephemeral volumes need exactly 'store: volume' (lower case); '${storeRaw}' is read as a bucket store, which does not exist.`,
        fix: { kind: 'replace-value', to: 'volume' },
      });
      return;
    }
    store = STORE_TYPES.find((t) => t === up);
  }
  const modeRaw = s.mode;
  const mode: StorageMode | undefined =
    modeRaw === undefined || modeRaw === null
      ? 'MOUNT'
      : STORAGE_MODES.find((m) => typeof modeRaw === 'string' && m === modeRaw.toUpperCase());
  const name = typeof s.name === 'string' ? s.name : undefined;
  const source = s.source;

  if (name !== undefined && NAME_PREFIX.test(name)) {
    const prefix = NAME_PREFIX.exec(name)?.[0] ?? '';
    ctx.report({
      severity: 'error',
      pointer: at('name'),
      code: 'name-prefix',
      message: `Prefix detected: \`name\` cannot start with ${prefix}. If you are trying to use an existing bucket, use \`source: ${name}\` instead; to pick the store, use \`store\`.`,
    });
  }

  if (source === undefined || source === null) {
    if (mode === 'COPY') {
      ctx.report({
        severity: 'error',
        pointer: p,
        on: 'key',
        code: 'copy-without-source',
        message:
          'New storage object: source must be specified when using COPY mode (unless a SkyPilot-managed storage with this name already exists).',
      });
    } else if (name === undefined) {
      ctx.report({
        severity: 'error',
        pointer: p,
        on: 'key',
        code: 'no-name-no-source',
        message: 'Storage source or storage name must be specified.',
      });
    }
  } else if (typeof source === 'string') {
    if (isCloudUri(source)) uriSource(ctx, p, source, name, store, mode);
    // A store prefix with no bucket (`s3://`) is not a local path to SkyPilot either; it fails later,
    // when the bucket is looked up.
    else if (!NAME_PREFIX.test(source)) localSource(ctx, p, [source], name, false);
  } else if (Array.isArray(source)) {
    const items = source.filter((x): x is string => typeof x === 'string');
    items.forEach((x, i) => {
      if (isCloudUri(x)) {
        ctx.report({
          severity: 'error',
          pointer: at('source', String(i)),
          code: 'list-uri',
          message: `A list source holds local paths only; '${x}' is a URI. Mount the bucket as its own file_mounts entry.`,
        });
      }
    });
    // SkyPilot stops at a URI in the list (it is not a local path); the missing name comes after.
    if (!items.some(isCloudUri)) localSource(ctx, p, items, name, true);
  }

  if (name !== undefined && !NAME_PREFIX.test(name) && !hasPendingVar(name, ctx.task)) {
    const target = store ?? defaultStoreForTask(ctx.task);
    if (target) {
      const msg = validateBucketName(target, name);
      if (msg) ctx.report({ severity: 'error', pointer: at('name'), code: 'bucket-name', message: msg });
    } else {
      // Store not pinned: SkyPilot picks it from the enabled clouds at launch (a cloud call, which
      // validation declines), so a name invalid for S3, GCS, Azure and IBM alike is only a warning.
      const msgs = (['S3', 'GCS', 'AZURE', 'IBM'] as StoreType[]).map((t) => validateBucketName(t, name));
      if (msgs.every((m) => m !== undefined))
        ctx.report({
          severity: 'warning',
          pointer: at('name'),
          code: 'bucket-name',
          message: msgs[0] as string,
        });
    }
  }

  // Mode-specific fields (Storage.__init__).
  const cfg = isObj(s.config) ? s.config : {};
  if (mode !== undefined) {
    if (s.type !== undefined && s.type !== null && mode !== 'MOUNT_CACHED') {
      ctx.report({
        severity: 'error',
        pointer: at('type'),
        on: 'key',
        code: 'storage-mode-config',
        message: `type can only be specified when mode is MOUNT_CACHED. Got mode=${mode}.`,
      });
    }
    if (cfg.mount_cached !== undefined && mode !== 'MOUNT_CACHED') {
      ctx.report({
        severity: 'error',
        pointer: at('config', 'mount_cached'),
        on: 'key',
        code: 'storage-mode-config',
        message: `config.mount_cached can only be specified when mode is MOUNT_CACHED. Got mode=${mode}.`,
      });
    }
    if (cfg.mount !== undefined && mode !== 'MOUNT') {
      ctx.report({
        severity: 'error',
        pointer: at('config', 'mount'),
        on: 'key',
        code: 'storage-mode-config',
        message: `config.mount can only be specified when mode is MOUNT. Got mode=${mode}.`,
      });
    }
  }
}

function uriSource(
  ctx: RuleContext,
  p: string,
  source: string,
  name: string | undefined,
  store: StoreType | undefined,
  mode: StorageMode | undefined,
): void {
  const at = (...segs: string[]) => `${p}${ptr(...segs)}`;
  const r = parseStoreUri(source);
  if (!r.ok) {
    ctx.report({ severity: 'error', pointer: at('source'), code: 'uri', message: r.error });
    return;
  }
  const u = r.uri;
  if (name !== undefined) {
    ctx.report({
      severity: 'error',
      pointer: at('name'),
      on: 'key',
      code: 'name-with-uri',
      message: 'Storage name should not be specified if the source is a remote URI.',
    });
  }
  if (mode === 'MOUNT' || mode === 'MOUNT_CACHED') {
    const afterNetloc = source.replace(/^[a-z0-9]+:\/\/[^/]*/i, '');
    const subPath =
      u.scheme === 'cos'
        ? !/^\/[-\w]+(\/\s*)?$/.test(afterNetloc)
        : u.scheme !== 'https' && u.scheme !== 'hf' && afterNetloc !== '';
    if (subPath) {
      const trailingOnly = afterNetloc === '/';
      ctx.report({
        severity: 'error',
        pointer: at('source'),
        code: 'mount-subpath',
        message: `${mode} mode does not support mounting specific files from cloud storage. Please use COPY mode or specify only the bucket name as the source.`,
        ...(trailingOnly
          ? { fix: { kind: 'remove-trailing-slash' as const, target: 'value' as const } }
          : {}),
      });
    }
  }
  if (u.store !== 'HF' && !hasPendingVar(source, ctx.task)) {
    const msg = validateBucketName(
      u.store,
      u.region && u.store === 'OCI' ? `${u.bucket}@${u.region}` : u.bucket,
    );
    if (msg) ctx.report({ severity: 'error', pointer: at('source'), code: 'bucket-name', message: msg });
  }
  if (store) {
    const problem = crossStoreProblem(store, u.store);
    if (problem) {
      ctx.report({
        severity: problem,
        pointer: at('store'),
        code: 'cross-store',
        message:
          problem === 'error'
            ? `store: ${store} cannot take a source from ${u.store} (${source}); SkyPilot rejects cross-provider sources for this store.`
            : `store: ${store} with a ${u.store} source needs a cross-provider transfer, which SkyPilot supports only for some pairs.`,
      });
    }
  }
}

function localSource(
  ctx: RuleContext,
  p: string,
  items: string[],
  name: string | undefined,
  isList: boolean,
): void {
  const at = (...segs: string[]) => `${p}${ptr(...segs)}`;
  if (name === undefined) {
    ctx.report({
      severity: 'error',
      pointer: p,
      on: 'key',
      code: 'local-without-name',
      message: 'Storage name must be specified if the source is local.',
    });
  }
  const seen = new Map<string, number>();
  items.forEach((src, i) => {
    const itemPtr = isList ? at('source', String(i)) : at('source');
    if (src.length > 1 && src.endsWith('/')) {
      ctx.report({
        severity: 'error',
        pointer: itemPtr,
        code: 'trailing-slash',
        message: `Storage source paths cannot end with a slash (try replacing '${src}' with '${src.replace(/\/+$/, '')}').`,
        fix: { kind: 'remove-trailing-slash', target: 'value' },
      });
    }
    if (isList) {
      const b = path.basename(src.replace(/\/+$/, ''));
      if (seen.has(b)) {
        ctx.report({
          severity: 'error',
          pointer: itemPtr,
          code: 'duplicate-basename',
          message: `Cannot have multiple files or directories with the same name in source ('${b}'): they would overwrite each other in the bucket.`,
        });
      }
      seen.set(b, i);
    }
    if (!ctx.localChecks || isCloudUri(src) || hasPendingVar(src, ctx.task)) return;
    const abs = resolveLocalPath(src, ctx.baseDir);
    const kind = pathKind(abs);
    if (kind === 'missing') {
      ctx.report({
        severity: 'error',
        pointer: itemPtr,
        code: 'local-missing',
        message: `Local source path '${src}' does not exist (${abs}).`,
      });
    } else if (kind === 'file' && !isList) {
      ctx.report({
        severity: 'error',
        pointer: itemPtr,
        code: 'single-file-source',
        message: `Storage source '${src}' is a file: a single source must be a directory. To upload one file, write source: [${src}]; it will appear at <mount path>/${path.basename(src)}.`,
        fix: { kind: 'wrap-in-list' },
      });
    }
  });
}

function volumeSource(ctx: RuleContext, p: string, s: Obj): void {
  if (
    typeof s.source !== 'string' ||
    !ctx.localChecks ||
    isCloudUri(s.source) ||
    hasPendingVar(s.source, ctx.task)
  )
    return;
  const abs = resolveLocalPath(s.source, ctx.baseDir);
  if (pathKind(abs) === 'missing') {
    ctx.report({
      severity: 'error',
      pointer: `${p}${ptr('source')}`,
      code: 'local-missing',
      message: `Local source path '${s.source}' does not exist (${abs}).`,
    });
  }
}
