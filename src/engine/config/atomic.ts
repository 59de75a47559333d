import * as fs from 'fs';
import * as path from 'path';
import { SkyError } from '../util/errors';

/** Writes a file so that readers see either the old or the new content, never half of it. */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fh = await fs.promises.open(tmp, 'w', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

const LOCK_STALE_MS = 30_000;

/**
 * Runs fn while holding an exclusive lock file next to `file` (O_EXCL create), so two processes
 * (CLI and extension, or two CLIs) never interleave a read-modify-write of the same state file.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const lock = `${file}.lock`;
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const start = Date.now();
  let delay = 5;
  for (;;) {
    try {
      const fh = await fs.promises.open(lock, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        const st = await fs.promises.stat(lock);
        if (Date.now() - st.mtimeMs > LOCK_STALE_MS) {
          await fs.promises.rm(lock, { force: true });
          continue;
        }
      } catch {
        continue;
      }
      if (Date.now() - start > timeoutMs) {
        throw new SkyError('lock-timeout', `Timed out waiting for the lock ${lock}.`, {
          hint: 'Another sky-vscode process is writing the same state; if none is running, delete the lock file.',
        });
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.promises.rm(lock, { force: true });
  }
}
