// Storage file_mounts resolved on this machine (reference §2), before any node is touched: each mount
// becomes a bucket path, with its store chosen, the bucket checked, and a local `source` created and
// uploaded first, as SkyPilot does.
import * as fs from 'fs';
import type { SkyConfig, StoreKind } from '../config/config';
import { openStore, configuredStores, readRecords, upsertRecord, syncLocalSourceToBucket } from '../storage';
import type { Store } from '../storage/store';
import { STORE_KINDS, storeDescriptor, storeForSkyName } from '../storage/stores/registry';
import type { StoreType } from '../storage/uri';
import type { FileMount, MountCachedConfig, Task } from '../task/model';
import { CancellationToken, throwIfCancelled } from '../util/cancellation';
import { SkyError } from '../util/errors';
import type { LogSink } from '../util/log';
import type { ProgressSink } from '../util/progress';
import type { PromptUi } from '../util/prompt';

export type StorageMount = Exclude<FileMount, { kind: 'local' }>;
export type Mode = 'MOUNT' | 'MOUNT_CACHED' | 'COPY';

/** One mount, resolved to a bucket path, before anything happens on the nodes. */
export interface Attachment {
  dst: string;
  mode: Mode;
  store: StoreKind;
  bucket: string;
  /** Path inside the bucket ('' = root). */
  key: string;
  /** COPY of a single object (cloud-URI string mounts decide this by listing). */
  isFile: boolean;
  readOnly: boolean;
  cached?: MountCachedConfig;
  /** What launch does to the bucket first, for the plan and the progress. */
  action: 'attach' | 'create' | 'upload';
}

export interface MountContext {
  task: Task;
  token: CancellationToken;
  progress: ProgressSink;
  log: LogSink;
}

export interface MountedStorage {
  /** Waits on every node until MOUNT_CACHED writes are uploaded; `say` gets SkyPilot-style status lines. */
  flush(say: (node: string, line: string) => void, token: CancellationToken): Promise<void>;
}

export interface StorageMounterOptions {
  config: SkyConfig;
  /** Asks for the store when ambiguous and before mounting over a non-empty directory. */
  ui?: PromptUi;
  /** Mount over non-empty directories without asking (their files are kept, hidden under the mount). */
  force?: boolean;
  /** Recorded as the managed bucket's COMMAND. */
  command: string;
  /** The cluster, recorded with non-persistent buckets. */
  cluster?: string;
}

function kindOf(t: StoreType, dst: string): StoreKind {
  const d = storeForSkyName(t);
  if (!d)
    throw new SkyError('store-unsupported', `${dst}: the ${t} store cannot be mounted by this version.`, {
      hint: `Supported: ${STORE_KINDS.map((k) => {
        const s = storeDescriptor(k);
        return s.nodeModes.includes('MOUNT') ? s.label : `${s.label} (${s.nodeModes.join(', ')})`;
      }).join(', ')}.`,
    });
  return d.kind;
}

/** `store` omitted: the task's cloud store (the model fills it), else defaultStore, else the only configured store, else ask. */
async function chooseStore(dst: string, config: SkyConfig, ui?: PromptUi): Promise<StoreKind> {
  if (config.defaultStore) return config.defaultStore;
  const configured = configuredStores(config);
  if (configured.length === 1) return configured[0];
  const choices = configured.length ? configured : STORE_KINDS;
  const picked = ui
    ? await ui.pick(
        `Which store should hold the bucket for ${dst}?`,
        choices.map((c) => ({ label: c, value: c })),
      )
    : undefined;
  if (!picked)
    throw new SkyError(
      'store-ambiguous',
      `${dst}: no store given and more than one is possible (${choices.join(', ')}).`,
      {
        hint: 'Add `store:` to the mount, or set defaultStore in the config.',
      },
    );
  return picked;
}

/** File or prefix? An object with exactly that key and nothing under `key/` is a file (SkyPilot's is_directory). */
async function uriIsFile(kind: StoreKind, bucket: string, key: string, config: SkyConfig): Promise<boolean> {
  if (!key) return false;
  const store = await openStore(kind, config);
  const clean = key.replace(/\/+$/, '');
  const under = await store.listObjects({ bucket, prefix: `${clean}/`, pageSize: 1 });
  if (under.objects.length || under.prefixes.length) return false;
  const exact = await store.listObjects({ bucket, prefix: clean, pageSize: 10 });
  if (exact.objects.some((o) => o.key === clean)) return true;
  throw new SkyError(
    'uri-not-found',
    `${store.uri(bucket, clean)} does not exist (no object and no objects under it).`,
  );
}

/** Resolves every mount on this machine: store choice, bucket creation, upload of local sources. */
export async function resolveAttachments(
  mounts: StorageMount[],
  opts: StorageMounterOptions,
  ctx: Pick<MountContext, 'token' | 'progress' | 'log'>,
): Promise<Attachment[]> {
  const out: Attachment[] = [];
  for (const m of mounts) {
    throwIfCancelled(ctx.token);
    try {
      out.push(await resolveOne(m, opts, ctx));
    } catch (err) {
      throw namingMount(err, m.dst);
    }
  }
  return out;
}

/** A bucket sky-vscode manages (it has a record) that is gone was deleted outside sky-vscode. */
const DELETED_OUTSIDE = ' (it was deleted outside sky-vscode; its storage record remains)';
const forgetHint = (name: string) => `\`sky-vscode storage delete ${name}\` forgets the record`;

