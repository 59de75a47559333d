// OCI has no rclone backend on the nodes: its COPY mounts are relayed through this machine.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Client } from 'ssh2';
import type { StoreKind } from '../config/config';
import type { ClusterNode } from '../cluster/clusters';
import { openStore } from '../storage';
import { storeDescriptor } from '../storage/stores/registry';
import { downloadToFolder } from '../storage/transfer';
import { syncDirectory, syncFile } from '../sync/sync';
import type { Attachment, MountContext, StorageMounterOptions } from './resolve';

/** A store with COPY but no MOUNT on the nodes (OCI: no rclone backend there) is copied through this machine. */
export function relaysCopy(kind: StoreKind): boolean {
  return !storeDescriptor(kind).nodeModes.includes('MOUNT');
}

/** A store with no rclone backend on the nodes (OCI): COPY through this machine with its SDK, then sync to the node. */
export async function relayCopy(
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
