import * as fs from 'fs';
import * as path from 'path';
import { expandHome } from '../../config/paths';

/**
 * Local paths in a task file: `~` expands to the home directory and relative paths resolve against
 * the task file's folder (SkyPilot uses the shell's cwd; the task file's folder is what an editor
 * user means, and what `sky launch path/to/task.yaml` from that folder gives).
 */
export function resolveLocalPath(p: string, baseDir: string): string {
  return path.resolve(baseDir, expandHome(p));
}

export type PathKind = 'dir' | 'file' | 'missing';

export function pathKind(abs: string): PathKind {
  try {
    const st = fs.statSync(abs); // follows symlinks, like os.path.isdir
    return st.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}
