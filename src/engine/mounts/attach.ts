// Storage file_mounts attached on the nodes (reference §2), once resolve.ts has turned each into a
// bucket path: on every node MOUNT (rclone, no cache), MOUNT_CACHED (rclone VFS full cache) or COPY
// (rclone copy; relay.ts for stores without rclone on the nodes), and, after the run, wait until
// every cached write has reached its bucket.
import type { Client } from 'ssh2';
import type { ClusterNode } from '../cluster/clusters';
import { exec } from '../ssh/exec';
import { CancelledError, throwIfCancelled } from '../util/cancellation';
import { SkyError } from '../util/errors';
import { redact } from '../util/redact';
import {
  COPY_SCRIPT,
  FLUSH_SCRIPT,
  MOUNT_EXIT,
  MOUNT_SCRIPT,
  scriptCommand,
  writeConfCommand,
} from './nodeScripts';
import { rcloneRemoteFor, type RcloneRemote } from './rcloneRemote';
import { cacheDirFor, cachedFlags, id, mountFlags } from './flags';
import { assertFuseUsable, probeNode, type Probe } from './probe';
import { relayCopy, relaysCopy } from './relay';
import {
  namingMount,
  resolveAttachments,
  type Attachment,
  type MountContext,
  type MountedStorage,
  type StorageMount,
  type StorageMounterOptions,
} from './resolve';

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
