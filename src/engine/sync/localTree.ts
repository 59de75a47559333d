// Walks a local directory the way a sync sees it: what is sent (with size, mtime, mode, link target)
// and what is excluded by which rule.
import * as fs from 'fs';
import { Exclusions, ExclusionRule } from './exclusions';

export interface LocalEntry {
  /** POSIX path relative to the root. */
  rel: string;
  type: 'f' | 'd' | 'l';
  size: number;
  /** Whole seconds (what a node without sub-second times can be compared on). */
  mtime: number;
  /** Milliseconds as Node computes them from the file's (seconds, nanoseconds). */
  mtimeMs: number;
  mode: number;
  linkTarget?: string;
  abs: string;
}

export interface LocalTree {
  root: string;
  entries: LocalEntry[];
  excluded: { rel: string; rule: ExclusionRule }[];
  totalBytes: number;
  mode: 'skyignore' | 'gitignore';
}

export function walkLocalTree(root: string, opts: { excludeGit?: boolean } = {}): LocalTree {
  const rules = Exclusions.forRoot(root);
  const entries: LocalEntry[] = [];
  const excluded: LocalTree['excluded'] = [];
  let totalBytes = 0;
  const walk = (relDir: string) => {
    rules.enterDirectory(relDir);
    const dirAbs = relDir ? `${root}/${relDir}` : root;
    // Plain names sort like the Dirent version did; the walk is the hot path of every re-sync.
    const names = fs.readdirSync(dirAbs).sort((a, b) => (a < b ? -1 : 1));
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const abs = `${dirAbs}/${name}`;
      if (opts.excludeGit && name === '.git') {
        excluded.push({ rel, rule: { file: '(always)', pattern: '.git' } });
        continue;
      }
      const st = fs.lstatSync(abs, { throwIfNoEntry: false });
      if (!st) continue; // vanished while walking
      const isDir = st.isDirectory();
      const rule = rules.excludedBy(rel, isDir);
      if (rule) {
        excluded.push({ rel, rule });
        continue;
      }
      const mtimeMs = st.mtimeMs;
      const mtime = Math.floor(mtimeMs / 1000);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink())
        entries.push({
          rel,
          abs,
          mtime,
          mtimeMs,
          mode,
          type: 'l',
          size: 0,
          linkTarget: fs.readlinkSync(abs),
        });
      else if (isDir) {
        entries.push({ rel, abs, mtime, mtimeMs, mode, type: 'd', size: 0 });
        walk(rel);
      } else if (st.isFile()) {
        entries.push({ rel, abs, mtime, mtimeMs, mode, type: 'f', size: st.size });
        totalBytes += st.size;
      }
      // Sockets, FIFOs and devices are not synced.
    }
  };
  walk('');
  return { root, entries, excluded, totalBytes, mode: rules.mode };
}
