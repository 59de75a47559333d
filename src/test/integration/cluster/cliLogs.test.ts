// `sky-vscode logs` on real sshd nodes: a finished 2-node job's setup and run logs from every node,
// printed and followed, through the engine's one job-log path (launch/follow.ts jobLogs).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../../engine/config/config';
import { launchTask } from '../../../engine/launch/run';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { makeTestDir } from '../../sandbox/proc';
import { CLI } from '../../harness/cli';

describe('sky-vscode logs: a job on 2 real sshd nodes', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let tmp: string;
  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    tmp = makeTestDir('sky-cli-logs-');
  });

  const logs = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, 'logs', '-c', 'sky-sbx', ...args], {
      env: sb.env(),
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('prints and follows setup then run from every node, each line named by its node; a failed run exits 1', async () => {
    const file = path.join(tmp, 'task.yaml');
    fs.writeFileSync(
      file,
      `name: cli-logs
num_nodes: 2
setup: |
  echo "setup on rank $SKYPILOT_SETUP_NODE_RANK"
run: |
  echo "run on rank $SKYPILOT_NODE_RANK"
  echo "second line"
  exit $SKYPILOT_NODE_RANK
`,
    );
    const r = await launchTask(
      { kind: 'launch', taskFile: file, cluster: 'sky-sbx' },
      { config: loadConfig() },
    );
    assert.strictEqual(r.exitCode, 1);
    const [head, worker] = sb.ssh!.nodes.map((n) => n.alias);
    const expected = (rank: number, alias: string) => [
      `(${alias}) run on rank ${rank}`,
      `(${alias}) second line`,
    ];
    const check = (out: string) => {
      const lines = out.split('\n').filter(Boolean);
      // Setup on every node comes before any run line.
      const lastSetup = Math.max(
        ...[head, worker].map((a) => lines.indexOf(`(${a}) setup on rank ${a === head ? 0 : 1}`)),
      );
      const firstRun = Math.min(
        ...[head, worker].map((a) => lines.indexOf(`(${a}) run on rank ${a === head ? 0 : 1}`)),
      );
      assert.ok(lastSetup >= 0 && firstRun > lastSetup, out);
      for (const [rank, alias] of [head, worker].entries()) {
        const mine = lines.filter((l) => l.startsWith(`(${alias}) `) && !l.includes('setup'));
        assert.deepStrictEqual(mine, expected(rank, alias), out);
      }
    };
    // The latest job by default; printed, so the exit code is 0 whatever the job's.
    const printed = logs();
    assert.strictEqual(printed.status, 0, printed.stderr);
    check(printed.stdout);
    assert.match(printed.stderr, new RegExp(`Job ${r.job!.id}: FAILED`));
    // Followed by id: the same lines, and the failed run's exit code makes it exit 1.
    const followed = logs(String(r.job!.id), '--follow');
    assert.strictEqual(followed.status, 1, followed.stderr);
    check(followed.stdout);
  });
});
