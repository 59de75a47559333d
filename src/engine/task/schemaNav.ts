import { taskSchemaJson } from './schemaCheck';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deref(s: unknown): Json {
  const root = taskSchemaJson();
  if (isObj(s) && typeof s.$ref === 'string' && s.$ref.startsWith('#/definitions/')) {
    return deref((root.definitions as Json)[s.$ref.slice('#/definitions/'.length)]);
  }
  return isObj(s) ? s : {};
}

/** The object-like branches of a schema node (through anyOf/oneOf), where properties live. */
function branches(s: Json): Json[] {
  const out: Json[] = [s];
  for (const k of ['anyOf', 'oneOf']) {
    const list = s[k];
    if (Array.isArray(list)) for (const b of list) out.push(...branches(deref(b)));
  }
  return out;
}

/** Schema nodes for a path of keys ('*' or a number for list items and file_mounts destinations). */
export function schemaAt(path: ReadonlyArray<string | number>): Json[] {
  let nodes: Json[] = [deref(taskSchemaJson())];
  for (const seg of path) {
    const next: Json[] = [];
    for (const n of nodes) {
      for (const b of branches(n)) {
        if (typeof seg === 'number' || seg === '*') {
          if (b.items !== undefined) next.push(deref(b.items));
          continue;
        }
        const props = isObj(b.properties) ? b.properties : {};
        if (props[seg] !== undefined) next.push(deref(props[seg]));
        else if (isObj(b.additionalProperties)) next.push(deref(b.additionalProperties));
        else if (isObj(b.patternProperties)) {
          for (const [re, sub] of Object.entries(b.patternProperties))
            if (new RegExp(re).test(seg)) next.push(deref(sub));
        }
      }
    }
    nodes = next;
    if (nodes.length === 0) break;
  }
  return nodes;
}

export interface KeyInfo {
  key: string;
  schema: Json;
  markdown?: string;
}

/** Keys a mapping at this path may hold (without internal `_` keys and doNotSuggest ones). */
export function keysAt(path: ReadonlyArray<string | number>): KeyInfo[] {
  const seen = new Map<string, KeyInfo>();
  for (const n of schemaAt(path)) {
    for (const b of branches(n)) {
      if (!isObj(b.properties)) continue;
      for (const [k, v] of Object.entries(b.properties)) {
        const s = deref(v);
        if (k.startsWith('_') || s.doNotSuggest || seen.has(k)) continue;
        seen.set(k, {
          key: k,
          schema: s,
          ...(typeof s.markdownDescription === 'string' ? { markdown: s.markdownDescription } : {}),
        });
      }
    }
  }
  return [...seen.values()];
}

export interface ValueChoice {
  value: string;
  description?: string;
}

/** Enum values (canonical case), booleans and examples for the value at this path. */
export function valuesAt(path: ReadonlyArray<string | number>): ValueChoice[] {
  const out = new Map<string, ValueChoice>();
  for (const n of schemaAt(path)) {
    for (const b of branches(n)) {
      if (Array.isArray(b['x-sky-enum'])) {
        const any = (b.anyOf as Json[] | undefined)?.[0];
        const vals = (any?.enum as string[] | undefined) ?? [];
        const descs = (any?.enumDescriptions as string[] | undefined) ?? [];
        for (const v of b['x-sky-enum'] as string[]) {
          const i = vals.indexOf(v);
          out.set(v, { value: v, ...(descs[i] ? { description: descs[i] } : {}) });
        }
      } else if (Array.isArray(b.enum) && !branches(n).some((x) => Array.isArray(x['x-sky-enum']))) {
        const descs = (b.enumDescriptions as string[] | undefined) ?? [];
        (b.enum as unknown[]).forEach((v, i) =>
          out.set(String(v), { value: String(v), ...(descs[i] ? { description: descs[i] } : {}) }),
        );
      }
      if (b.type === 'boolean' || (Array.isArray(b.type) && b.type.includes('boolean')))
        for (const v of ['true', 'false']) out.set(v, { value: v });
      if (Array.isArray(b.examples)) for (const v of b.examples) out.set(String(v), { value: String(v) });
    }
  }
  return [...out.values()];
}

/** The markdown description at a path (first one found). */
export function descriptionAt(path: ReadonlyArray<string | number>): string | undefined {
  for (const n of schemaAt(path)) {
    if (typeof n.markdownDescription === 'string') return n.markdownDescription;
    if (typeof n.description === 'string') return n.description;
  }
  return undefined;
}

export interface Snippet {
  label: string;
  body: unknown;
}

export function snippetsAt(path: ReadonlyArray<string | number>): Snippet[] {
  const out: Snippet[] = [];
  for (const n of schemaAt(path)) {
    if (Array.isArray(n.defaultSnippets)) for (const s of n.defaultSnippets as Snippet[]) out.push(s);
  }
  return out;
}