/** rclone would mount or copy from a missing bucket without a clear word: say it before any node work. */
async function assertBucketExists(dst: string, kind: StoreKind, st: Store, bucket: string): Promise<void> {
  if (await st.bucketExists(bucket)) return;
  const known = readRecords().some((r) => r.name === bucket && r.store === kind);
  throw new SkyError(
    'bucket-missing',
    `${dst}: bucket ${st.uri(bucket)} does not exist${known ? DELETED_OUTSIDE : ''}.`,
    {
      hint: known
        ? `Give a name + local source to create it again, or ${forgetHint(bucket)}.`
        : 'Check the name and the store credentials, or give a name + local source to create it.',
    },
  );
}

/** A store error names the mount it came from ("~/data: No credentials for s3: …"). */
export function namingMount(err: unknown, dst: string): unknown {
  if (!(err instanceof SkyError) || err.message.startsWith(`${dst}:`)) return err;
  if (!['store-credentials', 'store-permission', 'store-unreachable'].includes(err.code)) return err;
  return new SkyError(err.code, `${dst}: ${err.message}`, { cause: err, hint: err.hint });
}

async function resolveOne(
  m: StorageMount,
  opts: StorageMounterOptions,
  ctx: Pick<MountContext, 'token' | 'progress' | 'log'>,
): Promise<Attachment> {
  if (m.kind === 'volume')
    throw new SkyError('mount-unsupported', `${m.dst}: volumes are not supported on SSH clusters.`);
  if (m.kind === 'uri') {
    const store = kindOf(m.uri.store, m.dst);
    await assertBucketExists(m.dst, store, await openStore(store, opts.config), m.uri.bucket);
    return {
      dst: m.remotePath,
      mode: 'COPY',
      store,
      bucket: m.uri.bucket,
      key: m.uri.key,
      isFile: await uriIsFile(store, m.uri.bucket, m.uri.key, opts.config),
      readOnly: false,
      action: 'attach',
    };
  }
  const s = m.storage;
  const base = {
    dst: m.remotePath,
    mode: s.mode as Mode,
    readOnly: s.readOnly,
    cached: s.mountCached,
    isFile: false,
  };
  const uriSources = s.sources.filter((x) => x.kind === 'uri');
  const localSources = s.sources.filter((x): x is Extract<typeof x, { kind: 'local' }> => x.kind === 'local');
  if (uriSources.length && (localSources.length || uriSources.length > 1))
    throw new SkyError(
      'mount-source',
      `${m.dst}: a bucket source must be a single URI (not mixed with local paths).`,
    );
  if (uriSources.length) {
    const u = uriSources[0].uri;
    const store = kindOf(u.store, m.dst);
    await assertBucketExists(m.dst, store, await openStore(store, opts.config), u.bucket);
    return { ...base, store, bucket: u.bucket, key: u.key, action: 'attach' };
  }
  if (!s.name) throw new SkyError('mount-source', `${m.dst}: a storage mount needs a name or a source.`);
  const store = s.store ? kindOf(s.store, m.dst) : await chooseStore(m.dst, opts.config, opts.ui);
  if (localSources.length) {
    for (const l of localSources)
      if (!fs.existsSync(l.localPath))
        throw new SkyError(
          'mount-source',
          `${m.dst}: local source ${l.path} does not exist (${l.localPath}).`,
        );
    ctx.progress.report({ phase: 'Uploading to bucket', message: `${s.name} (${store})` });
    const r = await syncLocalSourceToBucket({
      config: opts.config,
      store,
      name: s.name,
      sources: localSources.map((l) => l.localPath),
      command: opts.command,
      token: ctx.token,
      progress: {
        report: (e) =>
          ctx.progress.report({ ...e, phase: 'Uploading to bucket', message: e.message ?? s.name }),
      },
      log: ctx.log,
      persistent: s.persistent,
      cluster: opts.cluster,
    });
    ctx.log.info(
      `Storage ${s.name} (${store}): ${r.created ? 'created, ' : ''}${r.uploaded} file(s) uploaded, ${r.skipped} unchanged.`,
    );
    return { ...base, store, bucket: s.name, key: '', action: 'upload' };
  }
  // Name only: an existing bucket is attached; otherwise an empty one is created (not for COPY).
  const st = await openStore(store, opts.config);
  if (await st.bucketExists(s.name)) {
    return { ...base, store, bucket: s.name, key: '', action: 'attach' };
  }
  const known = readRecords().find((r) => r.name === s.name && r.store === store);
  if (s.mode === 'COPY')
    throw new SkyError(
      'bucket-missing',
      `${m.dst}: bucket ${st.uri(s.name)} does not exist${known ? DELETED_OUTSIDE : ''}, and COPY mode needs data to copy.`,
      {
        hint: `Add a \`source\`, or use MOUNT / MOUNT_CACHED to start from an empty bucket${known ? `; ${forgetHint(s.name)}` : ''}.`,
      },
    );
  if (known)
    ctx.log.warn(
      `${m.dst}: bucket ${st.uri(s.name)} no longer exists (it was deleted outside sky-vscode); creating it again, empty.`,
    );
  await st.createBucket(s.name);
  await upsertRecord({
    name: s.name,
    store,
    source: known?.source ?? [],
    command: opts.command,
    status: 'READY',
    ...(s.persistent ? {} : { persistent: false as const, cluster: opts.cluster }),
  });
  ctx.log.info(`Created empty bucket ${st.uri(s.name)} for ${m.dst}.`);
  return { ...base, store, bucket: s.name, key: '', action: 'create' };
}
