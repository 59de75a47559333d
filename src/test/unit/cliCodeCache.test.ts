// The installed `sky-vscode` (dist/cli.js) loads the CLI bundle with a V8 code cache
// (src/cliLoader.ts). The cache may only ever save time: these run the real loader as a fresh
// process and check that a missing, stale, corrupt or unwritable cache never changes what a
// command does.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { REPO_ROOT } from './task/examples.test';
import { makeTestDir } from '../sandbox/proc';

const LOADER = path.join(REPO_ROOT, 'dist', 'cli.js');
const VALID = path.join(REPO_ROOT, 'examples/single-node/task.yaml');

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [LOADER, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SKY_VSCODE_NO_CODE_CACHE: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The bundle's cache files (validate loads no chunk). */
const cacheFiles = (home: string) => {
  const dir = path.join(home, 'sky-vscode', 'v8');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.startsWith('cli-'))
        .map((f) => path.join(dir, f))
    : [];
};

describe('the installed CLI’s code cache', function () {
  this.timeout(60_000);
  before(() => assert.ok(fs.existsSync(LOADER), `${LOADER} is missing: npm run build`));

  it('is written per command after the first run, then reused as it is; output is the same', () => {
    const home = makeTestDir('sky-codecache-');
    const first = run(['validate', '--json', VALID], { XDG_CACHE_HOME: home });
    assert.strictEqual(first.code, 0, first.stderr);
    const files = cacheFiles(home);
    assert.strictEqual(files.length, 1, `one cache file: ${files.join(', ')}`);
    assert.match(path.basename(files[0]), /^cli-[0-9a-f]{16}-validate\.bin$/);
    assert.ok(fs.statSync(files[0]).size > 100_000, 'the cache holds the compiled bundle');
    const before = fs.statSync(files[0]).mtimeMs;
    const second = run(['validate', '--json', VALID], { XDG_CACHE_HOME: home });
    assert.strictEqual(second.code, 0, second.stderr);
    assert.strictEqual(second.stdout, first.stdout);
    // V8 accepted it: an accepted cache is not written again.
    assert.strictEqual(fs.statSync(files[0]).mtimeMs, before);
    const other = run(['--version'], { XDG_CACHE_HOME: home });
    assert.strictEqual(other.code, 0, other.stderr);
    assert.strictEqual(cacheFiles(home).length, 2, 'another command keeps its own cache');
  });

  it('the cache of an earlier build is removed when this build’s is written', () => {
    const home = makeTestDir('sky-codecache-');
    const dir = path.join(home, 'sky-vscode', 'v8');
    fs.mkdirSync(dir, { recursive: true });
    const old = path.join(dir, 'cli-0123456789abcdef-validate.bin');
    const otherVerb = path.join(dir, 'cli-0123456789abcdef-exec.bin');
    fs.writeFileSync(old, 'old build');
    fs.writeFileSync(otherVerb, 'old build');
    assert.strictEqual(run(['validate', VALID], { XDG_CACHE_HOME: home }).code, 0);
    assert.ok(!fs.existsSync(old), 'the old build’s validate cache is gone');
    assert.ok(fs.existsSync(otherVerb), 'only the command that ran replaces its own cache');
    assert.strictEqual(cacheFiles(home).length, 2);
  });

  it('a corrupt cache is rejected by V8, the command runs the same, and the cache is written anew', () => {
    const home = makeTestDir('sky-codecache-');
    const clean = run(['validate', '--json', VALID], { XDG_CACHE_HOME: home });
    const [file] = cacheFiles(home);
    fs.writeFileSync(file, Buffer.alloc(4096, 7));
    const r = run(['validate', '--json', VALID], { XDG_CACHE_HOME: home });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(r.stdout, clean.stdout);
    assert.notDeepStrictEqual(fs.readFileSync(file), Buffer.alloc(4096, 7));
  });

  it('a cache folder that cannot be made changes nothing; SKY_VSCODE_NO_CODE_CACHE writes none', () => {
    const base = makeTestDir('sky-codecache-');
    const notADir = path.join(base, 'file');
    fs.writeFileSync(notADir, 'x');
    const r = run(['validate', '--json', VALID], { XDG_CACHE_HOME: notADir });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(r.stderr, '');
    assert.deepStrictEqual(JSON.parse(r.stdout), [{ file: VALID, diagnostics: [] }]);
    const home = path.join(base, 'cache');
    const off = run(['validate', VALID], { XDG_CACHE_HOME: home, SKY_VSCODE_NO_CODE_CACHE: '1' });
    assert.strictEqual(off.code, 0, off.stderr);
    assert.deepStrictEqual(cacheFiles(home), []);
  });

  it('the job’s exit code and stderr pass through the loader unchanged', () => {
    const home = makeTestDir('sky-codecache-');
    const bad = path.join(home, 'bad.yaml');
    fs.writeFileSync(bad, 'resources: {cpus: 1\n');
    const r = run(['validate', bad], { XDG_CACHE_HOME: home });
    assert.strictEqual(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /bad\.yaml/);
  });
});
