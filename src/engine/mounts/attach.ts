// Storage file_mounts on the nodes (reference §2): resolve each mount to a bucket (creating and
// uploading a local `source` first, as SkyPilot does), then on every node MOUNT (rclone, no cache),
// MOUNT_CACHED (rclone VFS full cache) or COPY (rclone copy), and, after the run, wait until every
// cached write has reached its bucket.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Client } from 'ssh2';
import type { SkyConfig, StoreKind } from '../config/config';
import type { ClusterNode } from '../cluster/clusters';
import { exec } from '../ssh/exec';
import { openStore, configuredStores, readRecords, upsertRecord, syncLocalSourceToBucket } from '../storage';
import type { Store } from '../storage/store';
import { STORE_KINDS, storeDescriptor, storeForSkyName } from '../storage/stores/registry';
import { downloadToFolder } from '../storage/transfer';
import type { StoreType } from '../storage/uri';
import { syncDirectory, syncFile } from '../sync/sync';
import type { FileMount, MountCachedConfig, Task } from '../task/model';
import { CancellationToken, CancelledError, throwIfCancelled } from '../util/cancellation';
import { SkyError } from '../util/errors';
import type { LogSink } from '../util/log';
import type { ProgressSink } from '../util/progress';
import type { PromptUi } from '../util/prompt';
import { redact } from '../util/redact';
import {
  COPY_SCRIPT,
  FLUSH_SCRIPT,
  MOUNT_EXIT,
  MOUNT_SCRIPT,
  NODE_DIRS,
  PROBE_SCRIPT,
  scriptCommand,
  writeConfCommand,
} from './nodeScripts';
import { rcloneRemoteFor, type RcloneRemote } from './rcloneRemote';

export type StorageMount = Exclude<FileMount, { kind: 'local' }>;
type Mode = 'MOUNT' | 'MOUNT_CACHED' | 'COPY';

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

/** A store with COPY but no MOUNT on the nodes (OCI: no rclone backend there) is copied through this machine. */
function relaysCopy(kind: StoreKind): boolean {
  return !storeDescriptor(kind).nodeModes.includes('MOUNT');
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
function namingMount(err: unknown, dst: string): unknown {
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

interface Probe {
  /** What the probe's install attempt did: none, ok, no-sudo, no-apt or failed. */
  install: string;
  uid: number;
  home: string;
  rclone?: string;
  fuse: boolean;
  /** The node user can open /dev/fuse read-write. */
  fuseUsable: boolean;
  /** Its mode allows the node user read-write (so an unusable device is denied by something else). */
  fuseAccess: boolean;
  /** `ls -l` style mode and owner of /dev/fuse, e.g. `crw------- root:root`. */
  fuseMode: string;
  user: string;
  allowOther: boolean;
}

function parseProbe(stdout: string): Probe {
  const kv = Object.fromEntries(
    stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]),
  );
  return {
    install: kv.install ?? 'none',
    uid: Number(kv.uid),
    home: kv.home,
    rclone: kv.rclone || undefined,
    fuse: kv.fuse === '1',
    fuseUsable: kv.fuse_usable === '1',
    fuseAccess: kv.fuse_access === '1',
    fuseMode: kv.fuse_mode ?? '',
    user: kv.user ?? '',
    allowOther: kv.allow_other === '1',
  };
}

function versionAtLeast(v: string | undefined, want: string): boolean {
  if (!v) return false;
  const a = v.split('.').map(Number);
  const b = want.split('.').map(Number);
  for (let i = 0; i < b.length; i++) if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) > b[i];
  return true;
}

const id = (dst: string) => crypto.createHash('md5').update(dst).digest('hex');
export const cacheDirFor = (dst: string) => `${NODE_DIRS.cache}/${id(dst)}`;

