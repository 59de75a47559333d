// What the bundles load by path at run time must be in the .vsix: a file left out by .vscodeignore
// only shows on a user's machine (the worker walk, for one, would quietly fall back in-process).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './task/examples.test';

describe('packaging', () => {
  it('every bundle webpack emits is kept in the .vsix by .vscodeignore', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const webpackConfig = require(path.join(REPO_ROOT, 'webpack.config.js')) as (
      e: unknown,
      a: unknown,
    ) => unknown;
    const configs = webpackConfig({}, { mode: 'production' }) as { entry: Record<string, string> }[];
    const keep = fs
      .readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).trim());
    const names = configs.flatMap((c) => Object.keys(c.entry));
    assert.ok(names.includes('walkWorker') && names.includes('cli-bundle'), names.join(', '));
    for (const name of names)
      assert.ok(keep.includes(`dist/${name}.js`), `.vscodeignore keeps dist/${name}.js`);
  });
});
