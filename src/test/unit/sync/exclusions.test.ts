import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { walkLocalTree } from '../../../engine/sync/localTree';
import { SkyError } from '../../../engine/util/errors';
import { makeTestDir } from '../../sandbox/proc';

function tree(files: Record<string, string>): string {
  const root = makeTestDir('sky-unit-rules-');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('sync exclusions: every excluded path names its rule file, line and pattern', () => {
  it('reports the line of the pattern that decided (comments, blank lines and CRLF counted), after a !negation; a .git file is no rules', () => {
    const root = tree({
      '.gitignore': '# outputs\r\n\r\n*.log\r\n!keep.log\r\nkeep.log.bak\r\n/build\r\n',
      'a.log': '',
      'keep.log': '',
      'build/x': '',
      'sub/.gitignore': '\n\ndata/\n',
      'sub/data/y': '',
      'sub/z.log': '',
      // A .git file (a worktree or submodule): no .git/info/exclude, not an unreadable one.
      '.git': 'gitdir: /elsewhere\n',
    });
    const t = walkLocalTree(root);
    assert.deepStrictEqual(
      t.excluded.map((x) => [x.rel, x.rule.file, x.rule.line, x.rule.pattern]),
      [
        ['a.log', '.gitignore', 3, '*.log'],
        ['build', '.gitignore', 6, '/build'],
        ['sub/data', 'sub/.gitignore', 3, 'data/'],
        ['sub/z.log', '.gitignore', 3, '*.log'],
      ],
    );
    assert.ok(
      t.entries.some((e) => e.rel === 'keep.log'),
      '!keep.log is sent',
    );
  });

  it('.git/info/exclude applies with .gitignore (its file and line reported), and .skyignore replaces both, as in SkyPilot', () => {
    const root = tree({
      '.git/info/exclude': '# local only\nsecret.key\n',
      '.gitignore': '*.log\n',
      'secret.key': 'k',
      'a.log': '',
      'b.txt': '',
    });
    const t = walkLocalTree(root);
    assert.deepStrictEqual(
      t.excluded.map((x) => [x.rel, x.rule.file, x.rule.line, x.rule.pattern]),
      [
        ['a.log', '.gitignore', 1, '*.log'],
        ['secret.key', '.git/info/exclude', 2, 'secret.key'],
      ],
    );
    fs.writeFileSync(path.join(root, '.skyignore'), 'b.txt\n');
    const sky = walkLocalTree(root);
    assert.deepStrictEqual(
      sky.excluded.map((x) => [x.rel, x.rule.file]),
      [['b.txt', '.skyignore']],
    );
    assert.ok(
      sky.entries.some((e) => e.rel === 'secret.key') && sky.entries.some((e) => e.rel === 'a.log'),
      'with a .skyignore, neither .gitignore nor .git/info/exclude applies',
    );
  });

  for (const [what, rel] of [
    ['a .gitignore', '.gitignore'],
    ['a .skyignore', '.skyignore'],
    ['a nested .gitignore', 'sub/.gitignore'],
    ['.git/info/exclude', '.git/info/exclude'],
  ] as const) {
    it(`${what} that is a folder (EISDIR) is an error naming it, not "no rules"`, () => {
      const root = tree({ 'secret.key': 'k', 'sub/x': '' });
      fs.mkdirSync(path.join(root, rel), { recursive: true });
      assert.throws(
        () => walkLocalTree(root),
        (err: unknown) =>
          err instanceof SkyError &&
          err.code === 'sync-rules' &&
          err.message.includes(`Cannot read the exclusion rules in ${path.join(root, rel)} (EISDIR)`) &&
          err.hint === `Make ${path.join(root, rel)} a readable file, or remove it.`,
      );
    });
  }
});
