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
});
