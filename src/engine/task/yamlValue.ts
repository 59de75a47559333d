import { Alias, Document, isAlias, isMap, isScalar, isSeq, Node, Pair, Scalar } from 'yaml';
import { toPointer } from './diagnostic';
import { resolvePlain } from './fastYaml';
import type { SyntaxProblem } from './sourceTree';

/**
 * Nesting deeper than this is refused. PyYAML (what SkyPilot loads task files with) runs out of
 * Python's recursion limit a few hundred levels down; no task file comes near it, and stopping here
 * keeps every later recursive walk (schema, rules) far from the JS stack limit.
 */
export const MAX_DEPTH = 100;

/** Nodes a document may expand to through aliases (a "billion laughs" file stops here). */
const MAX_EXPANDED_NODES = 100_000;

/** Problems the value builder finds: each is a YAML error SkyPilot's loader would also refuse. */
export const VALUE_PROBLEM_CODES: Record<string, string> = {
  MERGE_SOURCE: 'yaml-merge',
  UNDEFINED_ALIAS: 'yaml-alias',
  RECURSIVE_ALIAS: 'yaml-alias',
  ALIAS_EXPANSION: 'yaml-alias',
  TOO_DEEP: 'yaml-depth',
};

const MERGE_TAG = 'tag:yaml.org,2002:merge';

function kindOf(n: unknown): string {
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (!isScalar(n) || n.value === null || n.value === undefined) return 'null';
  if (typeof n.value === 'number') return `the number ${String(n.value)}`;
  if (typeof n.value === 'boolean') return `the boolean ${String(n.value)}`;
  return `the scalar '${String(n.value)}'`;
}

function isMergeKey(k: unknown): boolean {
  if (!isScalar(k)) return false;
  if (typeof k.value === 'symbol') return k.value.description === '<<';
  if (k.tag === MERGE_TAG) return true;
  return k.value === '<<' && (!k.type || k.type === Scalar.PLAIN) && !k.tag;
}

/**
 * The plain value of a library document, built as PyYAML's SafeLoader builds it: plain scalars
 * resolved by the same YAML 1.1 rules as the fast parser, aliases shared, merge keys flattened
 * (the mapping's own keys win, then earlier merge sources over later ones). What PyYAML refuses — a
 * merge source that is not a mapping, an undefined alias — and what no task can be — a node that
 * contains itself, runaway alias expansion, absurd nesting — becomes a problem at that node, with
 * its JSON pointer; the offending part reads as null so the caller still gets a value.
 */
export function buildValue(doc: Document.Parsed): { value: unknown; problems: SyntaxProblem[] } {
  const b = new ValueBuilder(doc);
  const value = b.build(doc.contents, [], 0);
  return { value, problems: b.problems };
}

class ValueBuilder {
  readonly problems: SyntaxProblem[] = [];
  /** Each alias's target: the last node with that anchor before it, in document order. */
  private readonly targets = new Map<Node, Node | undefined>();
  /** Anchored nodes already built: aliases share their value (and count their size again). */
  private readonly built = new Map<Node, { value: unknown; size: number; height: number }>();
  /** Nodes being built: an alias to one of them makes a node that contains itself. */
  private readonly open = new Set<Node>();
  private size = 0;
  /** Deepest level reached by the node being built (for the height of shared values). */
  private reach = 0;
  private expansionReported = false;

