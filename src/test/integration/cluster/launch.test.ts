import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../../engine/config/config';
import { launchTask, poolFor } from '../../../engine/launch/run';
import { listJobs } from '../../../engine/launch/jobs';
import { downloadFromNode } from '../../../engine/launch/download';
import { exec } from '../../../engine/ssh/exec';
import { CancellationSource, isCancelledError } from '../../../engine/util/cancellation';
import type { LogSink } from '../../../engine/util/log';
import { sharedSandbox, type Sandbox } from '../../sandbox';

function captureLog(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => lines.push(m);
  return { lines, trace: push, debug: push, info: push, warn: push, error: push };
}

function writeTask(dir: string, yaml: string): string {
  const file = path.join(dir, 'task.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

describe('clusters over SSH: launch and exec on real sshd nodes', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let tmp: string;
  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-launch-'));
  });

  it('launches on 2 nodes: workdir + file_mounts synced, setup then run with every SkyPilot env var, artifacts downloaded byte-identical', async () => {
    const work = path.join(tmp, 'wd');
    fs.mkdirSync(path.join(work, 'src'), { recursive: true });
    fs.writeFileSync(path.join(work, 'src', 'main.sh'), 'echo main\n');
    fs.writeFileSync(path.join(work, '.gitignore'), 'ignored.bin\n');
    fs.writeFileSync(path.join(work, 'ignored.bin'), 'x');
    fs.mkdirSync(path.join(tmp, 'data'));
    fs.writeFileSync(path.join(tmp, 'data', 'd.txt'), 'dataset\n');
    const file = writeTask(
      tmp,
      `name: envcheck
num_nodes: 2
workdir: ./wd
file_mounts:
  ~/mnt/data: ./data
envs:
  GREETING: hello world
secrets:
  TOKEN: null
setup: |
  echo "SETUP rank=$SKYPILOT_SETUP_NODE_RANK ips=$(echo $SKYPILOT_SETUP_NODE_IPS)"
run: |
  for v in SKYPILOT_NODE_RANK SKYPILOT_NUM_NODES SKYPILOT_TASK_ID SKYPILOT_CLUSTER_INFO SKYPILOT_USER SKYPILOT_NUM_GPUS_PER_NODE; do echo "$v=\${!v}"; done
  echo "IPS=$(echo $SKYPILOT_NODE_IPS | tr ' ' ,)"
  echo "PWD=$PWD GREETING=$GREETING"
  echo "token-length=\${#TOKEN}"
  test -f src/main.sh && test ! -e ignored.bin && cat ~/mnt/data/d.txt
  mkdir -p out && head -c 100000 /dev/urandom > out/model-$SKYPILOT_NODE_RANK.bin
`,
    );
    const lines: { node: string; line: string }[] = [];
    const log = captureLog();
    const secret = 'S3cr3t-value-42';
    const r = await launchTask(
      { kind: 'launch', taskFile: file, cluster: 'sky-sbx', secrets: { TOKEN: secret } },
      { config: loadConfig(), log, output: (node, line) => lines.push({ node, line }) },
    );
    assert.strictEqual(r.exitCode, 0, JSON.stringify(lines));
    assert.strictEqual(r.job?.status, 'SUCCEEDED');
    for (const [rank, node] of ['sky-sbx', 'sky-sbx-worker1'].entries()) {
      const out = lines.filter((l) => l.node === node).map((l) => l.line);
      const text = out.join('\n');
      assert.match(text, new RegExp(`SETUP rank=${rank} ips=`));
      assert.match(text, new RegExp(`SKYPILOT_NODE_RANK=${rank}`));
      assert.match(text, /SKYPILOT_NUM_NODES=2/);
      assert.match(
        text,
        new RegExp(
          `SKYPILOT_TASK_ID=sky-\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d{6}_sky-sbx_${r.job!.id}`,
        ),
      );
      assert.match(text, /SKYPILOT_CLUSTER_INFO=\{"cluster_name":"sky-sbx"/);
      assert.match(text, /SKYPILOT_NUM_GPUS_PER_NODE=0/);
      assert.match(text, /PWD=\/home\/skyuser\/sky_workdir GREETING=hello world/);
      assert.match(text, /dataset/);
      assert.match(text, new RegExp(`token-length=${secret.length}`));
      if (sb.mode === 'netns')
        assert.match(text, new RegExp(`IPS=${sb.ssh!.nodes[0].ip},${sb.ssh!.nodes[1].ip}`));
    }
    // The secret never shows up in what we log, and it is not on any command line we ran (env file 0600).
    assert.ok(!log.lines.join('\n').includes(secret));
    const { pool } = poolFor(loadConfig(), {});
    try {
      for (const [rank, node] of sb.ssh!.nodes.entries()) {
        const c = (await pool.get(node.alias)).client;
        const st = await exec(c, `stat -c %a ~/.sky-vscode/jobs/${r.job!.id}/env`);
        assert.strictEqual(st.stdout.trim(), '600');
        const dest = path.join(tmp, `dl-${rank}`);
        const d = await downloadFromNode(c, '~/sky_workdir/out', dest);
        const local = fs.readFileSync(path.join(d.target, `model-${rank}.bin`));
        assert.ok(
          local.equals(fs.readFileSync(path.join(node.home, 'sky_workdir', 'out', `model-${rank}.bin`))),
        );
        assert.strictEqual(local.length, 100000);
      }
      const jobs = await listJobs((await pool.get('sky-sbx')).client);
      assert.strictEqual(jobs.find((j) => j.id === r.job!.id)?.status, 'SUCCEEDED');
      // Every node's setup and run logs are kept on the head under ~/sky_logs/<run>/tasks/.
      const tasks = path.join(sb.ssh!.nodes[0].home, 'sky_logs', r.job!.taskId.split('_')[0], 'tasks');
      assert.deepStrictEqual(fs.readdirSync(tasks).sort(), [
        'run-0-sky-sbx.log',
        'run-1-sky-sbx-worker1.log',
        'setup-0-sky-sbx.log',
        'setup-1-sky-sbx-worker1.log',
      ]);
      const workerRun = fs.readFileSync(path.join(tasks, 'run-1-sky-sbx-worker1.log'), 'utf8');
      assert.match(workerRun, /SKYPILOT_NODE_RANK=1/);
      assert.match(fs.readFileSync(path.join(tasks, 'setup-1-sky-sbx-worker1.log'), 'utf8'), /SETUP rank=1/);
    } finally {
      pool.closeAll();
    }
  });

  it('exec syncs the workdir and runs without setup; launch --no-setup skips setup', async () => {
    fs.mkdirSync(path.join(tmp, 'wd2'));
    fs.writeFileSync(path.join(tmp, 'wd2', 'v.txt'), 'v1\n');
    const file = writeTask(tmp, 'workdir: ./wd2\nsetup: echo SETUP-RAN\nrun: cat v.txt\n');
    const lines: string[] = [];
    const r1 = await launchTask(
      { kind: 'exec', taskFile: file, cluster: 'sky-sbx' },
      { config: loadConfig(), output: (_n, l) => lines.push(l) },
    );
    assert.strictEqual(r1.exitCode, 0);
    assert.deepStrictEqual(lines, ['v1']);
    fs.writeFileSync(path.join(tmp, 'wd2', 'v.txt'), 'v2\n');
    lines.length = 0;
    const r2 = await launchTask(
      { kind: 'launch', taskFile: file, cluster: 'sky-sbx', noSetup: true },
      { config: loadConfig(), output: (_n, l) => lines.push(l) },
    );
    assert.strictEqual(r2.exitCode, 0);
    assert.deepStrictEqual(lines, ['v2']);
    lines.length = 0;
    // Setup runs on every node of the cluster (as SkyPilot), run on num_nodes (1) nodes.
    await launchTask(
      { kind: 'launch', taskFile: file, cluster: 'sky-sbx' },
      { config: loadConfig(), output: (n, l) => lines.push(`${n}:${l}`) },
    );
    assert.deepStrictEqual(lines.sort(), ['sky-sbx-worker1:SETUP-RAN', 'sky-sbx:SETUP-RAN', 'sky-sbx:v2']);
  });

  it('a failing run exits non-zero and a null env must be supplied', async () => {
    const file = writeTask(tmp, 'envs:\n  NEEDED: null\nrun: exit 7\n');
    await assert.rejects(
      launchTask({ kind: 'launch', taskFile: file, cluster: 'sky-sbx' }, { config: loadConfig() }),
      /NEEDED' is None/,
    );
    const r = await launchTask(
      { kind: 'launch', taskFile: file, cluster: 'sky-sbx', env: { NEEDED: '1' } },
      { config: loadConfig() },
    );
    assert.strictEqual(r.exitCode, 7);
    assert.strictEqual(r.job?.status, 'FAILED');
  });

  it('cancel mid-run leaves no process of the job on any node', async () => {
    const file = writeTask(tmp, 'num_nodes: 2\nrun: |\n  echo started\n  sleep 300 & sleep 301\n');
    const source = new CancellationSource();
    const seen = new Set<string>();
    const log = captureLog();
    const p = launchTask(
      { kind: 'launch', taskFile: file, cluster: 'sky-sbx' },
      {
        config: loadConfig(),
        log,
        token: source.token,
        output: (node, line) => {
          if (line === 'started') seen.add(node);
          if (seen.size === 2) source.cancel();
        },
      },
    );
    await assert.rejects(p, (e: unknown) => isCancelledError(e));
    assert.deepStrictEqual(
      log.lines.filter((l) => /Cancelling/.test(l)),
      [],
    );
    const { pool } = poolFor(loadConfig(), {});
    try {
      for (const node of sb.ssh!.nodes) {
        const r = await exec(
          (await pool.get(node.alias)).client,
          'pgrep -u skyuser -f "sleep 30[01]" || true',
        );
        assert.strictEqual(r.stdout.trim(), '', `no job process left on ${node.alias}`);
      }
      const jobs = await listJobs((await pool.get('sky-sbx')).client);
      assert.strictEqual(jobs[jobs.length - 1].status, 'CANCELLED');
    } finally {
      pool.closeAll();
    }
  });
});
