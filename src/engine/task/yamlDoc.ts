import { isMap, isPair, isScalar, isSeq, Node, parseAllDocuments, Document, Pair, YAMLMap } from 'yaml';
import { Range, fromPointer } from './diagnostic';

/** One YAML document of a task file with what the validator needs to point at nodes. */
export interface TaskYamlDocument {
  index: number;
  doc: Document.Parsed;
  /** Plain JS value (undefined for an empty document or when it could not be converted). */
  value: unknown;
}

export interface ParsedTaskYaml {
  text: string;
  /** Offsets where each line starts (our own: yaml's LineCounter skips lines inside broken scalars). */
  lineStarts: number[];
  documents: TaskYamlDocument[];
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function parseTaskYaml(text: string): ParsedTaskYaml {
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false, strict: false });
  const list = Array.isArray(docs) ? docs : [];
  const documents = list.map((doc, index) => {
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch {
      value = undefined;
    }
    return { index, doc, value };
  });
  return { text, lineStarts: computeLineStarts(text), documents };
}

export function offsetToPosition(
  lineStarts: number[],
  text: string,
  offset: number,
): { line: number; character: number } {
  const o = Math.max(0, Math.min(offset, text.length));
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= o) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: o - lineStarts[lo] };
}

export function rangeOf(parsed: ParsedTaskYaml, start: number, end: number): Range {
  return {
    start: offsetToPosition(parsed.lineStarts, parsed.text, start),
    end: offsetToPosition(parsed.lineStarts, parsed.text, Math.max(start, end)),
  };
}

/** What a JSON pointer resolves to in the YAML tree: the value node and, inside a map, its pair. */
export interface Located {
  node: Node | null;
  pair?: Pair;
  /** Deepest existing ancestor when the pointer goes further than the tree. */
  partial: boolean;
}

const keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairFor(map: YAMLMap, key: string): Pair | undefined {
  let idx = keyIndex.get(map);
  if (!idx) {
    idx = new Map();
    for (const item of map.items) {
      const k = isScalar(item.key) ? String(item.key.value) : String(item.key);
      if (!idx.has(k)) idx.set(k, item as Pair);
    }
    keyIndex.set(map, idx);
  }
  return idx.get(key);
}

export function locate(doc: Document.Parsed, pointer: string): Located {
  let node: Node | null = doc.contents as Node | null;
  let pair: Pair | undefined;
  for (const seg of fromPointer(pointer)) {
    if (isMap(node)) {
      const p = pairFor(node, seg);
      if (!p) return { node, pair, partial: true };
      pair = p;
      node = (p.value as Node | null) ?? null;
      if (node === null) return { node, pair, partial: false };
    } else if (isSeq(node)) {
      const i = Number(seg);
      const item = node.items[i] as Node | undefined;
      if (!Number.isInteger(i) || item === undefined) return { node, pair, partial: true };
      pair = undefined;
      node = item;
    } else {
      return { node, pair, partial: true };
    }
  }
  return { node, pair, partial: false };
}

/** Offsets [start, end] of the node a diagnostic should underline. */
export function targetOffsets(
  doc: Document.Parsed,
  pointer: string,
  on: 'key' | 'value' | 'auto',
): [number, number] {
  const loc = locate(doc, pointer);
  const keyNode = loc.pair && !loc.partial && isScalar(loc.pair.key) ? loc.pair.key : undefined;
  const useKey =
    keyNode !== undefined &&
    (on === 'key' ||
      (on === 'auto' && (loc.node === null || isMap(loc.node) || isSeq(loc.node) || nullScalar(loc.node))));
  if (useKey && keyNode?.range) return [keyNode.range[0], keyNode.range[1]];
  if (loc.partial && loc.pair && isScalar(loc.pair.key) && loc.pair.key.range) {
    return [loc.pair.key.range[0], loc.pair.key.range[1]];
  }
  const n = loc.node;
  if (n && n.range) {
    if ((isMap(n) || isSeq(n)) && n.items.length > 0) {
      // A whole block collection is too much: underline its first key or item.
      const first = n.items[0] as Pair | Node;
      const k = isPair(first) ? (first.key as Node | null) : first;
      if (k && k.range) return [k.range[0], k.range[1]];
    }
    return [n.range[0], n.range[1]];
  }
  const c = doc.contents as Node | null;
  if (c && c.range) return [c.range[0], c.range[0]];
  return [doc.range[0], doc.range[0]];
}

function nullScalar(n: Node | null): boolean {
  return isScalar(n) && n.value === null;
}