  constructor(doc: Document.Parsed) {
    // Document order without recursion (yaml's own visit recurses, and nesting here can be absurd).
    const anchors = new Map<string, Node>();
    const todo: unknown[] = [doc.contents];
    while (todo.length > 0) {
      const node = todo.pop();
      if (isAlias(node)) this.targets.set(node, anchors.get(node.source));
      else if (isScalar(node) || isMap(node) || isSeq(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
        if (isMap(node))
          for (let i = node.items.length - 1; i >= 0; i--) todo.push(node.items[i].value, node.items[i].key);
        else if (isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) todo.push(node.items[i]);
      }
    }
  }

  private problem(code: keyof typeof VALUE_PROBLEM_CODES, message: string, at: unknown, path: Segs): void {
    const r = (at as Node | null)?.range;
    this.problems.push({ code, message, pos: r ? [r[0], r[1]] : [0, 0], path: toPointer(path) });
  }

  build(n: unknown, path: Segs, depth: number): unknown {
    if (n === null || n === undefined) return null;
    if (depth > MAX_DEPTH) return this.tooDeep(n, path);
    if (isAlias(n)) return this.alias(n, path, depth);
    const node = n as Node;
    const memo = this.built.get(node);
    if (memo) {
      if (depth + memo.height > MAX_DEPTH) return this.tooDeep(n, path);
      this.size += memo.size;
      this.reach = Math.max(this.reach, depth + memo.height);
      return memo.value;
    }
    const before = this.size;
    const outerReach = this.reach;
    this.reach = depth;
    this.size++;
    this.open.add(node);
    let value: unknown;
    if (isMap(n)) value = this.map(n.items, path, depth);
    else if (isSeq(n)) value = n.items.map((x, i) => this.build(x, [...path, i], depth + 1));
    else if (isScalar(n)) {
      const sc = n as Scalar & { source?: string };
      value =
        sc.type === 'PLAIN' && !sc.tag && typeof sc.source === 'string' ? resolvePlain(sc.source) : sc.value;
      if (typeof value === 'symbol') value = value.description;
    } else value = null;
    this.open.delete(node);
    if (node.anchor) this.built.set(node, { value, size: this.size - before, height: this.reach - depth });
    this.reach = Math.max(outerReach, this.reach);
    return value;
  }

  private tooDeep(n: unknown, path: Segs): null {
    this.problem(
      'TOO_DEEP',
      `YAML nested more than ${MAX_DEPTH} levels deep (counting aliases): SkyPilot cannot load it; flatten this value.`,
      n,
      path,
    );
    return null;
  }

  private alias(a: Alias, path: Segs, depth: number): unknown {
    const target = this.targets.get(a);
    if (!target) {
      this.problem(
        'UNDEFINED_ALIAS',
        `Undefined alias *${a.source}: no anchor &${a.source} comes before it in this document.`,
        a,
        path,
      );
      return null;
    }
    if (this.open.has(target)) {
      this.problem(
        'RECURSIVE_ALIAS',
        `Alias *${a.source} is inside the node anchored &${a.source}: a task value cannot contain itself.`,
        a,
        path,
      );
      return null;
    }
    const value = this.build(target, path, depth);
    if (this.size > MAX_EXPANDED_NODES) {
      if (!this.expansionReported) {
        this.expansionReported = true;
        this.problem(
          'ALIAS_EXPANSION',
          `Aliases expand this document past ${MAX_EXPANDED_NODES} nodes; expand fewer aliases (or none of a large anchor).`,
          a,
          path,
        );
      }
      return null;
    }
    return value;
  }

  private map(
    items: ReadonlyArray<Pair<unknown, unknown>>,
    path: Segs,
    depth: number,
  ): Record<string, unknown> {
    const own: Array<[string, unknown]> = [];
    // Merged pairs in PyYAML's order: later ones overwrite earlier ones, the map's own keys come last.
    const merged: Array<[string, unknown]> = [];
    for (const p of items) {
      if (isMergeKey(p.key)) {
        merged.push(...this.mergeSources(p, [...path, '<<'], depth + 1));
        continue;
      }
      // Keys count at the map's own level: a map too deep is reported once, at its value.
      const k = this.build(p.key, path, depth);
      const key = typeof k === 'object' && k !== null ? JSON.stringify(k) : String(k);
      own.push([key, this.build(p.value, [...path, key], depth + 1)]);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of [...merged, ...own]) out[k] = v;
    return out;
  }

  /** The pairs a merge key brings in, or a problem at the source that is not a mapping. */
  private mergeSources(p: Pair<unknown, unknown>, path: Segs, depth: number): Array<[string, unknown]> {
    const v = p.value;
    const source = isAlias(v) ? this.targets.get(v) : v;
    if (isAlias(v) && source === undefined) {
      this.build(v, path, depth); // reports the undefined alias
      return [];
    }
    if (isMap(source)) return this.entries(this.build(v, path, depth));
    if (isSeq(source)) {
      // Through an alias (`<<: *list`) the items live at the anchor: point at the alias instead.
      const via = isAlias(v);
      const parts: Array<Array<[string, unknown]>> = [];
      source.items.forEach((item, i) => {
        const m = isAlias(item) ? this.targets.get(item) : item;
        const itemPath = via ? path : [...path, i];
        if (isMap(m)) parts.push(this.entries(this.build(item, itemPath, depth + 1)));
        else if (isAlias(item) && m === undefined) this.build(item, itemPath, depth + 1);
        else
          this.problem(
            'MERGE_SOURCE',
            `A merge key '<<' takes mappings (like *base); item ${i} of ${via ? `*${v.source}` : 'this list'} is ${kindOf(m)}.`,
            via ? v : item,
            itemPath,
          );
      });
      // Earlier sources win: PyYAML applies the list from the last mapping to the first.
      return parts.reverse().flat();
    }
    this.problem(
      'MERGE_SOURCE',
      `A merge key '<<' takes a mapping or a list of mappings (like *base or [*a, *b]); this is ${kindOf(source)}.`,
      hasExtent(v) ? v : p.key,
      path,
    );
    return [];
  }

  private entries(v: unknown): Array<[string, unknown]> {
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : [];
  }
}

function hasExtent(n: unknown): boolean {
  const r = (n as Node | null)?.range;
  return !!r && r[1] > r[0];
}

type Segs = Array<string | number>;
