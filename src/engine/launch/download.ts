// Artifact download from a node: the remote file or folder comes back as one tar stream, is unpacked
// (strictly: see unpackArchive.ts) into a temporary folder next to the destination, and only then
// renamed into place — a cancelled, broken or refused transfer leaves nothing under the final name.
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from 'ssh2';
import { CancellationToken, CancelledError } from '../util/cancellation';
import { SkyError } from '../util/errors';
import { ProgressSink, noProgress } from '../util/progress';
import type { PromptUi } from '../util/prompt';
import { refusingUi } from '../util/prompt';
import { remotePath } from '../ssh/quote';
import { type ArchiveUnpacker, unpackArchive } from './unpackArchive';

export interface DownloadOptions {
  token?: CancellationToken;
  progress?: ProgressSink;
  ui?: PromptUi;
  overwrite?: boolean;
  /** The node's name, for messages. */
  node?: string;
}

export interface DownloadResult {
  target: string;
  files: number;
  bytes: number;
}

export async function downloadFromNode(
  client: Client,
  remote: string,
  local: string,
  opts: DownloadOptions = {},
): Promise<DownloadResult> {
  const progress = opts.progress ?? noProgress;
  const base = path.posix.basename(remote.replace(/\/+$/, '')) || 'download';
  let target = path.resolve(local);
  if (fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) target = path.join(target, base);
  if (fs.existsSync(target) && !opts.overwrite) {
    const answer = await (opts.ui ?? refusingUi).overwrite(target);
    if (answer === 'no' || answer === 'noToAll')
      throw new SkyError('download-exists', `${target} already exists; not overwritten.`, {
        hint: 'Choose another destination or allow overwriting.',
      });
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(target), `.${base}.sky-partial-`));
  try {
    const cmd = `r=${remotePath(remote)}; [ -e "$r" ] || { echo "No such file or directory: $r" >&2; exit 2; }; cd "$(dirname -- "$r")" && tar -c -f - -- "$(basename -- "$r")"`;
    const run = await receiveArchive(client, cmd, tmp, progress, opts.token);
    const what = opts.node ? `${remote} from ${opts.node}` : remote;
    if (run.cancelled) throw new CancelledError();
    const refused = run.failure?.refused;
    if (refused?.unsafe)
      throw new SkyError(
        'download-unsafe',
        `Download of ${what} refused: archive entry "${refused.entry}" ${refused.reason}. Nothing was written outside the destination, and nothing was kept.`,
        {
          hint: 'Downloads keep only files, folders and links that stay inside the downloaded item. If the node should not have sent this, treat it as compromised.',
        },
      );
    // GNU tar exits 1 when a file changed while it was read (a log still being written): the archive is whole.
    if (run.exit !== 0 && run.exit !== 1)
      throw new SkyError(
        'download-remote',
        `Download of ${what} failed: ${run.stderr.trim() || `tar on the node exited with ${run.exit ?? 'no status'}`}`,
      );
    if (refused)
      throw new SkyError(
        'download-local',
        `Download of ${what} failed writing "${refused.entry}": ${refused.reason}`,
        {
          cause: run.failure?.error,
        },
      );
    if (run.failure?.error)
      throw new SkyError(
        'download-remote',
        `Download of ${what} failed: the node sent a broken archive (${run.failure.error.message}).`,
        { cause: run.failure.error },
      );
    const produced = path.join(tmp, base);
    if (!fs.existsSync(produced))
      throw new SkyError('download-empty', `Nothing was downloaded from ${remote}.`);
    if (fs.existsSync(target)) fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(produced, target);
    return { target, ...run.counts };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

interface Received {
  exit?: number;
  stderr: string;
  cancelled: boolean;
  counts: { files: number; bytes: number };
  failure: ReturnType<ArchiveUnpacker['failure']>;
}

/** Runs `cmd` on the node and unpacks its stdout into `dir`; settles only once nothing more is written there. */
function receiveArchive(
  client: Client,
  cmd: string,
  dir: string,
  progress: ProgressSink,
  token: CancellationToken | undefined,
): Promise<Received> {
  return new Promise<Received>((resolve, reject) => {
    client.exec(cmd, (err, ch) => {
      if (err) return reject(err);
      let stderr = '';
      ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const unpacker = unpackArchive(ch, dir, (c) =>
        progress.report({ phase: 'Downloading', files: { done: c.files }, bytes: { done: c.bytes } }),
      );
      let cancelled = false;
      const sub = token?.onCancellationRequested(() => {
        cancelled = true;
        unpacker.stop();
        ch.close();
      });
      let exit: number | undefined;
      const closed = new Promise<void>((r) =>
        ch.on('close', (code?: number) => {
          exit = code;
          // A connection that drops without EOF still ends the unpacking.
          unpacker.stop();
          r();
        }),
      );
      void unpacker.done
        .then(() => {
          // A refused entry stops the unpacking; stop the node's tar too.
          if (unpacker.failure()) ch.close();
          return closed;
        })
        .then(() => {
          sub?.dispose();
          resolve({ exit, stderr, cancelled, counts: unpacker.counts, failure: unpacker.failure() });
        });
    });
  });
}
