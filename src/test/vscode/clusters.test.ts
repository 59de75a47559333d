import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ClusterTreeItem } from '../../services/clusterItems';
import { ScriptedUi } from '../../ui/scriptedUi';
import type { LaunchResult } from '../../engine/launch/run';
import type { JobTerminal } from '../../ui/jobTerminal';
import { makeTestDir } from '../sandbox/proc';
import { api } from './extensionApi';

/** Polls `check` until it holds; stops early with `failure()`'s error (e.g. a launch that failed). */
async function until(what: string, check: () => boolean, failure: () => unknown, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    const err = failure();
    if (err) throw err;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The lines a job terminal shows for one node of a multi-node job, without the node prefix. */
function nodeLines(term: JobTerminal, node: string): string[] {
  const prefix = new RegExp(`^\\x1b\\[\\d+m\\(${node}\\)\\x1b\\[0m (.*)$`);
  return term.transcript
    .join('')
    .split('\n')
    .map((l) => prefix.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
}

describe('clusters: launch, tree, logs terminal, download (sandbox sshd nodes)', function () {
  this.timeout(120_000);
  afterEach(async () => (await api()).setUi(undefined));

  it('the Clusters tree shows the sandbox cluster, its nodes and a node file browser', async () => {
    const a = await api();
    a.clusters.session.refresh();
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

  it('with the Clusters view open, its timer refreshes and a second launch leave a running launch and its follow-logs terminal intact', async function () {
    this.timeout(300_000);
    const a = await api();
    const nonce = `${process.pid}-${Date.now()}`;
    const flag = `~/.sky-pool-flag-${nonce}`;
    const dir = makeTestDir('sky-pool-');
    // The long job prints five lines, waits (at most 2 min, then exit 9) for the second launch to leave
    // a flag on its node, prints five more and fails with exit code 7: every line and the code must arrive.
    const longTask = path.join(dir, 'long.yaml');
    fs.writeFileSync(
      longTask,
      [
        `name: pool-long-${nonce}`,
        'num_nodes: 2',
        'run: |',
        '  for i in 1 2 3 4 5; do echo "pool-line $i"; done',
        `  for t in $(seq 600); do [ -f ${flag} ] && break; sleep 0.2; done`,
        `  rm ${flag} || exit 9`,
        '  for i in 6 7 8 9 10; do echo "pool-line $i"; done',
        '  exit 7',
        '',
      ].join('\n'),
    );
    const flagTask = path.join(dir, 'flag.yaml');
    fs.writeFileSync(
      flagTask,
      [`name: pool-flag-${nonce}`, 'num_nodes: 2', 'run: |', `  touch ${flag}`, '  echo flagged', ''].join(
        '\n',
      ),
    );
    const expected = Array.from({ length: 10 }, (_, i) => `pool-line ${i + 1}`);
    const poolLines = (t: JobTerminal, node: string) =>
      nodeLines(t, node).filter((l) => l.startsWith('pool-line'));

    let refreshes = 0;
    const counting = a.clusters.tree.onDidChangeTreeData((e) => e === undefined && refreshes++);
    let launchError: unknown;
    try {
      // The view's own timer, shortened, through its visibility wiring.
      a.clusters.setRefreshPeriod(500);
      await vscode.commands.executeCommand('sky.clusters.focus');
      await until(
        'the visible Clusters view to refresh itself',
        () => refreshes >= 1,
        () => undefined,
        60_000,
      );

      const uiLong = new ScriptedUi(['sky-sbx', true]);
      a.setUi(uiLong);
      const before = a.clusters.terminals.length;
      const long = Promise.resolve(
        vscode.commands.executeCommand('sky.launchTask', vscode.Uri.file(longTask)) as Thenable<LaunchResult>,
      );
      long.catch((err: unknown) => (launchError = err ?? new Error('the launch failed')));
      const failed = () => launchError;
      await until('the launch terminal', () => a.clusters.terminals.length > before, failed);
      const launchTerm = a.clusters.terminals[before];
      const halfway = (t: JobTerminal) =>
        ['sky-sbx', 'sky-sbx-worker1'].every((n) => poolLines(t, n).includes('pool-line 5'));
      await until('the first five lines on both nodes', () => halfway(launchTerm), failed);
      uiLong.assertDone();

      // Follow logs from the Jobs list, as a user clicks the running job.
      const roots = await a.clusters.tree.getChildren();
      const cluster = roots.find((r) => r.kind === 'cluster' && r.cluster.name === 'sky-sbx')!;
      const jobsNode = (await a.clusters.tree.getChildren(cluster)).find((c) => c.kind === 'jobs')!;
      const jobs = await a.clusters.tree.getChildren(jobsNode);
      const job = jobs.find((j) => j.kind === 'job' && j.job.name === `pool-long-${nonce}`);
      assert.ok(
        job && job.kind === 'job' && job.job.status === 'RUNNING',
        `the running job in ${JSON.stringify(jobs.map((j) => (j.kind === 'job' ? j.job.name : j)))}`,
      );
      const logsAt = a.clusters.terminals.length;
      const logs = Promise.resolve(vscode.commands.executeCommand('sky.showJobLogs', job));
      let logsError: unknown;
      logs.catch((err: unknown) => (logsError = err ?? new Error('following the logs failed')));
      await until(
        'the logs terminal',
        () => a.clusters.terminals.length > logsAt,
        () => logsError ?? launchError,
      );
      const logsTerm = a.clusters.terminals[logsAt];
      await until(
        'the first five lines in the logs terminal',
        () => halfway(logsTerm),
        () => logsError ?? launchError,
      );

      // Two more timer refreshes and the view's refresh command while both stream.
      const mark = refreshes;
      await until(
        'two refreshes of the view',
        () => refreshes >= mark + 2,
        () => logsError ?? launchError,
      );
      await vscode.commands.executeCommand('sky.refreshClusters');

      // A second launch (it resets the session too) leaves the flag the first job waits for.
      const uiFlag = new ScriptedUi(['sky-sbx', true]);
      a.setUi(uiFlag);
      const flagged = (await vscode.commands.executeCommand(
        'sky.launchTask',
        vscode.Uri.file(flagTask),
      )) as LaunchResult;
      uiFlag.assertDone();
      assert.strictEqual(flagged.exitCode, 0);

      const result = await long;
      await logs;
      assert.ok(refreshes >= mark + 2);
      assert.strictEqual(result.exitCode, 7);
      assert.strictEqual(result.job?.status, 'FAILED');
      assert.deepStrictEqual(result.nodeExitCodes, { 'sky-sbx': 7, 'sky-sbx-worker1': 7 });
      for (const [term, end] of [
        [launchTerm, /FAILED \(exit code 7\)/],
        [logsTerm, new RegExp(`Job ${result.job!.id} \\(exit code 7\\)`)],
      ] as const) {
        for (const node of ['sky-sbx', 'sky-sbx-worker1'])
          assert.deepStrictEqual(poolLines(term, node), expected, `${node} in ${term.transcript.join('')}`);
        assert.match(term.transcript.join(''), end);
      }
    } finally {
      counting.dispose();
      a.clusters.setRefreshPeriod(15_000);
    }
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
