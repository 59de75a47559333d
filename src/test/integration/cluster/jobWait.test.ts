// The job path blocks instead of polling: between "a phase ended on a node" and "the launcher has
// the exit code" nothing sleeps on a fixed interval (the driver, the follows and the launcher's wait
// for the driver block on the phases' locks). Checked without timing: a `sleep` on each node's PATH
// records every call, and a job whose phases last a few seconds must leave no record.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../../engine/config/config';
import { launchTask } from '../../../engine/launch/run';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { makeTestDir } from '../../sandbox/proc';
import { CLI } from '../../harness/cli';

const SPY = '#!/bin/sh\necho "$*" >> "$HOME/sleep-calls"\nexec /usr/bin/sleep "$@"\n';
const PATH_LINE = 'export PATH="$HOME/.sleep-spy:$PATH" # sky-vscode jobWait test\n';

describe('the job path waits on locks, not on sleeps', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let tmp: string;
  const saved = new Map<string, string | undefined>();
  before(async () => {
    sb = await sharedSandbox({ ssh: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    tmp = makeTestDir('sky-jobwait-');
    // Every shell sshd starts for the user (commands run non-interactively source ~/.bashrc on
    // Debian's bash) finds the spy first.
    for (const n of sb.ssh!.nodes) {
      const rc = path.join(n.home, '.bashrc');
      saved.set(rc, fs.existsSync(rc) ? fs.readFileSync(rc, 'utf8') : undefined);
      fs.writeFileSync(rc, PATH_LINE + (saved.get(rc) ?? ''));
      fs.mkdirSync(path.join(n.home, '.sleep-spy'), { recursive: true });
      fs.writeFileSync(path.join(n.home, '.sleep-spy', 'sleep'), SPY, { mode: 0o755 });
      fs.rmSync(path.join(n.home, 'sleep-calls'), { force: true });
    }
  });
  after(() => {
    for (const [rc, text] of saved) {
      if (text === undefined) fs.rmSync(rc, { force: true });
      else fs.writeFileSync(rc, text);
    }
    for (const n of sb.ssh!.nodes) {
      fs.rmSync(path.join(n.home, '.sleep-spy'), { recursive: true, force: true });
      fs.rmSync(path.join(n.home, 'sleep-calls'), { force: true });
    }
  });

  it('a 2-node launch (setup, then run with a different exit code per node): every exit code and line, no sleep on any node', async () => {
    // The spy is on the path the job's own commands see too: prove it is in place first.
    const file = path.join(tmp, 'task.yaml');
    fs.writeFileSync(
      file,
      // `timeout … tail -f /dev/null` waits without calling sleep: each phase lasts 3 seconds.
      `num_nodes: 2
setup: |
  command -v sleep
  timeout 3 tail -f /dev/null
  echo setup-done-$SKYPILOT_SETUP_NODE_RANK
run: |
  timeout 3 tail -f /dev/null
  echo run-done-$SKYPILOT_NODE_RANK
  exit $((SKYPILOT_NODE_RANK + 3))
`,
    );
    const lines: string[] = [];
    const r = await launchTask(
      { kind: 'launch', taskFile: file, cluster: 'sky-sbx' },
      { config: loadConfig(), output: (node, line) => lines.push(`${node}: ${line}`) },
    );
    const text = lines.join('\n');
    assert.match(text, /sky-sbx: \S+\/\.sleep-spy\/sleep/, 'the spy is the sleep the nodes find');
    for (const [rank, alias] of ['sky-sbx', 'sky-sbx-worker1'].entries()) {
      assert.ok(lines.includes(`${alias}: setup-done-${rank}`), text);
      assert.ok(lines.includes(`${alias}: run-done-${rank}`), text);
    }
    assert.deepStrictEqual(r.nodeExitCodes, { 'sky-sbx': 3, 'sky-sbx-worker1': 4 });
    assert.strictEqual(r.exitCode, 3);
    assert.strictEqual(r.job?.status, 'FAILED');
    const head = sb.ssh!.nodes[0].home;
    const onDisk = JSON.parse(
      fs.readFileSync(path.join(head, '.sky-vscode', 'jobs', String(r.job!.id), 'job.json'), 'utf8'),
    ) as { status: string; exitCode: number };
    assert.deepStrictEqual([onDisk.status, onDisk.exitCode], ['FAILED', 3]);
    // Both nodes' run logs are on the head (the driver keeps them before it ends).
    const tasks = path.join(head, 'sky_logs', r.job!.taskId.split('_')[0], 'tasks');
    assert.match(fs.readFileSync(path.join(tasks, 'run-1-sky-sbx-worker1.log'), 'utf8'), /run-done-1/);
    for (const n of sb.ssh!.nodes) {
      const calls = path.join(n.home, 'sleep-calls');
      assert.ok(
        !fs.existsSync(calls),
        `sleep was called on ${n.alias}: ${fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8') : ''}`,
      );
    }
  });

  it('sky-vscode exec --timings prints each phase of the exec on stderr', () => {
    const file = path.join(tmp, 'true.yaml');
    fs.writeFileSync(file, 'run: "true"\n');
    const cli = CLI;
    const r = spawnSync(process.execPath, [cli, 'exec', '-c', 'sky-sbx', '--timings', file], {
      env: sb.env(),
      encoding: 'utf8',
    });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /^Timings: start-up \d+ ms, read task \d+ ms, connect \d+ ms, submit \d+ ms, sync \d+ ms, start \d+ ms, run \d+ ms, finish \d+ ms; total \d+ ms$/m,
    );
  });
});
