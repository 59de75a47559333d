// Cancel in VS Code (README "What it does"; docs/reference.md Clusters view): Sky: Cancel Job on a
// running job in the Clusters view asks first, then stops the job on every node of the sandbox
// cluster; the launch that was following it ends and the Jobs list shows it CANCELLED.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SkyExtensionApi } from '../../extension';
import type { ClusterTreeItem } from '../../services/clusterItems';
import { ScriptedUi } from '../../ui/scriptedUi';
import type { LaunchResult } from '../../engine/launch/run';
import { makeTestDir } from '../sandbox/proc';
import { processesWith } from '../harness/processes';
import { api } from './extensionApi';

async function until<T>(
  what: () => string,
  check: () => T | undefined | Promise<T | undefined>,
  ms = 90_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type JobItem = Extract<ClusterTreeItem, { kind: 'job' }>;

async function jobItem(a: SkyExtensionApi, id: number): Promise<JobItem | undefined> {
  a.clusters.session.refresh();
  const cluster = (await a.clusters.tree.getChildren()).find(
    (r) => r.kind === 'cluster' && r.cluster.name === 'sky-sbx',
  );
  if (!cluster) return undefined;
  const jobs = (await a.clusters.tree.getChildren(cluster)).find((c) => c.kind === 'jobs');
  if (!jobs) return undefined;
  return (await a.clusters.tree.getChildren(jobs)).find(
    (j): j is JobItem => j.kind === 'job' && j.job.id === id,
  );
}

describe('cancel in VS Code: Sky: Cancel Job on a running job (sandbox sshd nodes)', function () {
  this.timeout(240_000);
  afterEach(async () => (await api()).setUi(undefined));

  it('Sky: Cancel Job asks, then kills the job on both nodes; the launch ends and the job is CANCELLED', async () => {
    const a = await api();
    const tag = `sleep 6${Math.floor(Math.random() * 900) + 100}`;
    const dir = makeTestDir('sky-cancel-');
    const file = path.join(dir, 'task.yaml');
    fs.writeFileSync(file, `num_nodes: 2\nrun: |\n  echo started\n  ${tag} & ${tag}\n`);
    a.setUi(new ScriptedUi(['sky-sbx', true]));
    const before = a.clusters.terminals.length;
    let ended: { result?: LaunchResult; error?: unknown } | undefined;
    void Promise.resolve(
      vscode.commands.executeCommand<LaunchResult>('sky.launchTask', vscode.Uri.file(file)),
    ).then(
      (result) => (ended = { result }),
      (error: unknown) => (ended = { error }),
    );
    const transcript = () => a.clusters.terminals[before]?.transcript.join('') ?? '';
    await until(
      () => `"started" on both nodes (${transcript()}; ended: ${JSON.stringify(ended)})`,
      () =>
        /\(sky-sbx\)\S* started/.test(transcript()) && /\(sky-sbx-worker1\)\S* started/.test(transcript())
          ? true
          : undefined,
    );
    await until(
      () => `the job's sleeps on both nodes (${processesWith(tag).join('; ')})`,
      () => (processesWith(tag).length >= 4 ? true : undefined),
    );
    const id = Number(/Job (\d+) \(/.exec(transcript())![1]);
    const running = await until(
      () => `job ${id} RUNNING in the Clusters view`,
      async () => {
        const j = await jobItem(a, id);
        return j?.job.status === 'RUNNING' ? j : undefined;
      },
    );

    // Declined: nothing happens.
    const no = new ScriptedUi([false]);
    a.setUi(no);
    await vscode.commands.executeCommand('sky.cancelJob', running);
    no.assertDone();
    assert.ok(processesWith(tag).length >= 4, 'a declined cancel leaves the job running');

    const yes = new ScriptedUi([true]);
    a.setUi(yes);
    await vscode.commands.executeCommand('sky.cancelJob', running);
    yes.assertDone();
    await until(
      () => `no process of job ${id} (${processesWith(tag).join('; ')})`,
      () => (processesWith(tag).length ? undefined : true),
      30_000,
    );
    await until(
      () => 'the launch to end',
      () => ended,
    );
    await until(
      () => `job ${id} CANCELLED in the Clusters view`,
      async () => ((await jobItem(a, id))?.job.status === 'CANCELLED' ? true : undefined),
    );
  });
});
