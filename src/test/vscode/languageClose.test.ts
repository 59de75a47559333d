import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

function skyDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'sky');
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe('task.yaml language: diagnostics lifecycle', function () {
  this.timeout(90_000);

  it('clears a file’s diagnostics when the file is closed', async () => {
    await vscode.extensions.getExtension('sky-vscode.sky-vscode')!.activate();
    const dir = path.join(process.env.SKY_TEST_WORKSPACE!, 'close-check');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'task.yaml');
    fs.writeFileSync(file, 'name: close-check\nnum_nodse: 2\nrun: echo hi\n');
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    assert.ok(
      await until(() => skyDiagnostics(uri).length > 0, 10_000),
      'diagnostics appear when the file is open',
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.ok(
      await until(() => skyDiagnostics(uri).length === 0, 60_000),
      'diagnostics are cleared after the file is closed',
    );
  });
});
