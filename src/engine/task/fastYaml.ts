import type { SMap, SNode, SPair, SScalar, SSeq, SourceDocument, SyntaxProblem } from './sourceTree';

/**
 * A fast parser for the YAML that task files are made of: block mappings and sequences, plain and
 * quoted single-line scalars, single-line flow collections, literal block scalars (`|`, `|-`,
 * `|+`) and `---` separated documents. Anything else (anchors, aliases, tags, folded or multi-line
 * scalars, complex keys, tabs, directives…) makes it give up (undefined) and the caller falls
 * back to the full `yaml` library. It exists because validating a 1,000-mount file spends most of
 * its time in the general parser; the unit tests check it against `yaml` value for value.
 */
class GiveUp extends Error {}

/** Deeper nesting goes to the library path, which reports nesting no task file has. */
const MAX_NESTING = 64;

interface Line {
  start: number;
  text: string;
  indent: number;
  /** Blank or comment-only. */
  empty: boolean;
}

// Plain scalars resolve as SkyPilot's PyYAML (YAML 1.1) resolves them, not as YAML 1.2: `yes`/`on`
// are booleans, `0777` is octal, `1_000` and `1:30` (base 60) are integers, `1e3` stays a string.
const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT_RE =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_RE =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function sexagesimal(digits: string): number {
  return digits.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

function pyInt(raw: string): number {
  let s = raw.replace(/_/g, '');
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s.startsWith('0b')) return sign * parseInt(s.slice(2), 2);
  if (s.startsWith('0x')) return sign * parseInt(s.slice(2), 16);
  if (s.startsWith('0')) return sign * parseInt(s, 8);
  if (s.includes(':')) return sign * sexagesimal(s);
  return sign * Number(s);
}

function pyFloat(raw: string): number {
  let s = raw.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '.inf') return sign * Infinity;
  if (s === '.nan') return NaN;
  if (s.includes(':')) {
    const [whole, frac] = s.split('.');
    return sign * (sexagesimal(whole) + Number(`0.${frac || '0'}`));
  }
  return sign * Number(s);
}

/** PyYAML's implicit resolution of a plain scalar (timestamps stay strings). */
export function resolvePlain(s: string): unknown {
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(s);
  if (INT_RE.test(s)) return pyInt(s);
  if (FLOAT_RE.test(s)) return pyFloat(s);
  return s;
}