/** SkyPilot's MountCachedConfig.to_rclone_flags with its defaults; one transfer unless `transfers` says more. */
export function cachedFlags(
  dst: string,
  c: MountCachedConfig = {},
  rcloneVersion?: string,
  log?: LogSink,
): string[] {
  const up = (s: string) => s.toUpperCase();
  const t = c.transfers ?? 1;
  const f = [
    '--vfs-cache-mode', 'full',
    '--dir-cache-time', '10s',
    '--vfs-cache-poll-interval', '10s',
    '--cache-dir', `${'$HOME'}/${cacheDirFor(dst)}`,
    '--vfs-fast-fingerprint',
    '--transfers', String(t),
    '--checkers', String(Math.max(4, Math.min(2 * t, Math.floor(30 + 1.2 * t)))),
    '--vfs-cache-max-size', up(c.vfs_cache_max_size ?? '10G'),
    '--vfs-write-back', c.vfs_write_back ?? '1s',
  ]; // prettier-ignore
  if (c.buffer_size) f.push('--buffer-size', up(c.buffer_size));
  if (c.vfs_cache_max_age) f.push('--vfs-cache-max-age', c.vfs_cache_max_age);
  if (c.vfs_read_ahead) f.push('--vfs-read-ahead', up(c.vfs_read_ahead));
  if (c.vfs_read_chunk_size) f.push('--vfs-read-chunk-size', up(c.vfs_read_chunk_size));
  if (c.vfs_read_chunk_streams !== undefined) {
    if (versionAtLeast(rcloneVersion, '1.68'))
      f.push('--vfs-read-chunk-streams', String(c.vfs_read_chunk_streams));
    else
      log?.warn(
        `${dst}: vfs_read_chunk_streams needs rclone 1.68+ (the node has ${rcloneVersion ?? 'an unknown version'}); ignored.`,
      );
  }
  if (c.read_only) f.push('--read-only');
  return f;
}

/** MOUNT: streaming, no local cache (goofys-like); close-to-open, with a 5 s listing cache like SkyPilot's goofys flags. */
export function mountFlags(readOnly: boolean): string[] {
  const f = ['--vfs-cache-mode', 'off', '--dir-cache-time', '5s', '--attr-timeout', '1s'];
  if (readOnly) f.push('--read-only');
  return f;
}

function failure(code: number, node: string, a: Attachment, stderr: string): SkyError {
  const detail = redact(stderr.trim());
  const where = `${a.dst} on ${node}`;
  switch (code) {
    case MOUNT_EXIT.noPermission:
      return new SkyError('mount-permission', `${where}: ${detail}`, {
        hint: 'Use a path under ~ or /tmp, or give the node user passwordless sudo.',
      });
    case MOUNT_EXIT.notDirectory:
      return new SkyError('mount-path', `${where}: ${detail}`);
    case MOUNT_EXIT.mountFailed:
      return new SkyError(
        'mount-failed',
        `Mounting ${a.store} bucket ${a.bucket} at ${where} failed: ${detail}`,
      );
    case MOUNT_EXIT.copyFailed:
      return new SkyError(
        'copy-failed',
        `Copying ${a.store} bucket ${a.bucket} to ${where} failed: ${detail}`,
      );
    default:
      return new SkyError('mount-failed', `${where}: exit ${code}: ${detail}`);
  }
}

/** Per-node work for one attachment: conf file, then mount or copy. */
async function attachOnNode(
  node: ClusterNode,
  client: Client,
  probe: Probe,
  a: Attachment,
  remote: RcloneRemote | undefined,
  opts: StorageMounterOptions,
  ctx: MountContext,
): Promise<void> {
  const say = (message: string) =>
    ctx.progress.report({ phase: 'Storage mounts', node: node.alias, message });
  if (!remote) return relayCopy(node, client, a, opts, ctx);
  const conf = await exec(client, writeConfCommand(remote.profile), {
    stdin: remote.section,
    token: ctx.token,
  });
  if (conf.code !== 0)
    throw new SkyError(
      'mount-failed',
      `Writing the rclone config on ${node.alias} failed: ${conf.stderr.trim()}`,
    );
  const target = `${remote.profile}:${a.bucket}${a.key ? `/${a.key.replace(/\/+$/, '')}` : ''}`;
  if (a.mode === 'COPY') {
    say(`Copying ${a.bucket}${a.key ? `/${a.key}` : ''} → ${a.dst}`);
    const r = await exec(
      client,
      scriptCommand([a.dst, target, remote.profile, a.isFile ? 'file' : 'dir', '--transfers', 8]),
      { stdin: COPY_SCRIPT, token: ctx.token },
    );
    if (r.code !== 0) throw failure(r.code, node.alias, a, r.stderr);
    return;
  }
  const flags =
    a.mode === 'MOUNT' ? mountFlags(a.readOnly) : cachedFlags(a.dst, a.cached, probe.rclone, ctx.log);
  if (a.mode === 'MOUNT_CACHED' && a.readOnly && !flags.includes('--read-only')) flags.push('--read-only');
  if (probe.allowOther) flags.push('--allow-other');
  const resolved = flags.map((f) => f.replace('$HOME', probe.home));
  let force = !!opts.force;
  for (;;) {
    say(`${a.mode} ${a.bucket} → ${a.dst}`);
    const r = await exec(
      client,
      scriptCommand([a.dst, target, remote.profile, force ? 1 : 0, id(a.dst), ...resolved]),
      { stdin: MOUNT_SCRIPT, token: ctx.token },
    );
    if (r.code === 0) return;
    if (r.code === MOUNT_EXIT.notEmpty && !force) {
      const ok = await opts.ui?.confirm(
        `${a.dst} on ${node.alias} is not empty. Mount bucket ${a.bucket} over it?`,
        {
          detail: 'Nothing is deleted: the files stay on the node, hidden while the bucket is mounted.',
          confirmLabel: 'Mount Over It',
        },
      );
      if (ok) {
        force = true;
        continue;
      }
      throw new SkyError('mount-path-not-empty', `Mount path ${a.dst} on ${node.alias} is not empty.`, {
        hint: 'Empty it or pick another path; or pass --force-mounts to mount over it (its files are kept, hidden).',
      });
    }
    throw failure(r.code, node.alias, a, r.stderr);
  }
}

