// Syncs a local directory (or one file) to a node: the first sync sends the whole tree as one tar
// stream over an exec channel; later syncs compare with what is on the node (size, mtime, mode, link
// target, read with one `find`) and send only what changed. Files are unpacked into a staging
// directory first, so a dropped connection never leaves a half-written file under its final name,
// and a re-run converges because it compares against the node's real state.
import * as fs from 'fs';
import * as path from 'path';
import { PassThrough } from 'stream';
import { spawn, spawnSync } from 'child_process';
import * as tar from 'tar-stream';
import type { Client } from 'ssh2';
import { CancellationToken, CancelledError, throwIfCancelled } from '../util/cancellation';
import { SkyError } from '../util/errors';
import type { LogSink } from '../util/log';
import { noLog } from '../util/log';
import { ProgressSink, noProgress, formatBytes } from '../util/progress';
import { exec, execChecked } from '../ssh/exec';
import { remotePath } from '../ssh/quote';
import { LocalEntry, LocalTree, walkLocalTree } from './localTree';

export const SIZE_WARN_BYTES = 256 * 1024 * 1024;

export interface SyncOptions {
  token?: CancellationToken;
  progress?: ProgressSink;
  log?: LogSink;
  /** Remove files on the node that are gone locally (SkyPilot never does: #8096). */
  delete?: boolean;
  /** Bucket-style: never send .git (the workdir keeps it, as SkyPilot's rsync does). */
  excludeGit?: boolean;
  /** Node name for progress events. */
  node?: string;
  phase?: string;
  /** Both sides, already being read (see prewalk.ts and listRemote): nothing is read twice. */
  prepared?: { tree?: Promise<LocalTree>; remote?: Promise<RemoteState> };
}

export interface SyncPlan {
  tree: LocalTree;
  send: LocalEntry[];
  remove: string[];
  sendBytes: number;
}

export interface SyncResult {
  sentFiles: number;
  sentBytes: number;
  removed: number;
  excluded: number;
}

export type RemoteState = Map<string, RemoteEntry>;

interface RemoteEntry {
  type: string;
  size: number;
  mtime: number;
  /** Set when the node keeps sub-second times (a native-tar sync carries them): compare milliseconds. */
  mtimeMs?: number;
  mode: number;
  link: string;
}

/** What is on the node under dest: one `find` listing, NUL-separated so any file name is safe. */
export async function listRemote(
  client: Client,
  dest: string,
  token?: CancellationToken,
): Promise<RemoteState> {
  const r = await exec(
    client,
    `d=${remotePath(dest)}; [ -d "$d" ] || exit 0; cd "$d" && find . -mindepth 1 -printf '%P\\0%y\\0%s\\0%T@\\0%m\\0%l\\0'`,
    { token },
  );
  if (r.code !== 0) throw new SkyError('sync-remote', `Cannot list ${dest} on the node: ${r.stderr.trim()}`);
  const parts = r.stdout.split('\0');
  const map = new Map<string, RemoteEntry>();
  for (let i = 0; i + 5 < parts.length; i += 6) {
    // %T@ is "seconds.nanoseconds"; milliseconds are computed the way Node computes mtimeMs, so the
    // same (seconds, nanoseconds) on both sides compare equal.
    const [sec, frac = ''] = parts[i + 3].split('.');
    const nsec = Number(frac.slice(0, 9).padEnd(9, '0'));
    map.set(parts[i], {
      type: parts[i + 1],
      size: Number(parts[i + 2]),
      mtime: Number(sec),
      mtimeMs: nsec ? Number(sec) * 1e3 + nsec / 1e6 : undefined,
      mode: parseInt(parts[i + 4], 8),
      link: parts[i + 5],
    });
  }
  return map;
}

function changed(l: LocalEntry, r: RemoteEntry | undefined): boolean {
  if (!r) return true;
  if (l.type !== r.type) return true;
  if (l.type === 'l') return l.linkTarget !== r.link;
  if (l.type === 'd') return (l.mode & 0o777) !== (r.mode & 0o777);
  // Whole seconds alone miss a same-size rewrite within the second of a synced version.
  const sameTime =
    r.mtimeMs !== undefined ? Math.floor(l.mtimeMs) === Math.floor(r.mtimeMs) : l.mtime === r.mtime;
  return l.size !== r.size || !sameTime || (l.mode & 0o777) !== (r.mode & 0o777);
}

