import { isMap, isScalar, isSeq, Node, parseAllDocuments, Document, Pair } from 'yaml';
import { Range, fromPointer } from './diagnostic';
import { parseFast } from './fastYaml';
import { pairFor, SNode, SourceDocument, SPair, SScalar } from './sourceTree';
import { buildValue, MAX_DEPTH } from './yamlValue';

/** One YAML document of a task file with what the validator needs to point at nodes. */
export interface TaskYamlDocument extends SourceDocument {
  index: number;
}

export interface ParsedTaskYaml {
  text: string;
  /** Offsets where each line starts (our own: yaml's LineCounter skips lines inside broken scalars). */
  lineStarts: number[];
  documents: TaskYamlDocument[];
  /** Which parser produced the tree: the fast subset parser or the full yaml library. */
  parser: 'fast' | 'yaml';
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function parseTaskYaml(text: string): ParsedTaskYaml {
  const fast = parseFast(text);
  if (fast) {
    return {
      text,
      lineStarts: computeLineStarts(text),
      documents: fast.map((d, index) => ({ ...d, index })),
      parser: 'fast',
    };
  }
  const docs = parseAllDocuments(text, {
    uniqueKeys: true,
    prettyErrors: false,
    strict: false,
    logLevel: 'error',
    merge: true,
    // YAML 1.1 like PyYAML, for values the library resolves itself (documents with aliases).
    version: '1.1',
  });
  const list = Array.isArray(docs) ? docs : [];
  const documents = list.map((doc, index) => fromYamlDocument(doc, index, text));
  return { text, lineStarts: computeLineStarts(text), documents, parser: 'yaml' };
}

function fromYamlDocument(doc: Document.Parsed, index: number, text: string): TaskYamlDocument {
  const { value, problems } = buildValue(doc);
  const conv = (e: { code: string; message: string; pos: [number, number] }) => ({
    code: e.code,
    message: e.message,
    pos: e.pos,
  });
  return {
    index,
    root: toSNode(doc.contents as Node | null, text, 0),
    start: doc.range[0],
    errors: [...doc.errors.map(conv), ...problems],
    warnings: doc.warnings.map(conv),
    value,
  };
}

/** The library's document as a plain value, scalars resolved like PyYAML (for the parity tests). */
export function libraryValue(doc: Document.Parsed): unknown {
  return buildValue(doc).value;
}

/** A scalar's value as the tree shows it: the merge key `<<` is a symbol in the library. */
function scalarValue(v: unknown): unknown {
  return typeof v === 'symbol' ? v.description : v;
}

/** A key or item as a scalar; a collection or alias key shows as its source text (stringifying the node could resolve merges, which may throw). */
function toSScalar(n: unknown, text: string): SScalar {
  if (isScalar(n) && n.range)
    return { kind: 'scalar', start: n.range[0], end: n.range[1], value: scalarValue(n.value) };
  const r = (n as Node | null)?.range;
  return {
    kind: 'scalar',
    start: r ? r[0] : 0,
    end: r ? r[1] : 0,
    value: isScalar(n) ? scalarValue(n.value) : r ? text.slice(r[0], r[1]).trim() : null,
  };
}

/** The source tree; below MAX_DEPTH a collection is kept as a bare extent (the value builder reports it). */
function toSNode(n: Node | null, text: string, depth: number): SNode | null {
  if (!n || !n.range) return null;
  if (depth > MAX_DEPTH) return { kind: 'scalar', start: n.range[0], end: n.range[1], value: undefined };
  if (isMap(n)) {
    return {
      kind: 'map',
      start: n.range[0],
      end: n.range[1],
      items: n.items.map((p: Pair) => ({
        key: toSScalar(p.key, text),
        value: toSNode(p.value as Node | null, text, depth + 1),
      })),
    };
  }
  if (isSeq(n)) {
    return {
      kind: 'seq',
      start: n.range[0],
      end: n.range[1],
      items: n.items.map((x) => toSNode(x as Node | null, text, depth + 1) ?? toSScalar(x, text)),
    };
  }
  return { kind: 'scalar', start: n.range[0], end: n.range[1], value: isScalar(n) ? n.value : undefined };
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

/** What a JSON pointer resolves to in the tree: the value node and, inside a map, its pair. */
export interface Located {
  node: SNode | null;
  pair?: SPair;
  /** Deepest existing ancestor when the pointer goes further than the tree. */
  partial: boolean;
}

export function locate(doc: SourceDocument, pointer: string): Located {
  let node: SNode | null = doc.root;
  let pair: SPair | undefined;
  for (const seg of fromPointer(pointer)) {
    if (node?.kind === 'map') {
      const p = pairFor(node, seg);
      if (!p) return { node, pair, partial: true };
      pair = p;
      node = p.value;
      if (node === null) return { node, pair, partial: false };
    } else if (node?.kind === 'seq') {
      const i = Number(seg);
      const item = node.items[i];
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
  doc: SourceDocument,
  pointer: string,
  on: 'key' | 'value' | 'auto',
): [number, number] {
  const loc = locate(doc, pointer);
  const keyNode = loc.pair && !loc.partial ? loc.pair.key : undefined;
  const n = loc.node;
  const useKey =
    keyNode !== undefined &&
    (on === 'key' ||
      (on === 'auto' && (n === null || n.kind !== 'scalar' || (n.value === null && n.start === n.end))));
  if (useKey && keyNode) return [keyNode.start, keyNode.end];
  if (loc.partial && loc.pair) return [loc.pair.key.start, loc.pair.key.end];
  if (n) {
    if (n.kind !== 'scalar' && n.items.length > 0) {
      // A whole block collection is too much: underline its first key or item.
      const first = n.items[0];
      const k = 'key' in first ? first.key : first;
      return [k.start, k.end];
    }
    if (n.kind === 'scalar' && n.start === n.end && keyNode) return [keyNode.start, keyNode.end];
    return [n.start, n.end];
  }
  const c = doc.root;
  if (c) return [c.start, c.start];
  return [doc.start, doc.start];
}