/** A store with no rclone backend on the nodes (OCI): COPY through this machine with its SDK, then sync to the node. */
async function relayCopy(
  node: ClusterNode,
  client: Client,
  a: Attachment,
  opts: StorageMounterOptions,
  ctx: MountContext,
): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-oci-relay-'));
  try {
    const store = await openStore(a.store, opts.config);
    ctx.progress.report({
      phase: 'Storage mounts',
      node: node.alias,
      message: `Fetching ${store.uri(a.bucket, a.key)}`,
    });
    const key = a.isFile ? a.key : a.key && !a.key.endsWith('/') ? `${a.key}/` : a.key;
    await downloadToFolder(store, a.bucket, key, tmp, { token: ctx.token });
    const local = a.isFile
      ? path.join(tmp, path.posix.basename(a.key))
      : path.join(tmp, key ? path.posix.basename(key.replace(/\/$/, '')) : '');
    if (a.isFile) await syncFile(client, local, a.dst, { token: ctx.token, node: node.alias });
    else
      await syncDirectory(client, local, a.dst, {
        token: ctx.token,
        progress: ctx.progress,
        log: ctx.log,
        node: node.alias,
        phase: 'Storage mounts',
      });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const WHY_NOT_INSTALLED: Record<string, string> = {
  'no-sudo': 'its user has no passwordless sudo to run apt-get',
  'no-apt': 'the node has no apt-get',
  failed: 'apt-get install rclone fuse3 failed (no network or no package source?)',
};

async function probeNode(node: ClusterNode, client: Client, token: CancellationToken): Promise<Probe> {
  const r = await exec(client, 'bash -s', { stdin: PROBE_SCRIPT, token });
  const p = parseProbe(r.stdout);
  if (!p.rclone) {
    const why = WHY_NOT_INSTALLED[p.install];
    throw new SkyError(
      'mount-tool-missing',
      `rclone is not installed on ${node.alias} and could not be installed${why ? `: ${why}` : ''}.`,
      {
        hint: 'Install it on the node (sudo apt-get install -y rclone fuse3, or curl https://rclone.org/install.sh | sudo bash), or give the node user passwordless sudo so sky-vscode installs it.',
      },
    );
  }
  return p;
}

/** Runs fn on every node and lets every node finish before the first failure (in node order) is thrown. */
async function onEveryNode<T, R>(items: T[], fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const settled = await Promise.allSettled(items.map(fn));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<R>).value);
}

/**
 * The launch hook, in two steps. First, before any node is touched: resolve every mount (store,
 * bucket checks, uploads) and build the nodes' rclone remotes, so a store without credentials fails
 * here. Then, with the nodes: probe every node (tools, FUSE) before mounting on any, so one node that
 * cannot mount leaves no half-made mounts on the others; then attach on every node in parallel.
 */
export function createStorageMounter(opts: StorageMounterOptions) {
  return async (mounts: StorageMount[], ctx: MountContext) => {
    const attachments = await resolveAttachments(mounts, opts, ctx);
    const remotes = new Map<Attachment, RcloneRemote | undefined>();
    for (const a of attachments) {
      throwIfCancelled(ctx.token);
      // OCI: COPY is relayed through this machine; rcloneRemoteFor throws the clear error for MOUNT.
      const relay = relaysCopy(a.store) && a.mode === 'COPY';
      try {
        remotes.set(a, relay ? undefined : await rcloneRemoteFor(a.store, a.bucket, opts.config));
      } catch (err) {
        throw namingMount(err, a.dst);
      }
    }
    return (nodes: { node: ClusterNode; client: Client }[]) =>
      attachAll(nodes, attachments, remotes, opts, ctx);
  };
}

/**
 * The device is there but the node user cannot open it (a machine without udev leaves /dev/fuse
 * crw------- root): every such node fails the launch here, before any mount, rather than each
 * mount failing in fusermount.
 */
