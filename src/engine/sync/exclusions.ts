// SkyPilot's exclusion rules for syncing a directory to a node (reference §3.2):
//  - `<root>/.skyignore` present: only it is used (any .gitignore is ignored);
//  - otherwise every .gitignore applies to its own subtree (rsync's dir-merge), plus .git/info/exclude.
// Unlike SkyPilot's rsync filters, `!negation` works (SkyPilot #8812), and every exclusion can be
// explained: which file, which line and which pattern (SkyPilot #1599).
import * as fs from 'fs';
import * as path from 'path';
import ignore, { Ignore } from 'ignore';
import { SkyError } from '../util/errors';

export interface ExclusionRule {
  /** The file the pattern came from, relative to the root (e.g. ".gitignore", "sub/.gitignore"). */
  file: string;
  /** 1-based line of the pattern in that file (absent for the built-in `.git` rule of bucket uploads). */
  line?: number;
  pattern: string;
}

interface Layer {
  /** Directory the rules are relative to ('' = root). */
  base: string;
  file: string;
  ig: Ignore;
}

/**
 * The rule file's patterns, each marked with its line, or undefined when there is no such file.
 * A rule file that exists but cannot be read is an error: treating it as absent would sync exactly
 * the files it was written to keep off the nodes.
 */
function readRules(file: string): Ignore | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOTDIR: `.git` is a file (a worktree or submodule), so there is no .git/info/exclude.
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new SkyError(
      'sync-rules',
      `Cannot read the exclusion rules in ${file} (${code ?? (err as Error).message}); syncing without them would send the files they exclude.`,
      { cause: err, hint: `Make ${file} a readable file, or remove it.` },
    );
  }
  return ignore().add(text.split(/\r?\n/).map((pattern, i) => ({ pattern, mark: String(i + 1) })));
}

export class Exclusions {
  private constructor(
    private readonly root: string,
    private readonly layers: Layer[],
    /** 'skyignore' or 'gitignore': which regime applies. */
    readonly mode: 'skyignore' | 'gitignore',
  ) {}

  static forRoot(root: string): Exclusions {
    const sky = readRules(path.join(root, '.skyignore'));
    if (sky) return new Exclusions(root, [{ base: '', file: '.skyignore', ig: sky }], 'skyignore');
    const layers: Layer[] = [];
    const exclude = readRules(path.join(root, '.git', 'info', 'exclude'));
    if (exclude) layers.push({ base: '', file: '.git/info/exclude', ig: exclude });
    const gi = readRules(path.join(root, '.gitignore'));
    if (gi) layers.push({ base: '', file: '.gitignore', ig: gi });
    return new Exclusions(root, layers, 'gitignore');
  }

  /** Called when the walk enters a directory: picks up its own .gitignore (dir-merge). */
  enterDirectory(rel: string): void {
    if (this.mode !== 'gitignore' || rel === '') return;
    const gi = readRules(path.join(this.root, rel, '.gitignore'));
    if (gi) this.layers.push({ base: rel, file: `${rel}/.gitignore`, ig: gi });
  }

  /** The rule that excludes `rel` (a directory when isDir), or undefined when it is synced. */
  excludedBy(rel: string, isDir: boolean): ExclusionRule | undefined {
    let hit: ExclusionRule | undefined;
    for (const layer of this.layers) {
      if (layer.base && !(rel === layer.base || rel.startsWith(`${layer.base}/`))) continue;
      const sub = layer.base ? rel.slice(layer.base.length + 1) : rel;
      if (!sub) continue;
      const r = layer.ig.checkIgnore(isDir ? `${sub}/` : sub);
      // Deeper layers are checked later and win, as in git.
      if (r.ignored && r.rule) hit = { file: layer.file, line: Number(r.rule.mark), pattern: r.rule.pattern };
      else if (r.unignored) hit = undefined;
    }
    return hit;
  }
}
