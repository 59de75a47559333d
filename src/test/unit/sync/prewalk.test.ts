// The sync's local walk on a worker thread (engine/sync/prewalk.ts): the same tree as walking here,
// the same errors (code, message, hint), and really off this thread.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { walkLocalTree } from '../../../engine/sync/localTree';
import { walkInBackground } from '../../../engine/sync/prewalk';
import { SkyError } from '../../../engine/util/errors';
import { makeTestDir } from '../../sandbox/proc';

function tree(): string {
  const root = makeTestDir('sky-prewalk-');
  for (let i = 0; i < 50; i++) {
    fs.mkdirSync(path.join(root, `d${i % 5}`), { recursive: true });
    fs.writeFileSync(path.join(root, `d${i % 5}`, `f${i}.${i % 10 ? 'txt' : 'log'}`), `${i}\n`);
  }
  fs.writeFileSync(path.join(root, '.gitignore'), '*.log\n');
  fs.symlinkSync('d0', path.join(root, 'link'));
  return root;
}

describe('the sync’s background walk', () => {
  it('returns the tree walkLocalTree returns, exclusions included', async () => {
    const root = tree();
    assert.deepStrictEqual(await walkInBackground({ root }), walkLocalTree(root));
    const git = await walkInBackground({ root, excludeGit: true });
    assert.strictEqual(git.excluded.length, 5);
  });

  it('walks on a worker thread: this thread’s file system calls are not used', async () => {
    const root = tree();
    // The module object itself (the import above is a read-only view of it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const realFs = require('fs') as { lstatSync: unknown };
    const lstat = realFs.lstatSync;
    realFs.lstatSync = () => {
      throw new Error('walked on the main thread');
    };
    try {
      assert.throws(() => walkLocalTree(root), /walked on the main thread/);
      const t = await walkInBackground({ root });
      assert.strictEqual(t.entries.filter((e) => e.type === 'f').length, 46); // 45 .txt and the .gitignore
    } finally {
      realFs.lstatSync = lstat;
    }
  });

  it('an unreadable rule file is the same SkyError, with its hint, as in-process', async () => {
    const root = tree();
    fs.rmSync(path.join(root, '.gitignore'));
    fs.mkdirSync(path.join(root, '.gitignore'));
    let inline: unknown;
    try {
      walkLocalTree(root);
    } catch (err) {
      inline = err;
    }
    await assert.rejects(walkInBackground({ root }), (err: unknown) => {
      assert.ok(err instanceof SkyError && inline instanceof SkyError);
      assert.strictEqual(err.code, 'sync-rules');
      assert.strictEqual(err.message, inline.message);
      assert.strictEqual(err.hint, inline.hint);
      return true;
    });
  });
});
