/**
 * A minimal YAML syntax tree with source offsets: what the validator needs to point at keys and
 * values. Built by the fast parser for the common subset of YAML, or converted from the `yaml`
 * library's document for everything else.
 */
export type SNode = SScalar | SMap | SSeq;

export interface SScalar {
  kind: 'scalar';
  start: number;
  end: number;
  value: unknown;
}

export interface SPair {
  key: SScalar;
  value: SNode | null;
}

export interface SMap {
  kind: 'map';
  start: number;
  end: number;
  items: SPair[];
  /** First pair per key (built lazily). */
  index?: Map<string, SPair>;
}

export interface SSeq {
  kind: 'seq';
  start: number;
  end: number;
  items: SNode[];
}

export interface SyntaxProblem {
  code: string;
  message: string;
  pos: [number, number];
  /** JSON pointer of the node, when the producer knows it (otherwise worked out from pos). */
  path?: string;
}

export interface SourceDocument {
  root: SNode | null;
  /** Start offset of the document (for diagnostics on an empty document). */
  start: number;
  errors: SyntaxProblem[];
  warnings: SyntaxProblem[];
  /** Plain JS value; undefined when it could not be built. */
  value: unknown;
}

export function pairFor(map: SMap, key: string): SPair | undefined {
  if (!map.index) {
    map.index = new Map();
    for (const p of map.items) {
      const k = String(p.key.value);
      if (!map.index.has(k)) map.index.set(k, p);
    }
  }
  return map.index.get(key);
}
