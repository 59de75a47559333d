import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { check, expectNone, expectOne } from './helpers';
import { makeTestDir } from '../../sandbox/proc';

describe('task local checks', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = makeTestDir('sky-task-');
    fs.mkdirSync(path.join(dir, 'code'));
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'data', 'a.txt'), 'a');
    fs.writeFileSync(path.join(dir, 'single.bin'), 'x');
    file = path.join(dir, 'task.yaml');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const on = () => ({ file, localChecks: true });

  it('workdir relative to the task file must be a directory', () => {
    expectNone('workdir: code\n', undefined, on());
    expectNone('workdir: ./code\n', undefined, on());
    assert.match(
      expectOne('workdir: nope\n', 'workdir', '/workdir', on()).message,
      /Workdir must be a valid directory.*not found/,
    );
    assert.match(expectOne('workdir: single.bin\n', 'workdir', '/workdir', on()).message, /is a file/);
    expectNone('workdir: nope\n', undefined, { file, localChecks: false });
  });

  it('workdir and sources use $VAR substitution and ~ expansion', () => {
    expectNone('envs: {D: code}\nworkdir: $D\n', undefined, on());
    const rel = path.relative(os.homedir(), dir);
    if (!rel.startsWith('..')) expectNone(`workdir: ~/${rel}/code\n`, undefined, on());
    expectOne('workdir: ~/surely-not-here-sky-vscode\n', 'workdir', '/workdir', on());
  });

  it('string mount sources must exist (skypilot: placeholders exempt)', () => {
    expectNone('file_mounts:\n  /d: data\n  /e: ./single.bin\n  /f: skypilot:placeholder\n', undefined, on());
    expectOne('file_mounts:\n  /d: missing-dir\n', 'local-missing', '/file_mounts/~1d', on());
  });

  it('storage sources: exist, directory for a single source, list for files', () => {
    expectNone('file_mounts:\n  /m: {name: b-1, source: data}\n', undefined, on());
    expectNone('file_mounts:\n  /m: {name: b-1, source: [single.bin, data]}\n', undefined, on());
    const y = 'file_mounts:\n  /m:\n    name: b-1\n    source: single.bin\n';
    const d = expectOne(y, 'single-file-source', '/file_mounts/~1m/source', on());
    assert.match(d.message, /source: \[single\.bin\]/);
    assert.strictEqual(d.fix?.edits[0].newText, '[single.bin]');
    expectOne(
      'file_mounts:\n  /m: {name: b-1, source: [data, nope.txt]}\n',
      'local-missing',
      '/file_mounts/~1m/source/1',
      on(),
    );
    assert.strictEqual(check(y, { file, localChecks: false }).length, 0);
  });
});