export async function planSync(
  client: Client,
  localRoot: string,
  dest: string,
  opts: SyncOptions = {},
): Promise<SyncPlan> {
  // The node lists its side while this machine walks its own (or both were started earlier).
  const remotePromise = opts.prepared?.remote ?? listRemote(client, dest, opts.token);
  remotePromise.catch(() => undefined);
  const tree = opts.prepared?.tree
    ? await opts.prepared.tree
    : walkLocalTree(localRoot, { excludeGit: opts.excludeGit });
  const remote = await remotePromise;
  const send = tree.entries.filter((e) => changed(e, remote.get(e.rel)));
  const local = new Set(tree.entries.map((e) => e.rel));
  const remove: string[] = [];
  if (opts.delete) {
    for (const rel of remote.keys()) {
      if (local.has(rel)) continue;
      // Never delete what the local rules exclude (outputs, caches) or anything under a removed dir twice.
      const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
      if (parent && !local.has(parent)) continue;
      if (tree.excluded.some((x) => rel === x.rel || rel.startsWith(`${x.rel}/`))) continue;
      remove.push(rel);
    }
  }
  return { tree, send, remove, sendBytes: send.reduce((n, e) => n + e.size, 0) };
}

function packEntries(
  entries: LocalEntry[],
  onBytes: (n: number, file: boolean) => void,
  token?: CancellationToken,
): tar.Pack {
  const pack = tar.pack();
  (async () => {
    for (const e of entries) {
      if (token?.isCancellationRequested) throw new CancelledError();
      const header = { name: e.rel, mode: e.mode, mtime: new Date(e.mtime * 1000) };
      if (e.type === 'd') pack.entry({ ...header, type: 'directory' });
      else if (e.type === 'l') pack.entry({ ...header, type: 'symlink', linkname: e.linkTarget });
      else {
        // Size comes from the walk; a file that changed size since then is sent with its new size.
        const size = fs.statSync(e.abs).size;
        await new Promise<void>((resolve, reject) => {
          if (size === 0) {
            pack.entry({ ...header, size: 0, type: 'file' }, Buffer.alloc(0), (err) =>
              err ? reject(err) : resolve(),
            );
            return;
          }
          const entry = pack.entry({ ...header, size, type: 'file' }, (err) =>
            err ? reject(err) : resolve(),
          );
          const rs = fs.createReadStream(e.abs, { start: 0, end: size - 1 });
          rs.on('data', (c) => onBytes((c as Buffer).length, false));
          rs.on('error', reject);
          rs.pipe(entry);
        });
        onBytes(0, true);
      }
    }
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  return pack;
}

/** Syncs the contents of localRoot into dest on the node (dest is created). */
export async function syncDirectory(
  client: Client,
  localRoot: string,
  dest: string,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const log = opts.log ?? noLog;
  const progress = opts.progress ?? noProgress;
  const plan = await planSync(client, localRoot, dest, opts);
  if (plan.tree.totalBytes > SIZE_WARN_BYTES) {
    log.warn(
      `${localRoot} is ${formatBytes(plan.tree.totalBytes)} after exclusions; large trees slow every sync. Exclude what the job does not need with .skyignore.`,
    );
  }
  throwIfCancelled(opts.token);
  const files = plan.send.filter((e) => e.type === 'f').length;
  if (plan.send.length) {
    let bytes = 0;
    let done = 0;
    const report = () =>
      progress.report({
        phase: opts.phase,
        node: opts.node,
        files: { done, total: files },
        bytes: { done: Math.min(bytes, plan.sendBytes), total: plan.sendBytes },
      });
    // A native tar is several times faster than packing in JavaScript for many small files; the
    // JavaScript packer is the fallback where no tar is installed.
    const stdin =
      nativeTar(
        localRoot,
        plan.send,
        (n) => {
          bytes += n;
          done = Math.round((files * Math.min(bytes, plan.sendBytes)) / Math.max(plan.sendBytes, 1));
          report();
        },
        opts.token,
      ) ??
      packEntries(
        plan.send,
        (n, file) => {
          bytes += n;
          if (file) done++;
          report();
        },
        opts.token,
      ).pipe(new PassThrough());
    const d = remotePath(dest);
    const rootMode = (fs.statSync(localRoot).mode & 0o7777).toString(8);
    // Unpack into a staging dir next to the user's ~/.sky, then move it into place; a broken stream
    // fails tar (set -e) before anything reaches dest.
    const cmd = [
      'set -e',
      'umask 022',
      `mkdir -p ${d} ~/.sky/sync-stage`,
      'find ~/.sky/sync-stage -mindepth 1 -maxdepth 1 -mmin +120 -exec rm -rf {} + 2>/dev/null || true',
      'stage=$(mktemp -d ~/.sky/sync-stage/s.XXXXXX)',
      'trap \'rm -rf "$stage"\' EXIT',
      'tar -x -p -f - -C "$stage"',
      // The folder keeps the local folder's permissions (mktemp made it 0700).
      `chmod ${rootMode} "$stage"`,
      // An empty dest on the same filesystem (a first sync) is replaced by the staged tree in one
      // rename. Otherwise hard links move the staged files in without copying their data; else copy.
      `if [ "$(stat -c %d "$stage")" = "$(stat -c %d ${d})" ] && rmdir ${d} 2>/dev/null; then`,
      `  mv -T "$stage" ${d} || { mkdir -p ${d}; exit 1; }`,
      'else',
      `  cp -alf "$stage"/. ${d}/ 2>/dev/null || cp -af "$stage"/. ${d}/`,
      'fi',
    ].join('\n');
    await execChecked(client, `bash -c ${shq(cmd)}`, `Syncing ${localRoot} to ${dest}`, {
      stdin,
      token: opts.token,
    });
  }
  if (plan.remove.length) {
    await execChecked(
      client,
      `cd ${remotePath(dest)} && xargs -0 -r rm -rf --`,
      `Removing deleted files under ${dest}`,
      {
        stdin: plan.remove.join('\0'),
        token: opts.token,
      },
    );
  }
  return {
    sentFiles: files,
    sentBytes: plan.sendBytes,
    removed: plan.remove.length,
    excluded: plan.tree.excluded.length,
  };
}

/** Whether one local file differs from the node's copy at dest (size, whole-second mtime, mode); reads only. */
export async function planFile(
  client: Client,
  localFile: string,
  dest: string,
  opts: Pick<SyncOptions, 'token'> = {},
): Promise<{ send: boolean; size: number; st: fs.Stats }> {
  const st = fs.statSync(localFile);
  const r = await exec(client, `stat -c '%s %Y %a' ${remotePath(dest)} 2>/dev/null || true`, {
    token: opts.token,
  });
  const [sizeText, mtimeText, modeText] = r.stdout.trim().split(' ');
  const [size, mtime, mode] = [Number(sizeText), Number(mtimeText), parseInt(modeText, 8)];
  // %a is octal: parsed as decimal, a 644 file never matched and every launch re-sent it.
  const same = size === st.size && mtime === Math.floor(st.mtimeMs / 1000) && mode === (st.mode & 0o777);
  return { send: !same, size: st.size, st };
}

/** Syncs one local file to the exact remote path (parent created). */
export async function syncFile(
  client: Client,
  localFile: string,
  dest: string,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const { send, st } = await planFile(client, localFile, dest, opts);
  if (!send) return { sentFiles: 0, sentBytes: 0, removed: 0, excluded: 0 };
  const d = remotePath(dest);
  const base = path.basename(localFile);
  const cmd = [
    'set -e',
    `dest=${d}`,
    'mkdir -p "$(dirname -- "$dest")"',
    'tmp="$dest.sky-partial.$$"',
    'trap \'rm -f "$tmp"\' EXIT',
    'cat > "$tmp"',
    `chmod ${(st.mode & 0o777).toString(8)} "$tmp"`,
    `touch -d @${Math.floor(st.mtimeMs / 1000)} "$tmp"`,
    'mv -f -- "$tmp" "$dest"',
  ].join('\n');
  await execChecked(client, `bash -c ${shq(cmd)}`, `Copying ${base} to ${dest}`, {
    stdin: fs.createReadStream(localFile),
    token: opts.token,
  });
  return { sentFiles: 1, sentBytes: st.size, removed: 0, excluded: 0 };
}

let tarAvailable: boolean | undefined;

/** `tar -c` of exactly these entries (NUL-separated list, no recursion), or undefined without a tar. */
function nativeTar(
  root: string,
  entries: LocalEntry[],
  onBytes: (n: number) => void,
  token?: CancellationToken,
): NodeJS.ReadableStream | undefined {
  if (process.platform === 'win32' || process.env.SKY_VSCODE_JS_TAR) return undefined;
  if (tarAvailable === undefined)
    tarAvailable = spawnSync('tar', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!tarAvailable) return undefined;
  // pax: mtimes keep their nanoseconds (GNU tar and bsdtar), so re-syncs can compare milliseconds.
  const args = ['-c', '-f', '-', '--format=pax', '-C', root, '--no-recursion', '--null', '-T', '-'];
  const child = spawn('tar', args, {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (c: Buffer) => onBytes(c.length));
  child.stdout.pipe(out, { end: false });
  const sub = token?.onCancellationRequested(() => child.kill('SIGTERM'));
  child.on('close', (code) => {
    sub?.dispose();
    // GNU tar exits 1 when a file changed while it was read: the node then has the newer content.
    if (code === 0 || code === 1) out.end();
    else out.destroy(new SkyError('sync-tar', `tar failed (exit ${code}): ${stderr.trim()}`));
  });
  child.stdin.end(entries.map((e) => e.rel).join('\0') + '\0');
  return out;
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
