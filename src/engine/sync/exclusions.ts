// SkyPilot's exclusion rules for syncing a directory to a node (reference §3.2):
//  - `<root>/.skyignore` present: only it is used (any .gitignore is ignored);
//  - otherwise every .gitignore applies to its own subtree (rsync's dir-merge), plus .git/info/exclude.
// Unlike SkyPilot's rsync filters, `!negation` works (SkyPilot #8812), and every exclusion can be
// explained: which file and which pattern (SkyPilot #1599).
import * as fs from 'fs';
import * as path from 'path';
import ignore, { Ignore } from 'ignore';

export interface ExclusionRule {
  /** The file the pattern came from, relative to the root (e.g. ".gitignore", "sub/.gitignore"). */
  file: string;
  pattern: string;
}

interface Layer {
  /** Directory the rules are relative to ('' = root). */
  base: string;
  file: string;
  ig: Ignore;
}

function readRules(file: string): string[] | undefined {
  try {
    return fs.readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    return undefined;
  }
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
    if (sky)
      return new Exclusions(root, [{ base: '', file: '.skyignore', ig: ignore().add(sky) }], 'skyignore');
    const layers: Layer[] = [];
    const exclude = readRules(path.join(root, '.git', 'info', 'exclude'));
    if (exclude) layers.push({ base: '', file: '.git/info/exclude', ig: ignore().add(exclude) });
    const gi = readRules(path.join(root, '.gitignore'));
    if (gi) layers.push({ base: '', file: '.gitignore', ig: ignore().add(gi) });
    return new Exclusions(root, layers, 'gitignore');
  }

  /** Called when the walk enters a directory: picks up its own .gitignore (dir-merge). */
  enterDirectory(rel: string): void {
    if (this.mode !== 'gitignore' || rel === '') return;
    const gi = readRules(path.join(this.root, rel, '.gitignore'));
    if (gi) this.layers.push({ base: rel, file: `${rel}/.gitignore`, ig: ignore().add(gi) });
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
      if (r.ignored && r.rule) hit = { file: layer.file, pattern: r.rule.pattern };
      else if (r.unignored) hit = undefined;
    }
    return hit;
  }
}
