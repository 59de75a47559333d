import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { validateTaskFile } from '../../../engine/task';

/** Repository root from out/src/test/unit/task. */
export const REPO_ROOT = path.resolve(__dirname, '../../../../..');

export function exampleFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(REPO_ROOT, 'examples'));
  return out.sort();
}

describe('examples', () => {
  it('every valid example has no error; every invalid one has some', () => {
    const files = exampleFiles();
    assert.ok(files.length >= 8, `examples found: ${files.length}`);
    for (const f of files) {
      const errors = validateTaskFile(f).filter((d) => d.severity === 'error');
      if (f.includes(`${path.sep}invalid${path.sep}`)) assert.ok(errors.length > 0, `${f} should be invalid`);
      else
        assert.deepStrictEqual(
          errors.map((d) => `${d.range.start.line + 1}: ${d.message}`),
          [],
          f,
        );
    }
  });
});
