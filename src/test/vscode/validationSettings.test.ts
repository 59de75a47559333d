// The validation settings change what the editor underlines (README "Settings"; docs/reference.md):
// sky.validation.schemaDiagnostics `never` drops the schema-level findings and keeps SkyPilot's
// code-level rules, `always` brings them back; sky.validation.localChecks `false` stops checking
// that workdir and local file_mount sources exist.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { api } from './extensionApi';

/** The codes of Sky's diagnostics on `uri`, sorted, once they equal `want` (published asynchronously). */
async function codesBecome(uri: vscode.Uri, want: string[], ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = vscode.languages
      .getDiagnostics(uri)
      .filter((d) => d.source === 'sky')
      .map((d) => String(d.code))
      .sort();
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    if (Date.now() > deadline) assert.fail(`diagnostic codes ${got.join(',')}, expected ${want.join(',')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const setting = (key: string, value: unknown) =>
  vscode.workspace.getConfiguration('sky.validation').update(key, value, vscode.ConfigurationTarget.Global);

describe('validation settings: schemaDiagnostics and localChecks change the diagnostics', function () {
  this.timeout(60_000);
  let uri: vscode.Uri;
  before(async () => {
    await api();
    // Red Hat YAML is not installed in this tier: `auto` reports schema findings itself.
    assert.strictEqual(vscode.extensions.getExtension('redhat.vscode-yaml'), undefined);
    const file = path.join(process.env.SKY_TEST_WORKSPACE!, 'settings-check', 'task.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      [
        'name: settings',
        'workdir: ./no-such-workdir',
        'file_mounts:',
        '  /ckpt/: ./also-missing',
        'unknwn_top_key: 1',
        'run: echo hi',
        '',
      ].join('\n'),
    );
    uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  });
  after(async () => {
    await setting('schemaDiagnostics', undefined);
    await setting('localChecks', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('schemaDiagnostics: never hides the unknown key but keeps code-level rules; always shows it again', async () => {
    await codesBecome(uri, ['local-missing', 'trailing-slash', 'unknown-key', 'workdir']);
    await setting('schemaDiagnostics', 'never');
    await codesBecome(uri, ['local-missing', 'trailing-slash', 'workdir']);
    await setting('schemaDiagnostics', 'always');
    await codesBecome(uri, ['local-missing', 'trailing-slash', 'unknown-key', 'workdir']);
  });

  it('localChecks: false stops reporting a missing workdir and file_mount source; true reports them again', async () => {
    await setting('schemaDiagnostics', undefined);
    await codesBecome(uri, ['local-missing', 'trailing-slash', 'unknown-key', 'workdir']);
    await setting('localChecks', false);
    await codesBecome(uri, ['trailing-slash', 'unknown-key']);
    await setting('localChecks', true);
    await codesBecome(uri, ['local-missing', 'trailing-slash', 'unknown-key', 'workdir']);
  });
});
