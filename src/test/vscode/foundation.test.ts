import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SkyExtensionApi } from '../../extension';

const EXTENSION_ID = 'sky-vscode.sky-vscode';

async function activated(): Promise<{ ext: vscode.Extension<SkyExtensionApi>; api: SkyExtensionApi }> {
  const ext = vscode.extensions.getExtension<SkyExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  const api = await ext.activate();
  return { ext, api };
}

describe('foundation: the extension in a real VS Code', () => {
  it('activates and returns its API', async () => {
    const { ext, api } = await activated();
    assert.strictEqual(ext.isActive, true);
    assert.strictEqual(typeof api.setUi, 'function');
  });

  it('registers its commands', async () => {
    await activated();
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of [
      'sky.launchTask',
      'sky.execTask',
      'sky.validateTask',
      'sky.refreshStorage',
      'sky.openConfig',
    ]) {
      assert.ok(all.has(id), `${id} is registered`);
    }
  });

  it('contributes the Sky views, settings and yamlValidation', async () => {
    const { ext } = await activated();
    const pkg = ext.packageJSON as {
      contributes: {
        views: Record<string, { id: string }[]>;
        yamlValidation: { fileMatch: string; url: string }[];
        configuration: { properties: Record<string, unknown> };
      };
    };
    const views = pkg.contributes.views.sky.map((v) => v.id);
    assert.deepStrictEqual(views, ['sky.storage', 'sky.clusters']);
    const globs = pkg.contributes.yamlValidation.map((y) => y.fileMatch);
    assert.deepStrictEqual(globs.sort(), ['**/*.sky.yaml', '**/sky/*.yaml', '**/task.yaml']);
    for (const y of pkg.contributes.yamlValidation) {
      assert.ok(fs.existsSync(path.join(ext.extensionPath, y.url)), `${y.url} exists`);
    }
    assert.ok('sky.storage.pageSize' in pkg.contributes.configuration.properties);
    // The Storage view can be focused: it is a real registered view.
    await vscode.commands.executeCommand('sky.storage.focus');
  });

  it('Sky: Open Config creates the config file in SKY_VSCODE_HOME and opens it', async () => {
    await activated();
    const home = process.env.SKY_VSCODE_HOME;
    assert.ok(home, 'the tier sets SKY_VSCODE_HOME');
    const file = path.join(home, 'config.yaml');
    // The tier's config points at the sandbox; other tests need it back afterwards.
    const saved = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
    fs.rmSync(file, { force: true });
    try {
      await vscode.commands.executeCommand('sky.openConfig');
      assert.ok(fs.existsSync(file));
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
      assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, file);
      assert.match(fs.readFileSync(file, 'utf8'), /strictHostKeyChecking/);
      // An existing file is opened, never overwritten.
      fs.writeFileSync(file, '# mine\n');
      await vscode.commands.executeCommand('sky.openConfig');
      assert.strictEqual(fs.readFileSync(file, 'utf8'), '# mine\n');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      if (saved) fs.writeFileSync(file, saved, { mode: 0o600 });
      else fs.rmSync(file, { force: true });
    }
  });
});