function assertFuseUsable(nodes: { node: ClusterNode }[], probes: Probe[], fuseMount: Attachment): void {
  const bad = nodes.map((n, i) => ({ alias: n.node.alias, p: probes[i] })).filter((x) => !x.p.fuseUsable);
  if (!bad.length) return;
  const what = bad.map(({ alias, p }) => `${p.user} on ${alias} cannot open /dev/fuse (${p.fuseMode})`);
  const users = [...new Set(bad.map((x) => x.p.user))].join(' / ');
  const where = bad.map((x) => x.alias).join(', ');
  const byMode = bad.filter((x) => !x.p.fuseAccess).length > 0;
  throw new SkyError(
    'fuse-unusable',
    `${what.join('; ')}, needed for ${fuseMount.mode} at ${fuseMount.dst}; nothing was mounted.`,
    {
      hint: byMode
        ? `As root on ${where}: chmod 0666 /dev/fuse (the mode udev gives it; without udev, repeat it at boot), or add ${users} to the group that owns /dev/fuse (e.g. groupadd -f fuse; chgrp fuse /dev/fuse; chmod 0660 /dev/fuse; usermod -aG fuse ${users}). Or use mode: COPY, which needs no FUSE.`
        : `${where} ${bad.length > 1 ? 'deny' : 'denies'} the device whatever its mode (a container started without --device /dev/fuse?). Give the node the device, or use mode: COPY, which needs no FUSE.`,
    },
  );
}

async function attachAll(
  nodes: { node: ClusterNode; client: Client }[],
  attachments: Attachment[],
  remotes: Map<Attachment, RcloneRemote | undefined>,
  opts: StorageMounterOptions,
  ctx: MountContext,
): Promise<MountedStorage> {
  const needsRclone = attachments.some((a) => remotes.get(a));
  const probes = await onEveryNode(nodes, ({ node, client }) =>
    needsRclone
      ? probeNode(node, client, ctx.token)
      : Promise.resolve<Probe>({
          install: 'none',
          uid: -1,
          home: '~',
          fuse: false,
          fuseUsable: false,
          fuseAccess: false,
          fuseMode: '',
          user: '',
          allowOther: false,
        }),
  );
  const fuseMount = attachments.find((a) => a.mode !== 'COPY');
  const noFuse = nodes.filter((_, i) => !probes[i].fuse).map((n) => n.node.alias);
  if (fuseMount && noFuse.length)
    throw new SkyError(
      'no-fuse',
      `${noFuse.join(', ')} ${noFuse.length > 1 ? 'have' : 'has'} no FUSE (/dev/fuse with fusermount3), needed for ${fuseMount.mode} at ${fuseMount.dst}; nothing was mounted.`,
      {
        hint: 'Install fuse3 on the node (sudo apt-get install -y fuse3) and make /dev/fuse available (containers: --device /dev/fuse), or use mode: COPY.',
      },
    );
  if (fuseMount) assertFuseUsable(nodes, probes, fuseMount);
  await onEveryNode(nodes, async ({ node, client }, i) => {
    for (const a of attachments) {
      throwIfCancelled(ctx.token);
      await attachOnNode(node, client, probes[i], a, remotes.get(a), opts, ctx);
    }
    ctx.progress.report({
      phase: 'Storage mounts',
      node: node.alias,
      message: `${attachments.length} mount(s) ready`,
    });
  });
  const cached = attachments.filter((a) => a.mode === 'MOUNT_CACHED' && !a.readOnly);
  return {
    async flush(say, token) {
      if (!cached.length) return;
      const dirs = cached.map((a) => cacheDirFor(a.dst));
      await Promise.all(
        nodes.map(async ({ node, client }) => {
          const started = Date.now();
          let lastSaid = 0;
          let pending = -1;
          const r = await exec(client, scriptCommand(dirs), {
            stdin: FLUSH_SCRIPT,
            token,
            onStdout: (d) => {
              const m = /pending (\d+)\s*$/.exec(d.toString());
              if (!m) return;
              pending = Number(m[1]);
              const secs = Math.round((Date.now() - started) / 1000);
              if (pending > 0 && (lastSaid === 0 || Date.now() - lastSaid >= 5000)) {
                lastSaid = Date.now();
                say(
                  node.alias,
                  `skypilot: cached mount is still uploading (elapsed: ${secs}s) [${pending} file(s)]`,
                );
              }
            },
          });
          if (token.isCancellationRequested) throw new CancelledError();
          if (r.code !== 0)
            throw new SkyError(
              'flush-failed',
              `Waiting for cached uploads on ${node.alias} failed: ${r.stderr.trim()}`,
            );
          if (lastSaid)
            say(
              node.alias,
              `skypilot: cached mount upload complete (took ${Math.round((Date.now() - started) / 1000)}s)`,
            );
        }),
      );
    },
  };
}
