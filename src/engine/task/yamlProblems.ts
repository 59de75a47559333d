import { toPointer } from './diagnostic';
import type { Diagnostic } from './diagnostic';
import type { SNode, SScalar, SyntaxProblem } from './sourceTree';
import { ParsedTaskYaml, rangeOf, TaskYamlDocument } from './yamlDoc';
import { VALUE_PROBLEM_CODES } from './yamlValue';

const FIRST_LINE = /^[^\n]*/;

/** yaml reports its own stack overflow on absurd nesting as an error message. */
function syntaxMessage(m: string): string {
  const first = (FIRST_LINE.exec(m) ?? [''])[0];
  return /call stack/i.test(first) ? 'nested too deeply to read; flatten this value.' : first;
}

/** End of a node for "does the error belong to it": an error found right at its end (an unclosed quote or bracket) does. */
function endOf(n: SNode | null, key: SScalar): number {
  return n ? Math.max(n.end, key.end) : key.end;
}

function lastWhere<T>(xs: readonly T[], ok: (x: T) => boolean): T | undefined {
  for (let i = xs.length - 1; i >= 0; i--) if (ok(xs[i])) return xs[i];
  return undefined;
}

/**
 * The JSON pointer of the deepest node an error position falls in. A node only claims positions
 * after its first character: yaml reports a problem with what follows a value (a stray line, a
 * broken nested key) at that next token, which belongs to the enclosing key.
 */
export function pointerAt(root: SNode | null, offset: number): string {
  const segs: Array<string | number> = [];
  let n = root;
  while (n && n.kind !== 'scalar') {
    if (n.kind === 'map') {
      const p = lastWhere(n.items, (x) => x.key.start < offset && offset <= endOf(x.value, x.key));
      if (!p) break;
      segs.push(String(p.key.value));
      n = p.value;
    } else {
      const item = lastWhere(n.items, (x) => x.start < offset && offset <= x.end);
      if (!item) break;
      segs.push(n.items.indexOf(item));
      n = item;
    }
  }
  return toPointer(segs);
}

/** The key starting exactly at offset (a duplicate key) and its JSON pointer. */
export function keyAtOffset(
  root: SNode | null,
  offset: number,
): { pointer: string; key: SScalar } | undefined {
  const segs: Array<string | number> = [];
  let n = root;
  while (n && n.kind !== 'scalar') {
    let next: SNode | null = null;
    if (n.kind === 'map') {
      for (const p of n.items) {
        if (p.key.start === offset) return { pointer: toPointer([...segs, String(p.key.value)]), key: p.key };
        if (p.value && p.value.start <= offset && offset <= p.value.end) {
          segs.push(String(p.key.value));
          next = p.value;
          break;
        }
      }
    } else {
      const i = n.items.findIndex((x) => x.start <= offset && offset <= x.end);
      if (i >= 0) {
        segs.push(i);
        next = n.items[i];
      }
    }
    n = next;
  }
  return undefined;
}

/**
 * Diagnostics for a document's YAML errors and warnings, each at the node it concerns (JSON pointer
 * and range), the same whichever parser read the file. `broken` when the document cannot be
 * loaded at all (anything but a duplicate key), so no task rule should run on it.
 */
export function yamlProblems(
  parsed: ParsedTaskYaml,
  doc: TaskYamlDocument,
): { diagnostics: Diagnostic[]; broken: boolean } {
  const text = parsed.text;
  const diagnostics: Diagnostic[] = [];
  let broken = false;
  const at = (p: SyntaxProblem, start: number, end: number) => ({
    document: doc.index,
    path: p.path ?? pointerAt(doc.root, start),
    range: rangeOf(parsed, start, end),
  });
  for (const e of doc.errors) {
    if (e.code === 'DUPLICATE_KEY') {
      // yaml may report a duplicate key from the whitespace before it.
      const s = e.pos[0] + (/^\s*/.exec(text.slice(e.pos[0], e.pos[0] + 200))?.[0].length ?? 0);
      const k = keyAtOffset(doc.root, s);
      const name = k ? `'${String(k.key.value)}'` : 'this key';
      diagnostics.push({
        severity: 'error',
        message: `Duplicate key: ${name} is already defined in this mapping.`,
        ...(k
          ? { document: doc.index, path: k.pointer, range: rangeOf(parsed, k.key.start, k.key.end) }
          : at(e, s, e.pos[1])),
        code: 'duplicate-key',
      });
      continue;
    }
    broken = true;
    const own = VALUE_PROBLEM_CODES[e.code];
    diagnostics.push({
      severity: 'error',
      message: own ? e.message : `YAML syntax error: ${syntaxMessage(e.message)}`,
      ...at(e, e.pos[0], e.pos[1]),
      code: own ?? 'yaml',
    });
  }
  for (const w of doc.warnings) {
    diagnostics.push({
      severity: 'warning',
      message: (FIRST_LINE.exec(w.message) ?? [''])[0],
      ...at(w, w.pos[0], w.pos[1]),
      code: 'yaml-warning',
    });
  }
  return { diagnostics, broken };
}