const BAD_PLAIN_START = /^[?:,[\]{}#&*!|>'"%@`]/;

function scalar(start: number, end: number, value: unknown): SScalar {
  return { kind: 'scalar', start, end, value };
}

class DocParser {
  errors: SyntaxProblem[] = [];
  private depth = 0;
  constructor(
    private readonly lines: Line[],
    private readonly from: number,
    private readonly to: number,
  ) {}

  private next(i: number): number {
    while (i < this.to && this.lines[i].empty) i++;
    return i;
  }

  parse(): { root: SNode | null; value: unknown } {
    const i = this.next(this.from);
    if (i >= this.to) return { root: null, value: null };
    const line = this.lines[i];
    const [node, value, after] = this.block(i, line.indent, -1);
    if (this.next(after) < this.to) throw new GiveUp();
    return { root: node, value };
  }

  /** A block node whose first line is i, content starting at column col; parent indentation pi. */
  private nest<T>(f: () => T): T {
    if (++this.depth > MAX_NESTING) throw new GiveUp();
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private block(i: number, col: number, pi: number): [SNode, unknown, number] {
    const content = this.lines[i].text.slice(col);
    if (content === '-' || content.startsWith('- ')) return this.seq(i, col);
    if (this.keyAt(i, col)) return this.map(i, col);
    // A lone scalar (a document that is just a value, or a list item on its own line).
    const [node, value, after] = this.inline(i, col, pi);
    return [node, value, after];
  }

  /** Parses `key:` at (i, col); returns key node and the column after the colon, or undefined. */
  private keyAt(i: number, col: number): { key: SScalar; after: number } | undefined {
    const t = this.lines[i].text;
    const base = this.lines[i].start;
    const c = t[col];
    if (c === '"' || c === "'") {
      const q = this.quoted(t, col);
      if (!q) return undefined;
      let j = q.end;
      while (t[j] === ' ') j++;
      if (t[j] !== ':' || (j + 1 < t.length && t[j + 1] !== ' ')) return undefined;
      return { key: scalar(base + col, base + q.end, q.value), after: j + 1 };
    }
    if (
      c === undefined ||
      BAD_PLAIN_START.test(c) ||
      (c === '-' && (t[col + 1] === ' ' || t[col + 1] === undefined))
    )
      return undefined;
    let j = col;
    for (; j < t.length; j++) {
      if (t[j] === ':' && (j + 1 === t.length || t[j + 1] === ' ')) break;
      if (t[j] === '#' && t[j - 1] === ' ') return undefined;
    }
    if (j >= t.length) return undefined;
    const raw = t.slice(col, j).replace(/ +$/, '');
    if (raw === '' || raw === '<<' || raw.includes('\t')) throw new GiveUp(); // merge keys: full parser
    const v = resolvePlain(raw);
    if (typeof v !== 'string') throw new GiveUp(); // non-string keys: leave to the full parser
    return { key: scalar(base + col, base + col + raw.length, v), after: j + 1 };
  }

  private map(i: number, col: number): [SMap, Record<string, unknown>, number] {
    return this.nest(() => this.mapAt(i, col));
  }

  private mapAt(i: number, col: number): [SMap, Record<string, unknown>, number] {
    const items: SPair[] = [];
    const value: Record<string, unknown> = {};
    const seen = new Set<string>();
    const start = this.lines[i].start + col;
    let end = start;
    let first = true;
    while (i < this.to) {
      const line = this.lines[i];
      if (!first && line.indent < col) break;
      if (!first && line.indent > col) throw new GiveUp();
      const k = this.keyAt(i, col);
      if (!k) throw new GiveUp();
      first = false;
      const key = String(k.key.value);
      if (seen.has(key)) {
        this.errors.push({
          code: 'DUPLICATE_KEY',
          message: 'Map keys must be unique',
          pos: [k.key.start, k.key.end],
        });
      }
      seen.add(key);
      const rest = line.text.slice(k.after);
      let node: SNode | null;
      let v: unknown;
      let after: number;
      if (/^\s*(#.*)?$/.test(rest)) {
        const j = this.next(i + 1);
        const nl = j < this.to ? this.lines[j] : undefined;
        if (nl && nl.indent > col) [node, v, after] = this.block(j, nl.indent, col);
        else if (
          nl &&
          nl.indent === col &&
          (nl.text.slice(col) === '-' || nl.text.slice(col).startsWith('- '))
        )
          [node, v, after] = this.seq(j, col);
        else {
          node = null;
          v = null;
          after = i + 1;
        }
      } else {
        const vcol = k.after + (rest.length - rest.trimStart().length);
        [node, v, after] = this.inline(i, vcol, col);
      }
      items.push({ key: k.key, value: node });
      value[key] = v; // the last duplicate wins, as in the yaml library
      end = node ? node.end : k.key.end;
      i = this.next(after);
    }
    return [{ kind: 'map', start, end, items }, value, i];
  }

  private seq(i: number, col: number): [SSeq, unknown[], number] {
    return this.nest(() => this.seqAt(i, col));
  }

  private seqAt(i: number, col: number): [SSeq, unknown[], number] {
    const items: SNode[] = [];
    const value: unknown[] = [];
    const start = this.lines[i].start + col;
    let end = start;
    while (i < this.to) {
      const line = this.lines[i];
      if (line.indent !== col) {
        if (line.indent < col) break;
        throw new GiveUp();
      }
      const t = line.text;
      if (!(t.slice(col) === '-' || t.slice(col).startsWith('- '))) break;
      let c = col + 1;
      while (t[c] === ' ') c++;
      let node: SNode;
      let v: unknown;
      let after: number;
      if (c >= t.length || t[c] === '#') {
        const j = this.next(i + 1);
        const nl = j < this.to ? this.lines[j] : undefined;
        if (nl && nl.indent > col) [node, v, after] = this.block(j, nl.indent, col);
        else {
          node = scalar(line.start + col + 1, line.start + col + 1, null);
          v = null;
          after = i + 1;
        }
      } else if (t[c] === '-' && (t[c + 1] === ' ' || c + 1 === t.length)) {
        throw new GiveUp(); // nested "- - x"
      } else if (this.keyAt(i, c)) {
        [node, v, after] = this.map(i, c);
      } else {
        [node, v, after] = this.inline(i, c, col);
      }
      items.push(node);
      value.push(v);
      end = node.end;
      i = this.next(after);
    }
    return [{ kind: 'seq', start, end, items }, value, i];
  }

  /** A value starting at (i, col) on a line: scalar, flow collection or block scalar. pi: parent indent. */
  private inline(i: number, col: number, pi: number): [SNode, unknown, number] {
    const line = this.lines[i];
    const t = line.text;
    const base = line.start;
    const c = t[col];
    if (c === '"' || c === "'") {
      const q = this.quoted(t, col);
      if (!q) throw new GiveUp();
      if (!/^(?:\s+#.*|\s*)$/.test(t.slice(q.end))) throw new GiveUp(); // '#' needs a space before it
      return [scalar(base + col, base + q.end, q.value), q.value, this.mustEnd(i + 1, pi)];
    }
    if (c === '[' || c === '{') {
      const f = new FlowParser(t, col, base, this.errors);
      const [node, v] = f.node();
      if (!/^(?:\s+#.*|\s*)$/.test(t.slice(f.pos))) throw new GiveUp();
      return [node, v, this.mustEnd(i + 1, pi)];
    }
    if (c === '|') return this.literal(i, col, pi);
    if (BAD_PLAIN_START.test(c) || (c === '-' && (t[col + 1] === ' ' || col + 1 === t.length)))
      throw new GiveUp();
    let j = col;
    for (; j < t.length; j++) {
      if (t[j] === '#' && t[j - 1] === ' ') break;
      if (t[j] === ':' && (j + 1 === t.length || t[j + 1] === ' ')) throw new GiveUp();
    }
    const raw = t.slice(col, j).replace(/\s+$/, '');
    if (raw.includes('\t')) throw new GiveUp();
    const v = resolvePlain(raw);
    return [scalar(base + col, base + col + raw.length, v), v, this.mustEnd(i + 1, pi)];
  }

  /** After a one-line value the next content line may not be more indented (a multi-line scalar). */
  private mustEnd(i: number, pi: number): number {
    const j = this.next(i);
    if (j < this.to && this.lines[j].indent > pi) throw new GiveUp();
    return i;
  }

  private literal(i: number, col: number, pi: number): [SScalar, string, number] {
    const line = this.lines[i];
    const head = /^\|([+-]?)(?:\s+(#.*)?)?$/.exec(line.text.slice(col));
    if (!head) throw new GiveUp();
    const chomp = head[1];
    let j = i + 1;
    let indent = -1;
    const body: string[] = [];
    let lastContent = i;
    for (; j < this.lines.length && j < this.toRaw(); j++) {
      const l = this.lines[j];
      const blank = l.text.trim() === '';
      if (blank) {
        if (indent >= 0 && l.text.length > indent) {
          // Spaces beyond the indentation are content, not an empty line (YAML l-empty).
          body.push(l.text.slice(indent));
          lastContent = j;
        } else body.push(l.text.length > 0 && indent < 0 ? l.text : '');
        continue;
      }
      if (/^\t/.test(l.text) || l.text.slice(0, l.indent).includes('\t')) throw new GiveUp();
      if (l.indent <= pi) break;
      if (indent < 0) {
        indent = l.indent;
        // A leading blank line longer than the content indentation is an error in YAML.
        for (const b of body) if (b.length > 0) throw new GiveUp();
      }
      if (l.indent < indent) throw new GiveUp();
      body.push(l.text.slice(indent));
      lastContent = j;
    }
    // Lines after the last content line are trailing blanks.
    const contentCount = lastContent - i;
    const kept = body.slice(0, contentCount);
    const trailing = body.length - contentCount;
    let value = kept.join('\n');
    if (chomp === '+')
      value = contentCount > 0 ? `${value}\n${'\n'.repeat(trailing)}` : '\n'.repeat(trailing);
    else if (chomp === '' && contentCount > 0) value = `${value}\n`;
    const endLine = this.lines[lastContent];
    const end = lastContent === i ? line.start + line.text.length : endLine.start + endLine.text.length;
    if (chomp === '+' && trailing > 0) throw new GiveUp(); // keep-chomped trailing lines: leave exact offsets to yaml
    return [scalar(line.start + col, end, value), value, lastContent + 1];
  }

  private toRaw(): number {
    return this.to;
  }

  quoted(t: string, col: number): { value: string; end: number } | undefined {
    const q = t[col];
    let out = '';
    for (let j = col + 1; j < t.length; j++) {
      const ch = t[j];
      if (q === "'") {
        if (ch === "'") {
          if (t[j + 1] === "'") {
            out += "'";
            j++;
            continue;
          }
          return { value: out, end: j + 1 };
        }
        out += ch;
      } else {
        if (ch === '\\') {
          const e = t[j + 1];
          const map: Record<string, string> = {
            '"': '"',
            '\\': '\\',
            '/': '/',
            n: '\n',
            t: '\t',
            r: '\r',
            '0': '\0',
            ' ': ' ',
          };
          if (e === undefined || !(e in map)) throw new GiveUp();
          out += map[e];
          j++;
          continue;
        }
        if (ch === '"') return { value: out, end: j + 1 };
        out += ch;
      }
    }
    return undefined; // not closed on this line
  }
}

/** Single-line flow collections: `[a, "b", {c: 1}]`, `{A100: 8}`. */
class FlowParser {
  pos: number;
  private depth = 0;
  constructor(
    private readonly t: string,
    col: number,
    private readonly base: number,
    private readonly errors: SyntaxProblem[],
  ) {
    this.pos = col;
  }

  private ws(): void {
    while (this.t[this.pos] === ' ') this.pos++;
  }

  node(): [SNode, unknown] {
    if (++this.depth > MAX_NESTING) throw new GiveUp();
    try {
      return this.nodeAt();
    } finally {
      this.depth--;
    }
  }

  private nodeAt(): [SNode, unknown] {
    this.ws();
    const c = this.t[this.pos];
    if (c === '[') return this.seq();
    if (c === '{') return this.map();
    return this.scalar();
  }

  private seq(): [SSeq, unknown[]] {
    const start = this.base + this.pos;
    this.pos++;
    const items: SNode[] = [];
    const value: unknown[] = [];
    this.ws();
    if (this.t[this.pos] === ']') {
      this.pos++;
      return [{ kind: 'seq', start, end: this.base + this.pos, items }, value];
    }
    for (;;) {
      const [n, v] = this.node();
      this.ws();
      if (this.t[this.pos] === ':') throw new GiveUp(); // implicit pairs in a flow sequence
      items.push(n);
      value.push(v);
      const c = this.t[this.pos];
      if (c === ',') {
        this.pos++;
        this.ws();
        if (this.t[this.pos] === ']') {
          this.pos++;
          break;
        }
        continue;
      }
      if (c === ']') {
        this.pos++;
        break;
      }
      throw new GiveUp();
    }
    return [{ kind: 'seq', start, end: this.base + this.pos, items }, value];
  }

  private map(): [SMap, Record<string, unknown>] {
    const start = this.base + this.pos;
    this.pos++;
    const items: SPair[] = [];
    const value: Record<string, unknown> = {};
    this.ws();
    if (this.t[this.pos] === '}') {
      this.pos++;
      return [{ kind: 'map', start, end: this.base + this.pos, items }, value];
    }
    for (;;) {
      const [k, kv] = this.scalar(true);
      if (typeof kv !== 'string') throw new GiveUp();
      this.ws();
      const implicitNull = this.t[this.pos] === ',' || this.t[this.pos] === '}'; // `{A100:1, V100:1}`
      if (!implicitNull) {
        if (this.t[this.pos] !== ':') throw new GiveUp();
        this.pos++;
        this.ws();
      }
      let n: SNode;
      let v: unknown;
      if (this.t[this.pos] === ',' || this.t[this.pos] === '}') {
        n = scalar(this.base + this.pos, this.base + this.pos, null);
        v = null;
      } else [n, v] = this.node();
      if (kv in value)
        this.errors.push({
          code: 'DUPLICATE_KEY',
          message: 'Map keys must be unique',
          pos: [k.start, k.end],
        });
      else value[kv] = v;
      items.push({ key: k, value: n });
      this.ws();
      const c = this.t[this.pos];
      if (c === ',') {
        this.pos++;
        this.ws();
        if (this.t[this.pos] === '}') {
          this.pos++;
          break;
        }
        continue;
      }
      if (c === '}') {
        this.pos++;
        break;
      }
      throw new GiveUp();
    }
    return [{ kind: 'map', start, end: this.base + this.pos, items }, value];
  }

  private scalar(isKey = false): [SScalar, unknown] {
    const t = this.t;
    const c = t[this.pos];
    if (c === '"' || c === "'") {
      const q = new DocParser([], 0, 0).quoted(t, this.pos);
      if (!q) throw new GiveUp();
      const s = scalar(this.base + this.pos, this.base + q.end, q.value);
      this.pos = q.end;
      return [s, q.value];
    }
    if (c === undefined || BAD_PLAIN_START.test(c)) throw new GiveUp();
    const start = this.pos;
    for (; this.pos < t.length; this.pos++) {
      const ch = t[this.pos];
      if (ch === ',' || ch === '[' || ch === ']' || ch === '{' || ch === '}') break;
      if (ch === '#' && t[this.pos - 1] === ' ') throw new GiveUp();
      if (ch === ':' && /[ ,\]}]/.test(t[this.pos + 1] ?? ' ')) break;
    }
    const raw = t.slice(start, this.pos).replace(/\s+$/, '');
    if (raw === '' || raw.includes('\t')) throw new GiveUp();
    const v = resolvePlain(raw);
    if (isKey && typeof v !== 'string') throw new GiveUp();
    return [scalar(this.base + start, this.base + start + raw.length, v), v];
  }
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const raw = nl < 0 ? text.slice(start) : text.slice(start, nl);
    if (raw.endsWith('\r')) throw new GiveUp(); // CRLF: offsets stay simple with the full parser
    let indent = 0;
    while (raw[indent] === ' ') indent++;
    if (raw[indent] === '\t') throw new GiveUp(); // tabs near indentation: leave to the full parser
    const rest = raw.slice(indent);
    lines.push({
      start,
      text: raw,
      indent,
      empty: rest === '' || rest.startsWith('#') || rest.trim() === '',
    });
    if (nl < 0) break;
    start = nl + 1;
  }
  return lines;
}

/** Parses all documents, or returns undefined when the text needs the full YAML parser. */
export function parseFast(text: string): SourceDocument[] | undefined {
  try {
    if (text.charCodeAt(0) === 0xfeff) return undefined;
    const lines = splitLines(text);
    const bounds: Array<[number, number, number]> = []; // [fromLine, toLine, startOffset]
    let from = 0;
    let sawMarker = false;
    for (let i = 0; i < lines.length; i++) {
      const t = lines[i].text;
      if (t.startsWith('%') || t.startsWith('...')) return undefined;
      if (t.startsWith('---')) {
        if (!/^---(?:\s+(#.*)?)?$/.test(t)) return undefined;
        const hasContent = lines.slice(from, i).some((l) => !l.empty);
        if (hasContent || sawMarker) bounds.push([from, i, lines[from]?.start ?? 0]);
        sawMarker = true;
        from = i + 1;
      }
    }
    const hasContent = lines.slice(from).some((l) => !l.empty);
    if (hasContent || sawMarker)
      bounds.push([from, lines.length, from < lines.length ? lines[from].start : text.length]);
    return bounds.map(([a, b, start]) => {
      const p = new DocParser(lines, a, b);
      const { root, value } = p.parse();
      return { root, start, errors: p.errors, warnings: [], value };
    });
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
}
