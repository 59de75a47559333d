// A tar stream from a node is untrusted input: a compromised or misbehaving node can send entries
// that escape the folder they are unpacked into (a symbolic link followed by a file through it, `..`,
// absolute names, hard links to files outside). node-tar checks every entry against the filesystem as
// it goes, not just its name; `strict` turns each of its refusals (normally a warning and a skipped
// entry) into an error, so a hostile archive fails the download instead of quietly losing entries.
import * as path from 'path';
import { Readable, Transform } from 'stream';
import { Unpack, type ReadEntry } from 'tar';

/** What node-tar attaches to the errors it emits (see its warn-method and SymlinkError). */
interface TarError extends Error {
  code?: string;
  tarCode?: string;
  syscall?: string;
  entry?: ReadEntry;
  path?: string;
  linkpath?: string;
  symlink?: string;
}

/** Why one archive entry was refused, in words a user can act on. */
export interface RefusedEntry {
  /** The entry's name as the archive gave it. */
  entry: string;
  reason: string;
  /** True when the entry was refused for where it would write, false for a local I/O failure. */
  unsafe: boolean;
}

export interface ArchiveUnpacker {
  /** Settles once the unpacker has stopped touching the disk: after the archive ended, or after `stop()`. */
  done: Promise<void>;
  /** Stop now: no further entries are written; in-flight writes finish inside the folder. */
  stop(): void;
  /** The first error, if any; entries refused for safety come with the entry named. */
  failure(): { refused?: RefusedEntry; error?: Error } | undefined;
  counts: { files: number; bytes: number };
}

function describe(err: TarError, dir: string): RefusedEntry | undefined {
  const name = err.entry?.header?.path ?? err.entry?.path;
  if (name === undefined) return undefined;
  const type = err.entry?.type;
  const inDir = (p: string) => path.relative(dir, p) || '.';
  if (err.code === 'TAR_SYMLINK_ERROR' && err.symlink)
    return {
      entry: name,
      unsafe: true,
      reason:
        type === 'SymbolicLink' || type === 'Link'
          ? `points through the symbolic link "${inDir(err.symlink)}"`
          : `would be written through the symbolic link "${inDir(err.symlink)}"`,
    };
  if (err.tarCode === 'TAR_ENTRY_UNSUPPORTED')
    return {
      entry: name,
      unsafe: true,
      reason: `is a ${type} (downloads create only files, folders and links)`,
    };
  const message = err.message.replace(/^TAR_[A-Z_]+: /, '');
  if (/absolute path/.test(message)) return { entry: name, unsafe: true, reason: 'has an absolute name' };
  if (/path contains '\.\.'/.test(message))
    return { entry: name, unsafe: true, reason: "has '..' in its name" };
  if (/absolute linkpath/.test(message) || /linkpath (contains '\.\.'|escapes)/.test(message))
    return {
      entry: name,
      unsafe: true,
      reason: `${type === 'Link' ? 'is a hard link' : 'is a symbolic link'} to "${err.linkpath ?? err.entry?.linkpath}", outside the download`,
    };
  if (err.syscall) return { entry: name, unsafe: false, reason: message };
  return { entry: name, unsafe: true, reason: message };
}

/**
 * Unpacks into `dir` (a fresh, empty staging folder that only this archive writes to): no absolute
 * names or `..`, nothing written through a symbolic link, hard links only to files already inside,
 * no devices or FIFOs, no setuid/setgid/sticky bits, no chown (even as root).
 */
export function unpackArchive(
  source: Readable,
  dir: string,
  onProgress: (counts: { files: number; bytes: number }) => void,
): ArchiveUnpacker {
  const counts = { files: 0, bytes: 0 };
  let first: { refused?: RefusedEntry; error?: Error } | undefined;
  const sink = new Unpack({
    cwd: dir,
    strict: true,
    preservePaths: false,
    preserveOwner: false,
    unlink: false,
    onReadEntry: (entry: ReadEntry) => {
      // A node has no business making setuid/setgid programs on this machine (node-tar keeps 0o7777).
      if (typeof entry.mode === 'number') entry.mode &= 0o777;
    },
    // node-tar pipes each file's data through this on its way to disk: the one place to count it.
    transform: (entry: ReadEntry) => {
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          counts.bytes += chunk.length;
          onProgress(counts);
          cb(null, chunk);
        },
        flush(cb) {
          if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile')
            counts.files++;
          onProgress(counts);
          cb();
        },
      });
      // node-tar accepts any stream here (its docs: "returns a stream"); its type names only its own.
      return counter as unknown as ReadEntry;
    },
  });
  sink.on('error', (err: TarError) => {
    if (!first) first = { refused: describe(err, dir), error: err };
    stop();
  });
  const done = new Promise<void>((resolve) => {
    sink.on('close', () => resolve());
    // An aborted parser never emits 'close'; it writes nothing further either.
    sink.on('abort', () => resolve());
  });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    source.unpipe(sink);
    // A paused source never ends (an ssh channel then never closes): let the rest drain away.
    source.resume();
    sink.end();
  };
  source.on('end', () => (stopped = true));
  source.pipe(sink);
  return { done, stop, failure: () => first, counts };
}
