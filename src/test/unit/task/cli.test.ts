import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { REPO_ROOT } from './examples.test';
import { makeTestDir } from '../../sandbox/proc';
import { cliEntry } from '../../harness/cli';

/** Runs the real CLI as a child process. */
function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliEntry(), ...args], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sky-vscode validate', function () {
  this.timeout(20000);
  const valid = path.join(REPO_ROOT, 'examples/single-node/task.yaml');
  const invalid = path.join(REPO_ROOT, 'examples/invalid/unknown-keys.yaml');

  it('exit 0 and an empty diagnostics list for a valid file', () => {
    const r = cli(['validate', '--json', valid]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.deepStrictEqual(JSON.parse(r.stdout), [{ file: valid, diagnostics: [] }]);
  });

  it('exit 1 with pointer, document and 0-based range for an invalid file', () => {
    const r = cli(['validate', '--json', '--no-local-checks', invalid]);
    assert.strictEqual(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as Array<{ file: string; diagnostics: Array<Record<string, unknown>> }>;
    assert.strictEqual(out[0].file, invalid);
    const d = out[0].diagnostics.find((x) => x.path === '/resource');
    assert.ok(d);
    assert.strictEqual(d.severity, 'error');
    assert.strictEqual(d.document, 0);
    assert.deepStrictEqual(d.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 8 } });
  });

  it('human output on stderr, exit 2 for an unreadable file', () => {
    const r = cli(['validate', invalid]);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.stdout, '');
    assert.match(r.stderr, /unknown-keys\.yaml:2:1: error: Unknown field 'resource'/);
    assert.strictEqual(cli(['validate', '/nonexistent/task.yaml', valid]).code, 2);
    assert.strictEqual(cli(['validate']).code, 2);
  });

  it('a YAML error the loader hits late (<<: 5) is exit 1 with a line naming where, never a crash', () => {
    const file = path.join(makeTestDir('sky-cli-yaml-'), 'task.yaml');
    fs.writeFileSync(file, 'name: merge\nresources:\n  cpus: 2\n  <<: 5\nrun: echo hi\n');
    const r = cli(['validate', file]);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /task\.yaml:4:7: error: A merge key '<<' takes a mapping .* the number 5\. \[yaml-merge\]/,
    );
    const j = cli(['validate', '--json', file]);
    assert.strictEqual(j.code, 1, j.stderr);
    const out = JSON.parse(j.stdout) as Array<{ diagnostics: Array<{ path: string; code: string }> }>;
    assert.deepStrictEqual(
      out[0].diagnostics.map((d) => [d.code, d.path]),
      [['yaml-merge', '/resources/<<']],
    );
  });
});
