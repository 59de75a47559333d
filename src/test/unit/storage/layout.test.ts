import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { planUpload } from '../../../engine/storage/transfer';
import { globMatch } from '../../../engine/storage/records';
import type { LogSink } from '../../../engine/util/log';
import { makeTestDir } from '../../sandbox/proc';

describe('storage upload layout and delete globs (real temp folders)', () => {
  let root: string;
  beforeEach(() => {
    root = makeTestDir('sky-layout-');
    fs.mkdirSync(path.join(root, 'data', 'sub'), { recursive: true });
    fs.mkdirSync(path.join(root, 'data', '.git'));
    fs.writeFileSync(path.join(root, 'data', 'a.txt'), 'aa');
    fs.writeFileSync(path.join(root, 'data', 'sub', 'b.txt'), 'bbb');
    fs.writeFileSync(path.join(root, 'data', '.git', 'HEAD'), 'ref');
    fs.symlinkSync(path.join(root, 'data', 'a.txt'), path.join(root, 'data', 'link'));
    fs.writeFileSync(path.join(root, 'top.txt'), 't');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a single directory goes to the bucket root; .git and symlinks are left out with notices', () => {
    const notes: string[] = [];
    const note = (m: string): void => void notes.push(m);
    const log: LogSink = { trace: note, debug: note, info: note, warn: note, error: note };
    const keys = planUpload([path.join(root, 'data')], '', log)
      .map((i) => i.key)
      .sort();
    assert.deepStrictEqual(keys, ['a.txt', 'sub/b.txt']);
    assert.ok(notes.some((n) => n.includes('.git')));
    assert.ok(notes.some((n) => n.includes('Symbolic links')));
  });

  it('a list puts directories under <basename>/ and files at the root; duplicates are refused', () => {
    const plan = planUpload([path.join(root, 'data'), path.join(root, 'top.txt')]);
    assert.deepStrictEqual(plan.map((i) => i.key).sort(), ['data/a.txt', 'data/sub/b.txt', 'top.txt']);
    assert.strictEqual(plan.find((i) => i.key === 'data/sub/b.txt')?.size, 3);
    fs.mkdirSync(path.join(root, 'other', 'data'), { recursive: true });
    assert.throws(() => planUpload([path.join(root, 'data'), path.join(root, 'other', 'data')]), /same name/);
    assert.throws(() => planUpload([path.join(root, 'missing')]), /does not exist/);
  });

  it('delete names are fnmatch globs', () => {
    assert.ok(globMatch('sky-*', 'sky-data'));
    assert.ok(globMatch('b?t', 'bat'));
    assert.ok(!globMatch('b?t', 'boat'));
    assert.ok(!globMatch('a.c', 'abc'));
    assert.ok(globMatch('[ab]x', 'bx'));
    assert.ok(globMatch('[!ab]x', 'cx'));
    assert.ok(!globMatch('[!ab]x', 'ax'));
  });
});
