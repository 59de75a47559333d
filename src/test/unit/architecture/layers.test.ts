import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ESLint } from 'eslint';
import { importCircles, importGraph } from './importGraph';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..', '..');
const SRC = path.join(ROOT, 'src');

/** The project's own ESLint config on a snippet placed at `file`: the restricted-import messages. */
async function restricted(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [r] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layers', function () {
  this.timeout(120_000);

  const refused: [string, string, RegExp][] = [
    ['src/engine/launch/x.ts', 'vscode', /must not import vscode/],
    ['src/engine/launch/x.ts', '../../commands/register', /must not import a front end/],
    ['src/engine/storage/x.ts', '../../views/storage/storageTree', /must not import a front end/],
    ['src/engine/storage/x.ts', '../../services/storageSession', /must not import a front end/],
    ['src/engine/x.ts', '../cli/output', /must not import a front end/],
    ['src/cli/x.ts', 'vscode', /must not import vscode/],
    ['src/cli/x.ts', '../services/clusterSession', /must not import the extension/],
    ['src/cli/x.ts', '../commands/storage/delete', /must not import the extension/],
    ['src/commands/storage/x.ts', '../../views/storage/storageTree', /must not import a view/],
    ['src/commands/cluster/x.ts', '../../views/clusters/clustersTree', /must not import a view/],
    ['src/services/x.ts', '../views/storage/storageTree', /must not import a view/],
  ];
  for (const [file, spec, why] of refused)
    it(`lint refuses ${spec} in ${file}`, async () => {
      const messages = await restricted(file, `import * as m from '${spec}';\nexport const x = m;\n`);
      assert.ok(
        messages.some((m) => why.test(m)),
        `no matching no-restricted-imports message: ${messages.join(' | ')}`,
      );
    });

  const allowed: [string, string][] = [
    ['src/engine/launch/x.ts', '../storage/store'],
    ['src/cli/x.ts', '../engine/launch/run'],
    ['src/commands/storage/x.ts', '../../services/storageSession'],
    ['src/commands/storage/x.ts', 'vscode'],
    ['src/views/storage/x.ts', '../../services/storageSession'],
  ];
  for (const [file, spec] of allowed)
    it(`lint lets ${file} import ${spec}`, async () => {
      assert.deepStrictEqual(
        await restricted(file, `import * as m from '${spec}';\nexport const x = m;\n`),
        [],
      );
    });

  it('the front ends have no import circle (type-only imports count)', () => {
    const frontEnds = ['cli', 'commands', 'views', 'services', 'ui', 'schema', 'walkthrough'].map((d) =>
      path.join(SRC, d),
    );
    const circles = importCircles(importGraph(SRC)).filter((c) =>
      c.some((f) => frontEnds.some((d) => f.startsWith(d + path.sep)) || path.dirname(f) === SRC),
    );
    assert.deepStrictEqual(
      circles.map((c) => c.map((f) => path.relative(ROOT, f))),
      [],
    );
  });

  it('every command id is bound in commands/bindings.ts, and only there', () => {
    const bindings = fs.readFileSync(path.join(SRC, 'commands', 'bindings.ts'), 'utf8');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string }[] };
    };
    for (const { command } of pkg.contributes.commands)
      assert.ok(bindings.includes(`bind('${command}'`), `${command} is not bound in commands/bindings.ts`);
    const elsewhere = [...importGraph(SRC).keys()].filter(
      (f) =>
        !f.endsWith(path.join('commands', 'bindings.ts')) &&
        !f.endsWith(path.join('commands', 'register.ts')) &&
        /\b(registerCommand|vscode\.commands\.registerCommand)\(/.test(fs.readFileSync(f, 'utf8')),
    );
    assert.deepStrictEqual(
      elsewhere.map((f) => path.relative(ROOT, f)),
      [],
    );
  });

  it('no source file outside the tests is over 600 lines', () => {
    const long = [...importGraph(SRC).keys()]
      .map((f) => ({ f: path.relative(ROOT, f), lines: fs.readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((x) => x.lines > 600);
    assert.deepStrictEqual(long, []);
  });
});
