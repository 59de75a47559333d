// Secrets substituted into a task never reach the CLI's output, even when a rule quotes the
// substituted value: the real CLI runs as a fresh process (nothing registered before it starts).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { REPO_ROOT } from './examples.test';
import { makeTestDir } from '../../sandbox/proc';
import { cliEntry } from '../../harness/cli';

function cli(args: string[], home: string): { code: number | null; all: string } {
  const r = spawnSync(process.execPath, [cliEntry(), ...args], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    env: { ...process.env, SKY_VSCODE_HOME: home },
  });
  return { code: r.status, all: `${r.stdout}\n${r.stderr}` };
}

describe('secrets never reach the CLI output', function () {
  this.timeout(30_000);
  const tmp = makeTestDir('sky-unit-secrets-');
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home);
  // An invalid S3 bucket name (upper case, underscores): the name rule quotes it in its message.
  const secret = 'Hush_Secret_Bucket_42';
  const mount = 'file_mounts:\n  /data:\n    name: $BUCKET\n    store: s3\nrun: echo hi\n';

  it('launch --secret: the task error that quotes the substituted bucket name masks it', () => {
    const file = path.join(tmp, 'launch.yaml');
    fs.writeFileSync(file, `secrets:\n  BUCKET: null\n${mount}`);
    const r = cli(['launch', '-c', 'nowhere', file, '--secret', `BUCKET=${secret}`], home);
    assert.strictEqual(r.code, 1, r.all);
    assert.match(r.all, /The task is invalid .*\n.*Invalid S3 bucket name '\*\*\*\*'/);
    assert.ok(!r.all.includes(secret), r.all);
  });

  it('a --secret without a key is refused without printing its value', () => {
    const file = path.join(tmp, 'launch.yaml');
    const r = cli(['launch', '-c', 'nowhere', file, '--secret', `=${secret}`], home);
    assert.strictEqual(r.code, 2, r.all);
    assert.match(r.all, /--secret takes KEY=VALUE/);
    assert.ok(!r.all.includes(secret), r.all);
  });

  it('validate (human and --json): a secret from the task file is masked in the messages', () => {
    const file = path.join(tmp, 'validate.yaml');
    fs.writeFileSync(file, `secrets:\n  BUCKET: ${secret}\n${mount}`);
    const human = cli(['validate', file], home);
    assert.strictEqual(human.code, 1, human.all);
    assert.match(human.all, /Invalid S3 bucket name '\*\*\*\*'/);
    assert.ok(!human.all.includes(secret), human.all);
    const json = cli(['validate', '--json', file], home);
    assert.strictEqual(json.code, 1, json.all);
    assert.ok(!json.all.includes(secret), json.all);
  });
});
