import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SkyExtensionApi } from '../../extension';
import type { ClusterTreeItem } from '../../views/clusters/clustersTree';
import { ScriptedUi } from '../../ui/scriptedUi';
import type { LaunchResult } from '../../engine/launch/run';
import { makeTestDir } from '../sandbox/proc';

async function api(): Promise<SkyExtensionApi> {
  return vscode.extensions.getExtension<SkyExtensionApi>('sky-vscode.sky-vscode')!.activate();
}

describe('clusters: launch, tree, logs terminal, download (sandbox sshd nodes)', function () {
  this.timeout(120_000);
  afterEach(async () => (await api()).setUi(undefined));

  it('the Clusters tree shows the sandbox cluster, its nodes and a node file browser', async () => {
    const a = await api();
    a.clusters.tree.refresh();
    const roots = await a.clusters.tree.getChildren();
    const cluster = roots.find((r) => r.kind === 'cluster' && r.cluster.name === 'sky-sbx');
    assert.ok(cluster, `sky-sbx in ${JSON.stringify(roots.map((r) => r.kind))}`);
    const children = await a.clusters.tree.getChildren(cluster);
    assert.deepStrictEqual(
      children
        .filter((c) => c.kind === 'node')
        .map((c) => (c as Extract<ClusterTreeItem, { kind: 'node' }>).node.alias),
      ['sky-sbx', 'sky-sbx-worker1'],
    );
    const nodeItems = await a.clusters.tree.getChildren(children[0]);
    assert.deepStrictEqual(
      nodeItems.map((n) => (n.kind === 'remote' ? n.path : n.kind)),
      ['~/sky_workdir', '~'],
    );
    const treeItem = a.clusters.tree.getTreeItem(children[0]);
    assert.strictEqual(treeItem.contextValue, 'node');
  });

  it('Sky: Launch Task runs the quickstart on both nodes with scripted prompts, streams logs to a terminal, and the artifact downloads', async () => {
    const a = await api();
    const ui = new ScriptedUi(['sky-sbx', true]);
    a.setUi(ui);
    const task = vscode.Uri.file(path.join(process.env.SKY_TEST_WORKSPACE!, 'quickstart', 'task.yaml'));
    const before = a.clusters.terminals.length;
    const result = (await vscode.commands.executeCommand('sky.launchTask', task)) as LaunchResult;
    ui.assertDone();
    assert.ok(result, 'the command returned the launch result');
    assert.strictEqual(result.exitCode, 0);
    assert.strictEqual(result.job?.status, 'SUCCEEDED');
    const term = a.clusters.terminals[before];
    const text = term.transcript.join('');
    assert.match(text, /\(sky-sbx\).*node 0 of 2/);
    assert.match(text, /\(sky-sbx-worker1\).*node 1 of 2/);
    assert.match(text, /epoch=3 samples=4/);
    assert.match(text, /SUCCEEDED \(exit code 0\)/);

    // The job is listed under Jobs; logs re-attach.
    const roots = await a.clusters.tree.getChildren();
    const cluster = roots.find((r) => r.kind === 'cluster')!;
    const jobsNode = (await a.clusters.tree.getChildren(cluster)).find((c) => c.kind === 'jobs')!;
    const jobs = await a.clusters.tree.getChildren(jobsNode);
    const job = jobs.find((j) => j.kind === 'job' && j.job.id === result.job!.id);
    assert.ok(job && job.kind === 'job' && job.job.status === 'SUCCEEDED');
    await vscode.commands.executeCommand('sky.showJobLogs', job);
    assert.match(a.clusters.terminals[a.clusters.terminals.length - 1].transcript.join(''), /node 1 of 2/);

    // Download the worker's artifact folder through the context-menu command.
    const worker = (await a.clusters.tree.getChildren(cluster)).find(
      (c) => c.kind === 'node' && c.node.alias === 'sky-sbx-worker1',
    )!;
    const workdir = (await a.clusters.tree.getChildren(worker))[0];
    const outputs = (await a.clusters.tree.getChildren(workdir)).find(
      (c) => c.kind === 'remote' && c.path.endsWith('/outputs'),
    );
    assert.ok(outputs, 'outputs folder listed');
    const dest = makeTestDir('sky-dl-');
    a.clusters.pickFolder = async () => vscode.Uri.file(dest);
    const target = (await vscode.commands.executeCommand('sky.downloadRemote', outputs)) as string;
    assert.strictEqual(target, path.join(dest, 'outputs'));
    assert.match(fs.readFileSync(path.join(target, 'metrics-rank1.txt'), 'utf8'), /epoch=3/);
  });

  it('Sky: Exec Task stops quietly when the cluster pick is dismissed', async () => {
    const a = await api();
    const ui = new ScriptedUi([undefined]);
    a.setUi(ui);
    const task = vscode.Uri.file(path.join(process.env.SKY_TEST_WORKSPACE!, 'quickstart', 'task.yaml'));
    const r = await vscode.commands.executeCommand('sky.execTask', task);
    assert.strictEqual(r, undefined);
    ui.assertDone();
  });
});
