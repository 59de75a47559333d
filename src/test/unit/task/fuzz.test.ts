import * as assert from 'assert';
import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { validateTaskText } from '../../../engine/task';
import { parseFast } from '../../../engine/task/fastYaml';
import { libraryValue } from '../../../engine/task/yamlDoc';
import type { Range } from '../../../engine/task';
import { exampleFiles } from './examples.test';

/** mulberry32: small seeded PRNG so a failure reproduces from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  ':',
  ' ',
  '-',
  '\n',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  '$',
  '/',
  '~',
  '#',
  '&a',
  '*a',
  '!!str',
  '\t',
  'é',
  's3://',
  'MOUNT',
  'null',
  '0',
  '- ',
  '? ',
  '|',
  '>',
  '<<: *a',
  '<<: [*a, *b]',
  '<<: 5',
  '<<: [1]',
  '<<: null',
  '&b ',
  '*b',
  '*x',
];

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  let t = text;
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const lines = t.split('\n');
    const pos = Math.floor(rnd() * (t.length + 1));
    const li = Math.floor(rnd() * lines.length);
    switch (Math.floor(rnd() * 8)) {
      case 0:
        t = t.slice(0, pos) + t.slice(pos + 1 + Math.floor(rnd() * 5));
        break;
      case 1:
        t = t.slice(0, pos) + pick(TOKENS) + t.slice(pos);
        break;
      case 2:
        lines.splice(li, 0, lines[li]);
        t = lines.join('\n');
        break;
      case 3:
        lines.splice(li, 1);
        t = lines.join('\n');
        break;
      case 4:
        lines[li] = (rnd() < 0.5 ? '  ' : '') + lines[li].replace(/^ {1,2}/, rnd() < 0.5 ? '' : '    ');
        t = lines.join('\n');
        break;
      case 5:
        lines[li] = lines[li].replace(
          /: .*$/,
          `: ${pick(['', '[]', '{}', '-1', 'x/', 'gs://a/b/', 'Mount', '${X}', 'true', '"a"'])}`,
        );
        t = lines.join('\n');
        break;
      case 6:
        t = t.slice(0, pos);
        break;
      default: {
        const other = Math.floor(rnd() * lines.length);
        [lines[li], lines[other]] = [lines[other], lines[li]];
        t = lines.join('\n');
      }
    }
  }
  return t;
}

function inside(text: string, r: Range): boolean {
  const lines = text.split('\n');
  const ok = (p: { line: number; character: number }) =>
    Number.isInteger(p.line) &&
    p.line >= 0 &&
    p.line < lines.length &&
    p.character >= 0 &&
    p.character <= lines[p.line].length;
  const ordered =
    r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
  return ok(r.start) && ok(r.end) && ordered;
}

/**
 * A random task whose resources/envs/config use anchors, aliases and merge keys, in block and flow
 * style. `bad` says whether it surely holds an error a loader must report: a merge source written
 * as a non-mapping literal, or an alias to an anchor that is never defined.
 */
function anchoredTask(rnd: () => number): { text: string; bad: boolean } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  let bad = false;
  const defined: string[] = [];
  const alias = (): string => {
    if (defined.length === 0 || rnd() < 0.1) {
      bad = true;
      return '*x';
    }
    return `*${pick(defined)}`;
  };
  const scalar = () => pick(['1', '2+', 'yes', 'null', '"s"', 'A100:1', 'x']);
  const mergeValue = (depth: number): string => {
    const r = rnd();
    if (r < 0.3) return alias();
    if (r < 0.5) return `[${Array.from({ length: 1 + Math.floor(rnd() * 3) }, alias).join(', ')}]`;
    if (r < 0.65) return flowMap(depth + 1);
    bad = true;
    return pick(['5', '[1]', 'null', '"s"', '[{a: 1}, 2]']);
  };
  const value = (depth: number): string => {
    const r = rnd();
    if (depth > 3 || r < 0.35) return scalar();
    if (r < 0.55) return alias();
    if (r < 0.75) return flowMap(depth + 1);
    return `[${Array.from({ length: Math.floor(rnd() * 3) }, () => value(depth + 1)).join(', ')}]`;
  };
  const key = () =>
    defined.length > 0 && rnd() < 0.1 ? `${alias()} ` : pick(['cpus', 'memory', 'A', 'B', 'k']);
  function flowMap(depth: number): string {
    const pairs = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () =>
      rnd() < 0.3 ? `<<: ${mergeValue(depth)}` : `${key()}: ${value(depth)}`,
    );
    return `{${pairs.join(', ')}}`;
  }
  const lines: string[] = ['name: fuzz'];
  for (const top of ['x-a', 'x-b', 'resources', 'envs', 'config']) {
    const anchor = rnd() < 0.7 ? `&${top.slice(-1)} ` : '';
    if (rnd() < 0.5) {
      lines.push(`${top}: ${anchor}${flowMap(0)}`);
    } else {
      lines.push(`${top}: ${anchor}`.trimEnd());
      for (let i = 0; i < 1 + Math.floor(rnd() * 3); i++)
        lines.push(rnd() < 0.35 ? `  <<: ${mergeValue(0)}` : `  ${key()}: ${value(0)}`);
    }
    if (anchor) defined.push(top.slice(-1));
  }
  lines.push('run: echo');
  return { text: `${lines.join('\n')}\n`, bad };
}

