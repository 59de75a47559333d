import * as assert from 'assert';
import { resolvePlain } from '../../../engine/task/fastYaml';
import { parseTaskYaml } from '../../../engine/task/yamlDoc';
import { expectNone, expectOne } from './helpers';

describe('YAML 1.1 scalars (SkyPilot loads task files with PyYAML)', () => {
  it('resolves plain scalars like PyYAML', () => {
    const cases: Array<[string, unknown]> = [
      ['yes', true],
      ['No', false],
      ['on', true],
      ['OFF', false],
      ['y', 'y'],
      ['0777', 511],
      ['08', '08'],
      ['1_000', 1000],
      ['1:30', 90],
      ['0x1F', 31],
      ['0b101', 5],
      ['1e3', '1e3'],
      ['1.0e+3', 1000],
      ['.5', 0.5],
      ['-.inf', -Infinity],
      ['~', null],
      ['2024-01-01', '2024-01-01'],
    ];
    for (const [s, want] of cases) assert.deepStrictEqual(resolvePlain(s), want, s);
  });

  it('both parsers (fast path and library fallback) resolve the same way', () => {
    const fast = parseTaskYaml('a: yes\nb: 0777\n');
    const slow = parseTaskYaml('a: yes\nb: 0777\nc: &x 1\nd: *x\n'); // the alias forces the library
    assert.strictEqual(fast.parser, 'fast');
    assert.strictEqual(slow.parser, 'yaml');
    assert.deepStrictEqual(fast.documents[0].value, { a: true, b: 511 });
    assert.deepStrictEqual(slow.documents[0].value, { a: true, b: 511, c: 1, d: 1 });
  });

  it('yes/no booleans validate as booleans, as in SkyPilot', () => {
    expectNone('resources:\n  use_spot: yes\nfile_mounts:\n  /d: {name: b-1, persistent: no}\n');
    expectOne('resources:\n  use_spot: maybe\n', 'type', '/resources/use_spot');
  });
});
