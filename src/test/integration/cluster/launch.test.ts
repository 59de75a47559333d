import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../../engine/config/config';
import { launchTask } from '../../../engine/launch/run';
import { poolFor } from '../../../engine/cluster/pool';
import { listJobs } from '../../../engine/launch/jobs';
import { downloadFromNode } from '../../../engine/launch/download';
import { exec } from '../../../engine/ssh/exec';
import { CancellationSource, isCancelledError } from '../../../engine/util/cancellation';
import type { LogSink } from '../../../engine/util/log';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { makeTestDir } from '../../sandbox/proc';
import { CLI } from '../../harness/cli';

function captureLog(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => lines.push(m);
  return { lines, trace: push, debug: push, info: push, warn: push, error: push };
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
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
    tmp = makeTestDir('sky-launch-');
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
  describe('the job driver on the head: the job goes on without its launcher', () => {
    const sandboxEnv = () => sb.env();
    before(function () {
      // The head reaches workers at the address they report; in loopback mode that is not where sshd listens.
      if (sb.mode !== 'netns') this.skip();
    });

    /** `sky-vscode launch` as its own process, SIGKILLed once every node printed `marker`. */
    async function launchAndKill(file: string, marker: string): Promise<number> {
      const child = spawn(process.execPath, [CLI, 'launch', '-c', 'sky-sbx', file], {
        env: sandboxEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise((r) => child.on('exit', r));
      try {
        await until(`${marker} on both nodes (stdout: ${out}, stderr: ${err})`, () =>
          out.includes(`(sky-sbx) ${marker}`) && out.includes(`(sky-sbx-worker1) ${marker}`)
            ? true
            : undefined,
        );
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      assert.doesNotMatch(err, /cannot reach/);
      return Number(/Job (\d+) \(/.exec(err)![1]);
    }

    const jobFile = (node: number, id: number, f: string) =>
      path.join(sb.ssh!.nodes[node].home, '.sky-vscode', 'jobs', String(id), f);

    async function finalJob(id: number) {
      return until(`job ${id} to end`, async () => {
        const { pool } = poolFor(loadConfig(), {});
        try {
          const j = (await listJobs((await pool.get('sky-sbx')).client)).find((x) => x.id === id);
          return j && !['PENDING', 'SETTING_UP', 'RUNNING'].includes(j.status) ? j : undefined;
        } finally {
          pool.closeAll();
        }
      });
    }

    it('a launcher killed during setup: run still starts on both nodes and the job SUCCEEDS', async () => {
      const file = writeTask(
        tmp,
        'num_nodes: 2\nsetup: |\n  echo setup-started\n  sleep 3\nrun: |\n  mkdir -p ~/driver-out && echo "rank $SKYPILOT_NODE_RANK" > ~/driver-out/$SKYPILOT_TASK_ID\n',
      );
      const id = await launchAndKill(file, 'setup-started');
      // Killed mid-setup: nothing ran yet.
      assert.ok(!fs.existsSync(jobFile(0, id, 'run.pid')));
      assert.ok(fs.existsSync(jobFile(0, id, 'driver.sh')));
      const job = await finalJob(id);
      assert.strictEqual(job.status, 'SUCCEEDED', fs.readFileSync(jobFile(0, id, 'driver.log'), 'utf8'));
      assert.strictEqual(job.exitCode, 0);
      // The driver wrote it (job.json itself, not only listJobs' reading of the exit codes).
      const onDisk = JSON.parse(fs.readFileSync(jobFile(0, id, 'job.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      assert.strictEqual(onDisk.status, 'SUCCEEDED');
      assert.ok(onDisk.endedAt && onDisk.startedAt);
      for (const [rank, n] of sb.ssh!.nodes.entries())
        assert.strictEqual(
          fs.readFileSync(path.join(n.home, 'driver-out', job.taskId), 'utf8'),
          `rank ${rank}\n`,
        );
      const q = spawnSync(process.execPath, [CLI, 'queue', '-c', 'sky-sbx', '--json'], {
        env: sandboxEnv(),
        encoding: 'utf8',
      });
      assert.strictEqual(q.status, 0, q.stderr);
      const listed = (JSON.parse(q.stdout) as { id: number; status: string; exitCode?: number }[]).find(
        (j) => j.id === id,
      );
      assert.deepStrictEqual([listed?.status, listed?.exitCode], ['SUCCEEDED', 0]);
      // The driver kept every node's logs on the head.
      const tasks = path.join(sb.ssh!.nodes[0].home, 'sky_logs', job.taskId.split('_')[0], 'tasks');
      assert.deepStrictEqual(fs.readdirSync(tasks).sort(), [
        'run-0-sky-sbx.log',
        'run-1-sky-sbx-worker1.log',
        'setup-0-sky-sbx.log',
        'setup-1-sky-sbx-worker1.log',
      ]);
    });

    it('a launcher killed during a setup that fails: FAILED_SETUP with its exit code, run never starts', async () => {
      const file = writeTask(
        tmp,
        'num_nodes: 2\nsetup: |\n  echo setup-starting\n  sleep 2\n  [ "$SKYPILOT_SETUP_NODE_RANK" = 1 ] && exit 5\n  true\nrun: |\n  mkdir -p ~/driver-out && echo ran > ~/driver-out/$SKYPILOT_TASK_ID\n',
      );
      const id = await launchAndKill(file, 'setup-starting');
      const job = await finalJob(id);
      assert.strictEqual(job.status, 'FAILED_SETUP');
      assert.strictEqual(job.exitCode, 5);
      const onDisk = JSON.parse(fs.readFileSync(jobFile(0, id, 'job.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      assert.deepStrictEqual([onDisk.status, onDisk.exitCode], ['FAILED_SETUP', 5]);
      for (const [rank, n] of sb.ssh!.nodes.entries()) {
        assert.ok(!fs.existsSync(jobFile(rank, id, 'run.pid')), `run started on ${n.alias}`);
        assert.ok(!fs.existsSync(path.join(n.home, 'driver-out', job.taskId)));
      }
    });

    it('cancel during setup with the driver: no process of the job left on any node, run never starts', async () => {
      const tag = `sleep 3${Math.floor(Math.random() * 1000) + 1000}`;
      const file = writeTask(
        tmp,
        `num_nodes: 2\nsetup: |\n  echo setup-sleeping\n  ${tag} & ${tag}\nrun: |\n  mkdir -p ~/driver-out && echo ran > ~/driver-out/$SKYPILOT_TASK_ID\n`,
      );
      const id = await launchAndKill(file, 'setup-sleeping');
      const driverPid = Number(fs.readFileSync(jobFile(0, id, 'driver.pid'), 'utf8'));
      assert.ok(fs.existsSync(`/proc/${driverPid}`), 'the driver runs on after its launcher');
      const c = spawnSync(process.execPath, [CLI, 'cancel', '-c', 'sky-sbx', String(id)], {
        env: sandboxEnv(),
        encoding: 'utf8',
      });
      assert.strictEqual(c.status, 0, c.stderr);
      // Nodes share this machine's process table (only mounts and hostname are their own).
      const left = () => {
        const pids: string[] = [];
        for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
          const cmd = (() => {
            try {
              return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
            } catch {
              return '';
            }
          })();
          if (cmd.includes(tag) || p === String(driverPid)) pids.push(`${p}: ${cmd}`);
        }
        return pids;
      };
      await until(
        `no process of job ${id} (${left().join('; ')})`,
        () => (left().length ? undefined : true),
        10_000,
      );
      await new Promise((r) => setTimeout(r, 2000));
      const job = await finalJob(id);
      assert.strictEqual(job.status, 'CANCELLED');
      for (const [rank, n] of sb.ssh!.nodes.entries()) {
        assert.ok(!fs.existsSync(jobFile(rank, id, 'run.pid')), `run started on ${n.alias}`);
        assert.ok(fs.existsSync(jobFile(rank, id, 'cancelled')));
      }
    });

    it('a head that cannot reach a worker: one clear warning, and the launcher runs the job as before', async () => {
      const key = path.join(sb.ssh!.nodes[0].home, '.ssh', 'id_ed25519');
      fs.renameSync(key, `${key}.off`);
      try {
        const file = writeTask(tmp, 'num_nodes: 2\nsetup: echo S\nrun: echo R $SKYPILOT_NODE_RANK\n');
        const log = captureLog();
        const lines: string[] = [];
        const r = await launchTask(
          { kind: 'launch', taskFile: file, cluster: 'sky-sbx' },
          { config: loadConfig(), log, output: (n, l) => lines.push(`${n}:${l}`) },
        );
        assert.strictEqual(r.exitCode, 0);
        assert.strictEqual(r.job?.status, 'SUCCEEDED');
        assert.deepStrictEqual(lines.sort(), [
          'sky-sbx-worker1:R 1',
          'sky-sbx-worker1:S',
          'sky-sbx:R 0',
          'sky-sbx:S',
        ]);
        const warnings = log.lines.filter((l) => /cannot reach/.test(l));
        assert.strictEqual(warnings.length, 1, log.lines.join('\n'));
        assert.match(
          warnings[0],
          /The head sky-sbx cannot reach sky-sbx-worker1 over ssh \(skyuser@[\d.]+ port 22: .*Permission denied.*\).*will not progress past setup/,
        );
        assert.ok(!fs.existsSync(jobFile(0, r.job!.id, 'driver.sh')));
      } finally {
        fs.renameSync(`${key}.off`, key);
      }
    });
  });
});
