// Artifact download from a node: the remote file or folder comes back as one tar stream, is unpacked
// into a temporary folder next to the destination, and only then renamed into place — a cancelled or
// broken transfer leaves nothing under the final name.
import * as fs from 'fs';
import * as path from 'path';
import * as tar from 'tar-stream';
import type { Client } from 'ssh2';
import { pipeline } from 'stream/promises';
import { Writable } from 'stream';
import { CancellationToken, CancelledError } from '../util/cancellation';
import { SkyError } from '../util/errors';
import { ProgressSink, noProgress } from '../util/progress';
import type { PromptUi } from '../util/prompt';
import { refusingUi } from '../util/prompt';
import { remotePath } from '../ssh/quote';

export interface DownloadOptions {
  token?: CancellationToken;
  progress?: ProgressSink;
  ui?: PromptUi;
  overwrite?: boolean;
}

export interface DownloadResult {
  target: string;
  files: number;
  bytes: number;
}

function safeJoin(root: string, name: string): string {
  const p = path.resolve(root, name);
  if (p !== root && !p.startsWith(`${root}${path.sep}`))
    throw new SkyError('download-unsafe', `Refusing an archive entry outside the destination: ${name}`);
  return p;
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
  let files = 0;
  let bytes = 0;
  try {
    const cmd = `r=${remotePath(remote)}; [ -e "$r" ] || { echo "No such file or directory: $r" >&2; exit 2; }; cd "$(dirname -- "$r")" && tar -c -f - -- "$(basename -- "$r")"`;
    await new Promise<void>((resolve, reject) => {
      client.exec(cmd, (err, ch) => {
        if (err) return reject(err);
        let stderr = '';
        ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const sub = opts.token?.onCancellationRequested(() => {
          ch.close();
          reject(new CancelledError());
        });
        const extract = tar.extract();
        extract.on('entry', (header, stream, next) => {
          const dest = safeJoin(tmp, header.name);
          if (header.type === 'directory') {
            fs.mkdirSync(dest, { recursive: true, mode: (header.mode ?? 0o755) | 0o700 });
            stream.resume();
            return next();
          }
          if (header.type === 'symlink') {
            fs.mkdirSync(path.dirname(dest), { recursive: true });
            fs.symlinkSync(header.linkname ?? '', dest);
            stream.resume();
            return next();
          }
          if (header.type !== 'file') {
            stream.resume();
            return next();
          }
          fs.mkdirSync(path.dirname(dest), { recursive: true });
          const ws = fs.createWriteStream(dest, { mode: header.mode ?? 0o644 });
          const counter = new Writable({
            write(chunk: Buffer, _enc, cb) {
              bytes += chunk.length;
              progress.report({ phase: 'Downloading', files: { done: files }, bytes: { done: bytes } });
              ws.write(chunk, cb);
            },
            final(cb) {
              ws.end(() => {
                if (header.mtime) fs.utimesSync(dest, header.mtime, header.mtime);
                files++;
                cb();
              });
            },
          });
          pipeline(stream, counter).then(() => next(), next);
        });
        pipeline(ch, extract).catch(reject);
        ch.on('close', (code: number) => {
          sub?.dispose();
          if (code !== 0)
            reject(
              new SkyError(
                'download-remote',
                `Download of ${remote} failed: ${stderr.trim() || `exit ${code}`}`,
              ),
            );
        });
        extract.on('finish', () => resolve());
      });
    });
    const produced = path.join(tmp, base);
    if (!fs.existsSync(produced))
      throw new SkyError('download-empty', `Nothing was downloaded from ${remote}.`);
    if (fs.existsSync(target)) fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(produced, target);
    return { target, files, bytes };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
