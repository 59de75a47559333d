import * as assert from 'assert';
import { validateTaskText } from '../../../engine/task/validate';
import type { Diagnostic } from '../../../engine/task/diagnostic';
import { parseTaskYaml } from '../../../engine/task/yamlDoc';
import { check, expectOne, underlined } from './helpers';

/** The one error diagnostic of a text (fails listing them all otherwise). */
function onlyError(yaml: string): Diagnostic {
  const errors = check(yaml).filter((d) => d.severity === 'error');
  assert.strictEqual(
    errors.length,
    1,
    `expected one error, got:\n${errors.map((d) => `  ${d.code} ${d.path} ${d.message}`).join('\n')}`,
  );
  return errors[0];
}

function valueOf(yaml: string): unknown {
  return parseTaskYaml(yaml).documents[0].value;
}

describe('YAML errors at their node', () => {
  describe('merge keys', () => {
    it('<<: 5 is an error at that key, underlining the value', () => {
      const y = 'name: x\nresources:\n  <<: 5\n  cpus: 2\n';
      const d = onlyError(y);
      assert.strictEqual(d.code, 'yaml-merge');
      assert.strictEqual(d.path, '/resources/<<');
      assert.deepStrictEqual(d.range, { start: { line: 2, character: 6 }, end: { line: 2, character: 7 } });
      assert.match(d.message, /merge key '<<' takes a mapping or a list of mappings.*the number 5/);
    });

    it('at the top level, in a flow mapping, <<: null, an empty <<:, and an alias to a scalar', () => {
      assert.strictEqual(onlyError('<<: 5\nrun: x\n').path, '/<<');
      assert.strictEqual(onlyError('resources: {<<: 5}\n').path, '/resources/<<');
      const n = onlyError('resources:\n  <<: null\n');
      assert.strictEqual(n.path, '/resources/<<');
      assert.match(n.message, /this is null/);
      const y = 'resources:\n  <<:\n  cpus: 1\n';
      const e = onlyError(y);
      assert.strictEqual(e.path, '/resources/<<');
      assert.strictEqual(underlined(y, e), '<<'); // nothing to underline after the colon
      const a = 'name: &n x\nresources:\n  <<: *n\n';
      const s = onlyError(a);
      assert.strictEqual(s.path, '/resources/<<');
      assert.strictEqual(underlined(a, s), '*n');
    });

    it('<<: [1] and a list with one bad item point at the item', () => {
      const y = 'b: &b {cpus: 1}\nresources:\n  <<: [*b, {memory: 2}, 3]\n';
      const d = expectOne(y, 'yaml-merge', '/resources/<</2');
      assert.strictEqual(underlined(y, d), '3');
      assert.match(d.message, /item 2 of this list is the number 3/);
      expectOne('resources:\n  <<: [1]\n', 'yaml-merge', '/resources/<</0');
      const viaAlias = 'l: &l [1]\nresources:\n  <<: *l\n';
      assert.strictEqual(underlined(viaAlias, expectOne(viaAlias, 'yaml-merge', '/resources/<<')), '*l');
    });

    it('merges as PyYAML does: own keys win, then earlier sources, and a later << over an earlier one', () => {
      const y =
        'b: &b {cpus: 4, memory: 8}\nc: &c {cpus: 2, disk_size: 9}\nresources:\n  <<: [*c, *b]\n  memory: 1\n';
      assert.deepStrictEqual((valueOf(y) as Record<string, unknown>).resources, {
        cpus: 2,
        memory: 1,
        disk_size: 9,
      });
      const twice = 'r: &r {cpus: 1, memory: 2}\nresources:\n  <<: *r\n  <<: {cpus: 3}\n';
      assert.deepStrictEqual((valueOf(twice) as Record<string, unknown>).resources, { cpus: 3, memory: 2 });
      // A quoted "<<" is an ordinary key.
      expectOne('resources:\n  "<<": {cpus: 1}\n', 'unknown-key', '/resources/<<');
    });

    it('nested merges resolve, with PyYAML scalars even through aliases (y and 1e3 stay strings)', () => {
      const y =
        'x-base: &base {cpus: "2+", use_spot: yes, labels: {team: y, size: 1e3}}\n' +
        'x-gpu: &gpu\n  <<: *base\n  accelerators: A100:1\nresources:\n  <<: *gpu\n';
      assert.deepStrictEqual((valueOf(y) as Record<string, unknown>).resources, {
        cpus: '2+',
        use_spot: true,
        labels: { team: 'y', size: '1e3' },
        accelerators: 'A100:1',
      });
      assert.deepStrictEqual(
        check(y).filter((d) => !d.path.startsWith('/x-')),
        [],
        'a valid merged resources block',
      );
    });
  });

  describe('anchors and aliases', () => {
    it('an undefined alias is an error at the alias', () => {
      const y = 'name: x\nrun: *nope\n';
      const d = onlyError(y);
      assert.strictEqual(d.code, 'yaml-alias');
      assert.strictEqual(d.path, '/run');
      assert.strictEqual(underlined(y, d), '*nope');
    });

    it('a node that contains itself is an error at the inner alias', () => {
      const d = onlyError('envs: &e\n  A: *e\n');
      assert.strictEqual(d.code, 'yaml-alias');
      assert.strictEqual(d.path, '/envs/A');
      assert.strictEqual(onlyError('config: &c [1, [*c]]\n').path, '/config/1/0');
    });

    it('a "billion laughs" document stops at the expansion limit', () => {
      let y = 'l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n';
      for (let i = 1; i < 9; i++)
        y += `l${i}: &l${i} [${Array(10)
          .fill(`*l${i - 1}`)
          .join(', ')}]\n`;
      const started = Date.now();
      const ds = check(y);
      assert.ok(Date.now() - started < 20000);
      assert.strictEqual(ds.filter((d) => d.code === 'yaml-alias').length, 1);
    });

    it('an alias to a scalar works as a key; an undefined one is an error there', () => {
      assert.deepStrictEqual(valueOf('x: &k cpus\nresources:\n  *k : 4\n'), {
        x: 'cpus',
        resources: { cpus: 4 },
      });
      const y = 'resources:\n  *nope : 4\n';
      assert.strictEqual(underlined(y, expectOne(y, 'yaml-alias', '/resources')), '*nope');
    });
  });

  it('nesting deeper than SkyPilot can load is an error, not a stack overflow', () => {
    for (const y of [
      `config: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
      `config:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(2 * i + 2)}k:`).join('\n')} 1\n`,
    ]) {
      const ds = validateTaskText(y, { localChecks: false });
      const deep = ds.filter((d) => d.code === 'yaml-depth');
      assert.strictEqual(deep.length, 1, ds.map((d) => d.code).join(','));
      assert.match(deep[0].path, /^\/config\//);
    }
  });

  describe('duplicate keys', () => {
    it('at the pointer of that key and the range of the second occurrence', () => {
      const y = 'name: a\nresources:\n  cpus: 2\n  memory: 4\n  cpus: 4\n';
      const d = expectOne(y, 'duplicate-key', '/resources/cpus');
      assert.deepStrictEqual(d.range, { start: { line: 4, character: 2 }, end: { line: 4, character: 6 } });
      const flow = 'resources: {cpus: 2, "cpus": 4}\n';
      assert.strictEqual(underlined(flow, expectOne(flow, 'duplicate-key', '/resources/cpus')), '"cpus"');
      const list = 'file_mounts:\n  /d:\n    name: b\n    name: c\n';
      assert.strictEqual(expectOne(list, 'duplicate-key', '/file_mounts/~1d/name').range.start.line, 3);
    });

    it('the fast parser and the yaml library report them alike', () => {
      const body = 'resources:\n  cpus: 2\n  cpus: 4\nfile_mounts:\n  /d: {name: b, name: c}\n';
      const fast = 'name: a\n' + body;
      const library = 'name: &n a\n' + body; // an anchor sends the text to the library
      assert.strictEqual(parseTaskYaml(fast).parser, 'fast');
      assert.strictEqual(parseTaskYaml(library).parser, 'yaml');
      const dups = (y: string) => check(y).filter((d) => d.code === 'duplicate-key');
      assert.deepStrictEqual(
        dups(fast).map((d) => d.path),
        ['/resources/cpus', '/file_mounts/~1d/name'],
      );
      assert.deepStrictEqual(dups(library), dups(fast));
    });
  });

  describe('syntax errors', () => {
    it('at the key whose value is broken, with the position yaml found', () => {
      const y = 'resources:\n  cpus: 2\n  accelerators: [V100\n  memory: 4\nrun: x\n';
      const d = check(y).find((x) => x.code === 'yaml');
      assert.ok(d);
      assert.strictEqual(d.path, '/resources/accelerators');
      assert.strictEqual(d.range.start.line, 3);
    });

    it('an unclosed quote, a nested mapping in a compact value, a stray list item', () => {
      const at = (y: string) => check(y).filter((d) => d.code === 'yaml')[0];
      assert.strictEqual(at('resources:\n  cpus: "abc\nrun: x\n').path, '/resources/cpus');
      const y = 'file_mounts:\n  /a:\n    name: b\n    source: s3://x: y\n';
      const d = at(y);
      assert.strictEqual(d.path, '/file_mounts/~1a/source');
      assert.deepStrictEqual(d.range.start, { line: 3, character: 12 });
      assert.strictEqual(at('resources:\n  cpus: 2\n  - x\nrun: x\n').path, '/resources');
      assert.strictEqual(at('resources:\n  cpus: 2\n   memory: 4\nrun: x\n').path, '/resources/cpus');
    });
  });
});