describe('task validator fuzz', function () {
  this.timeout(120000);
  it('10,000 mutated examples: no exception, every range inside the document', () => {
    const seeds = exampleFiles().map((f) => fs.readFileSync(f, 'utf8'));
    const rnd = prng(20261122);
    let diagnostics = 0;
    for (let i = 0; i < 10000; i++) {
      const text = mutate(seeds[i % seeds.length], rnd);
      let ds;
      try {
        ds = validateTaskText(text, { localChecks: i % 10 === 0, file: `/nonexistent/fuzz/${i}.yaml` });
      } catch (err) {
        assert.fail(`case ${i} threw ${(err as Error).stack}\n--- input ---\n${text}`);
      }
      for (const d of ds) {
        diagnostics++;
        assert.ok(
          inside(text, d.range),
          `case ${i}: range ${JSON.stringify(d.range)} outside the text (${d.code} ${d.message})\n--- input ---\n${text}`,
        );
        for (const e of d.fix?.edits ?? []) assert.ok(inside(text, e.range), `case ${i}: fix range outside`);
        assert.ok(d.document >= 0 && typeof d.path === 'string' && (d.path === '' || d.path.startsWith('/')));
      }
    }
    assert.ok(diagnostics > 10000, `mutations should produce many diagnostics, got ${diagnostics}`);
  });

  it('the fast YAML parser agrees with the yaml library (same PyYAML scalar resolution) wherever it does not give up', () => {
    const seeds = exampleFiles().map((f) => fs.readFileSync(f, 'utf8'));
    const rnd = prng(7);
    let fast = 0;
    for (let i = 0; i < 10000; i++) {
      const text = i < seeds.length ? seeds[i] : mutate(seeds[i % seeds.length], rnd);
      const ours = parseFast(text);
      if (!ours) continue;
      fast++;
      const docs = parseAllDocuments(text, { uniqueKeys: true, logLevel: 'silent' });
      const list = Array.isArray(docs) ? docs : [];
      // yaml sometimes reports a duplicate key from the whitespace before it: compare at the key.
      const at = (p: number) => p + (/^\s*/.exec(text.slice(p))?.[0].length ?? 0);
      const theirErrors = list.flatMap((d) => d.errors.map((e) => `${e.code}@${at(e.pos[0])}`));
      const ourErrors = ours.flatMap((d) => d.errors.map((e) => `${e.code}@${e.pos[0]}`));
      assert.deepStrictEqual(ourErrors, theirErrors, `case ${i}: errors differ\n--- input ---\n${text}`);
      if (theirErrors.length > 0) continue;
      assert.deepStrictEqual(
        ours.map((d) => d.value),
        list.map((d) => libraryValue(d)),
        `case ${i}: values differ\n--- input ---\n${text}`,
      );
    }
    assert.ok(fast > 1000, `the fast path should handle many mutations, handled ${fast}`);
  });

  it('5,000 tasks with anchors, aliases and merge keys: a verdict for each, every diagnostic inside the document', () => {
    const rnd = prng(14);
    const seen = new Set<string>();
    let invalid = 0;
    for (let i = 0; i < 5000; i++) {
      const gen = anchoredTask(rnd);
      const text = i % 2 === 0 ? gen.text : mutate(gen.text, rnd);
      let ds;
      try {
        ds = validateTaskText(text, { localChecks: false });
      } catch (err) {
        assert.fail(`case ${i} threw ${(err as Error).stack}\n--- input ---\n${text}`);
      }
      const errors = ds.filter((d) => d.severity === 'error');
      if (errors.length > 0) invalid++;
      for (const d of ds) {
        seen.add(d.code ?? '');
        assert.ok(
          ['error', 'warning', 'information'].includes(d.severity),
          `case ${i}: severity ${d.severity}`,
        );
        assert.ok(
          inside(text, d.range),
          `case ${i}: range ${JSON.stringify(d.range)} outside the text (${d.code} ${d.message})\n--- input ---\n${text}`,
        );
        assert.ok(d.path === '' || d.path.startsWith('/'), `case ${i}: path ${d.path}`);
      }
      // The unmutated text is well-formed YAML: a bad merge source or undefined alias must be reported.
      if (i % 2 === 0 && gen.bad)
        assert.ok(
          errors.some((d) => d.code === 'yaml-merge' || d.code === 'yaml-alias'),
          `case ${i}: no merge/alias error for\n${text}\ngot ${errors.map((d) => d.code).join(', ')}`,
        );
    }
    for (const code of ['yaml-merge', 'yaml-alias', 'yaml', 'duplicate-key'])
      assert.ok(seen.has(code), `the fuzz should reach ${code}; saw ${[...seen].join(', ')}`);
    assert.ok(invalid > 1000 && invalid < 5000, `a mix of verdicts expected, ${invalid} of 5000 invalid`);
  });
});
