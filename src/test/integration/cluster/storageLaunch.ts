// Shared by the storage-mount integration tests: launching a task text on the sandbox cluster with
// the real storage mounter, the URI of a bucket per store, the keys in a bucket, and faults made
// inside one node's own mount namespace (nothing outside that node sees them).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig, type StoreKind } from '../../../engine/config/config';
import { launchTask } from '../../../engine/launch/run';
import { type LaunchRequest } from '../../../engine/launch/plan';
import { createStorageMounter } from '../../../engine/mounts/attach';
import { listAll, openStore } from '../../../engine/storage';
import { storeDescriptor } from '../../../engine/storage/stores/registry';
import type { LogSink } from '../../../engine/util/log';
import type { PromptUi } from '../../../engine/util/prompt';
import type { Sandbox } from '../../sandbox';

export function captureLog(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => lines.push(m);
  return { lines, trace: push, debug: push, info: push, warn: push, error: push };
}

/** The URI of a bucket in each store, as a task writes it (Azurite's account is devstoreaccount1). */
export function bucketUri(store: StoreKind, bucket: string, key = ''): string {
  const k = key ? `/${key}` : '';
  switch (store) {
    case 's3':
      return `s3://${bucket}${k}`;
    case 'r2':
      return `r2://${bucket}${k}`;
    case 'ibm':
      return `cos://us-east/${bucket}${k}`;
    case 'gcs':
      return `gs://${bucket}${k}`;
    case 'azure':
      return `https://devstoreaccount1.blob.core.windows.net/${bucket}${k}`;
    case 'oci':
      return `oci://${bucket}${k}`;
    default:
      return `${storeDescriptor(store).scheme}://${bucket}${k}`;
  }
}

/** The object keys in a bucket, sorted. */
export async function bucketKeys(store: StoreKind, bucket: string): Promise<string[]> {
  const s = await openStore(store, loadConfig());
  return (await listAll(s, bucket)).map((o) => o.key).sort();
}

export interface LaunchOptions {
  ui?: PromptUi;
  force?: boolean;
  req?: Partial<LaunchRequest>;
  /** Every output line as it comes, with the job id. */
  onLine?: (node: string, line: string, jobId: number) => void;
}

/**
 * Launches task texts on the sandbox cluster (sky-sbx) with the real storage mounter, each in its
 * own folder under `tmp` holding ./data/in.txt and ./data/sub/deep.txt; returns the output per node.
 */
export function storageLauncher(tmp: string) {
  let run = 0;
  return async function launch(yaml: string, opts: LaunchOptions = {}) {
    const dir = path.join(tmp, `t${++run}`);
    fs.mkdirSync(path.join(dir, 'data', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'data', 'in.txt'), 'input data\n');
    fs.writeFileSync(path.join(dir, 'data', 'sub', 'deep.txt'), 'deep\n');
    const file = path.join(dir, 'task.yaml');
    fs.writeFileSync(file, yaml);
    const config = loadConfig();
    const log = captureLog();
    const lines: { node: string; line: string }[] = [];
    let jobId = 0;
    const r = await launchTask(
      { kind: 'launch', taskFile: file, cluster: 'sky-sbx', ...opts.req },
      {
        config,
        log,
        output: (node, line) => {
          lines.push({ node, line });
          opts.onLine?.(node, line, jobId);
        },
        onJob: (j) => (jobId = j.id),
        mountStorage: createStorageMounter({
          config,
          ui: opts.ui,
          force: opts.force,
          command: 'test',
          cluster: 'sky-sbx',
        }),
      },
    );
    const text = (node: string) =>
      lines
        .filter((l) => l.node === node)
        .map((l) => l.line)
        .join('\n');
    return { r, log, lines, text, dir };
  };
}

/**
 * Runs a shell script as root inside one sandbox node's mount namespace (entered through its sshd).
 * Refuses when that node shares this process's mount namespace, so a fault never reaches the host.
 */
export function inNodeNamespace(sb: Sandbox, alias: string, script: string): string {
  const pid = fs.readFileSync(path.join(sb.dir, 'nodes', alias, 'sshd.pid'), 'utf8').trim();
  if (fs.readlinkSync(`/proc/${pid}/ns/mnt`) === fs.readlinkSync('/proc/self/ns/mnt'))
    throw new Error(`${alias} shares this machine's mount namespace; refusing to change mounts there`);
  return execFileSync('nsenter', ['-t', pid, '-m', 'sh', '-c', script], { encoding: 'utf8' });
}

/**
 * Hides files on one node only: an empty, non-executable regular file is bind-mounted over each
 * path inside that node's mount namespace (a character device becomes a plain file, a binary can no
 * longer run). Returns the undo.
 */
export function hideOnNode(sb: Sandbox, alias: string, paths: string[]): () => void {
  const empty = path.join(sb.dir, 'nodes', alias, 'hidden-empty');
  fs.writeFileSync(empty, '', { mode: 0o600 });
  const q = (p: string) => `'${p.replace(/'/g, `'\\''`)}'`;
  inNodeNamespace(sb, alias, paths.map((p) => `mount --bind ${q(empty)} ${q(p)}`).join(' && '));
  return () => {
    inNodeNamespace(sb, alias, paths.map((p) => `umount ${q(p)} || true`).join('; '));
  };
}

/** True when something is mounted at `p` (absolute, as the node sees it) on that node. */
export function mountedOnNode(sb: Sandbox, alias: string, p: string): boolean {
  return inNodeNamespace(sb, alias, `findmnt -rn -o TARGET -M '${p}' || true`).trim() !== '';
}
