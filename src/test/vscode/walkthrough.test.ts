import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LaunchResult } from '../../engine/launch/run';
import { ScriptedUi } from '../../ui/scriptedUi';
import { validateTaskText } from '../../engine/task/validate';
import { makeTestDir } from '../sandbox/proc';
import { api } from './extensionApi';

interface Step {
  id: string;
  completionEvents: string[];
}

describe('walkthrough: Get started with Sky, every step completed by its real event', function () {
  this.timeout(180_000);
  afterEach(async () => (await api()).setUi(undefined));

  it('contributes six steps, each completed by a context key the extension sets', () => {
    const pkg = vscode.extensions.getExtension('sky-vscode.sky-vscode')!.packageJSON as {
      contributes: { walkthroughs: { id: string; steps: Step[] }[] };
    };
    const w = pkg.contributes.walkthroughs.find((x) => x.id === 'sky.getStarted');
    assert.ok(w, 'walkthrough sky.getStarted');
    assert.deepStrictEqual(
      w.steps.map((s) => s.id),
      ['task', 'validate', 'stores', 'cluster', 'launch', 'download'],
    );
    for (const s of w.steps) assert.ok(s.completionEvents.length > 0, `${s.id} has a completion event`);
  });

  it('template → validate + hover → stores and cluster → exec → download each set their step’s key', async () => {
    const a = await api();
    // Earlier tests in this extension host may have fired some events already: count from here.
    const from = a.walkthrough.events().length;
    const ws = process.env.SKY_TEST_WORKSPACE!;
    const folder = path.join(ws, `walkthrough-${Date.now()}`);

    // Step 1: Sky: New Task from Template… (the multi-node template) into a new file.
    const rel = path.relative(ws, path.join(folder, 'task.yaml'));
    const ui = new ScriptedUi(['Multi-node', rel]);
    a.setUi(ui);
    const created = (await vscode.commands.executeCommand('sky.newTaskFromTemplate')) as vscode.Uri;
    ui.assertDone();
    assert.ok(created && fs.existsSync(created.fsPath), 'the template was written');
    const text = fs.readFileSync(created.fsPath, 'utf8');
    assert.match(text, /num_nodes:/);
    assert.strictEqual(
      validateTaskText(text, { file: created.fsPath, localChecks: false }).filter(
        (d) => d.severity === 'error',
      ).length,
      0,
    );
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, created.fsPath, 'opened');
    // A second run never overwrites: the same name is refused.
    a.setUi(new ScriptedUi(['Single node', rel]));
    await vscode.commands.executeCommand('sky.newTaskFromTemplate');
    assert.strictEqual(fs.readFileSync(created.fsPath, 'utf8'), text, 'existing file untouched');

    // Step 2: a hover on the task file, and Sky: Validate Task.
    const line = text.split('\n').findIndex((l) => l.startsWith('num_nodes'));
    await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      created,
      new vscode.Position(line, 2),
    );
    await vscode.commands.executeCommand('sky.validateTask');

    // Steps 3 and 4: the tier's config names the sandbox's stores and cluster.
    a.walkthrough.recheck();

    // Step 5: Sky: Exec Task on the sandbox cluster, to its exit code. A dismissed one does not count.
    const quickstart = vscode.Uri.file(path.join(ws, 'quickstart', 'task.yaml'));
    a.setUi(new ScriptedUi([undefined]));
    assert.strictEqual(await vscode.commands.executeCommand('sky.execTask', quickstart), undefined);
    assert.ok(!a.walkthrough.events().slice(from).includes('launched'), 'a dismissed exec completes nothing');
    a.setUi(new ScriptedUi(['sky-sbx', true]));
    const result = (await vscode.commands.executeCommand('sky.execTask', quickstart)) as LaunchResult;
    assert.strictEqual(result?.exitCode, 0);

    // Step 6: download an artifact from a node through the Clusters view's command.
    const roots = await a.clusters.tree.getChildren();
    const cluster = roots.find((r) => r.kind === 'cluster' && r.cluster.name === 'sky-sbx')!;
    const head = (await a.clusters.tree.getChildren(cluster)).find((c) => c.kind === 'node')!;
    const workdir = (await a.clusters.tree.getChildren(head))[0];
    const file = (await a.clusters.tree.getChildren(workdir)).find(
      (c) => c.kind === 'remote' && c.path.endsWith('/train.sh'),
    );
    assert.ok(file, 'train.sh (the quickstart workdir) listed in ~/sky_workdir on the head');
    const dest = makeTestDir('sky-wt-dl-');
    a.clusters.pickFolder = async () => vscode.Uri.file(dest);
    const target = (await vscode.commands.executeCommand('sky.downloadRemote', file)) as string;
    assert.ok(target && fs.existsSync(target), `downloaded to ${target}`);

    assert.deepStrictEqual([...new Set(a.walkthrough.events().slice(from))].sort(), [
      'clustersFound',
      'downloaded',
      'hoverShown',
      'launched',
      'storesFound',
      'taskOpened',
      'validated',
    ]);
  });
});
