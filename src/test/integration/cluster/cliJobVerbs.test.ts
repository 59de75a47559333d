// The CLI's job verbs as a user runs them: each a fresh `sky-vscode` process against the sandbox
// cluster (README "Command line": launch/exec exit with the job's exit code, Ctrl-C cancels the job
// on every node; `logs [--follow]`; `down [-y]`).
import * as assert from 'assert';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../../engine/config/config';
import { openStore, readRecords } from '../../../engine/storage';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { makeTestDir } from '../../sandbox/proc';
import { processesWith } from '../../harness/processes';
import { CLI } from '../../harness/cli';

async function until<T>(what: () => string, fn: () => T | undefined, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A CLI process whose output is collected as it comes. */
function start(args: string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p = { child, out: '', err: '', exit: undefined as Promise<number | null> | undefined };
  child.stdout!.on('data', (d: Buffer) => (p.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (p.err += d.toString()));
  p.exit = new Promise((r) => child.on('exit', (code) => r(code)));
  return p as typeof p & { exit: Promise<number | null> };
}

describe('the CLI job verbs as fresh processes: exit codes, Ctrl-C, logs, down', function () {
  this.timeout(240_000);
  let sb: Sandbox;
  let tmp: string;
  let n = 0;
  const env = () => sb.env();
  const run = (args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], { env: env(), encoding: 'utf8', timeout: 180_000 });
  /** A task file in its own folder (with ./data for storage mounts). */
  function task(yaml: string): string {
    const dir = path.join(tmp, `t${++n}`);
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'data', 'in.txt'), 'input data\n');
    fs.writeFileSync(path.join(dir, 'task.yaml'), yaml);
    return path.join(dir, 'task.yaml');
  }
  function queue(): { id: number; status: string; exitCode?: number }[] {
    const q = run(['queue', '-c', 'sky-sbx', '--json']);
    assert.strictEqual(q.status, 0, q.stderr);
    return JSON.parse(q.stdout) as { id: number; status: string; exitCode?: number }[];
  }

  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    tmp = makeTestDir('sky-clijobs-');
  });

  it('launch and exec exit with the job exit code (run: exit 7 → 7; exit 0 → 0)', () => {
    const failing = task('run: |\n  echo about-to-fail\n  exit 7\n');
    for (const verb of ['launch', 'exec']) {
      const r = run([verb, '-c', 'sky-sbx', failing]);
      assert.strictEqual(r.status, 7, `${verb}: ${r.stderr}`);
      assert.match(r.stdout, /^about-to-fail$/m);
      assert.match(r.stderr, /Job \d+ FAILED \(exit code 7\)\./);
    }
    const ok = run(['exec', '-c', 'sky-sbx', task('run: echo fine\n')]);
    assert.strictEqual(ok.status, 0, ok.stderr);
  });

  it('Ctrl-C (SIGINT) to sky-vscode launch cancels the job: exit 1, "Cancelled.", CANCELLED, no process left on either node', async () => {
    const tag = `sleep 4${Math.floor(Math.random() * 900) + 100}`;
    const file = task(`num_nodes: 2\nrun: |\n  echo started\n  ${tag} & ${tag}\n`);
    const p = start(['launch', '-c', 'sky-sbx', file], env());
    try {
      await until(
        () => `"started" on both nodes (stdout: ${p.out}, stderr: ${p.err})`,
        () =>
          p.out.includes('(sky-sbx) started') && p.out.includes('(sky-sbx-worker1) started')
            ? true
            : undefined,
      );
      // Both nodes' sleeps are running (two per node).
      await until(
        () => `the job's sleeps (${processesWith(tag).join('; ')})`,
        () => (processesWith(tag).length >= 4 ? true : undefined),
      );
      p.child.kill('SIGINT');
      const code = await Promise.race([
        p.exit,
        new Promise<'hung'>((r) => setTimeout(() => r('hung'), 120_000)),
      ]);
      assert.strictEqual(code, 1, `stderr: ${p.err}`);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
    assert.match(p.err, /Cancelling… \(Ctrl-C again to exit now\)/);
    assert.match(p.err, /^Cancelled\.$/m);
    const id = Number(/Job (\d+) \(/.exec(p.err)![1]);
    await until(
      () => `no process of job ${id} (${processesWith(tag).join('; ')})`,
      () => (processesWith(tag).length ? undefined : true),
      30_000,
    );
    assert.strictEqual(queue().find((j) => j.id === id)?.status, 'CANCELLED');
  });

  it('logs -c CLUSTER JOB prints each node’s setup and run lines; without JOB the latest job', () => {
    const file = task(
      'num_nodes: 2\nsetup: echo "set-$SKYPILOT_SETUP_NODE_RANK"\nrun: echo "ran-$SKYPILOT_NODE_RANK"\n',
    );
    const l = run(['launch', '-c', 'sky-sbx', file]);
    assert.strictEqual(l.status, 0, l.stderr);
    const id = Number(/Job (\d+) \(/.exec(l.stderr)![1]);
    // A later job, so that "the latest" and "job ID" differ.
    const other = run(['exec', '-c', 'sky-sbx', task('run: echo latest-job\n')]);
    assert.strictEqual(other.status, 0, other.stderr);

    const r = run(['logs', '-c', 'sky-sbx', String(id)]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(r.stdout.split('\n').filter(Boolean).sort(), [
      '(sky-sbx) ran-0',
      '(sky-sbx) set-0',
      '(sky-sbx-worker1) ran-1',
      '(sky-sbx-worker1) set-1',
    ]);
    assert.match(r.stderr, new RegExp(`^Job ${id}: SUCCEEDED$`, 'm'));

    const latest = run(['logs', '-c', 'sky-sbx']);
    assert.strictEqual(latest.status, 0, latest.stderr);
    assert.strictEqual(latest.stdout, 'latest-job\n');

    const missing = run(['logs', '-c', 'sky-sbx', '99999']);
    assert.strictEqual(missing.status, 2);
    assert.match(missing.stderr, /Job 99999 not found on sky-sbx\./);
  });

  it('logs --follow streams a running job’s later lines until it ends', async () => {
    const go = `go-${Date.now().toString(36)}`;
    const file = task(
      `run: |\n  echo before-go\n  while [ ! -e ~/${go} ]; do sleep 0.2; done\n  echo after-go\n  exit 3\n`,
    );
    const launcher = start(['exec', '-c', 'sky-sbx', file], env());
    try {
      await until(
        () => `before-go (stderr: ${launcher.err})`,
        () => (launcher.out.includes('before-go') ? true : undefined),
      );
      const id = /Job (\d+) \(/.exec(launcher.err)![1];
      const follower = start(['logs', '-c', 'sky-sbx', id, '--follow'], env());
      await until(
        () => `the follower to print before-go (stdout: ${follower.out}, stderr: ${follower.err})`,
        () => (follower.out.includes('before-go') ? true : undefined),
      );
      assert.strictEqual(follower.child.exitCode, null, 'still following while the job runs');
      fs.writeFileSync(path.join(sb.ssh!.nodes[0].home, go), '');
      const code = await follower.exit;
      assert.strictEqual(follower.out, 'before-go\nafter-go\n', follower.err);
      // A job that did not succeed: logs --follow exits 1.
      assert.strictEqual(code, 1, follower.err);
      assert.strictEqual(await launcher.exit, 3, launcher.err);
    } finally {
      if (launcher.child.exitCode === null) launcher.child.kill('SIGKILL');
      fs.rmSync(path.join(sb.ssh!.nodes[0].home, go), { force: true });
    }
  });

  it('down -c CLUSTER keeps persistent: false buckets without -y, and with -y unmounts on every node and deletes them', async () => {
    const b = `sky-cli-down-${Date.now().toString(36)}`;
    const file = task(`num_nodes: 2
file_mounts:
  ~/keep-${b}:
    name: ${b}-keep
    source: ./data
    store: s3
    mode: MOUNT
  ~/scratch-${b}:
    name: ${b}-tmp
    store: s3
    mode: MOUNT
    persistent: false
run: |
  echo "w$SKYPILOT_NODE_RANK" > ~/scratch-${b}/x$SKYPILOT_NODE_RANK.txt
  findmnt -rn -o FSTYPE -M ~/scratch-${b}
`);
    const l = run(['launch', '-c', 'sky-sbx', file]);
    assert.strictEqual(l.status, 0, l.stderr);
    for (const node of ['sky-sbx', 'sky-sbx-worker1'])
      assert.ok(l.stdout.includes(`(${node}) fuse.rclone\n`), `mounted on ${node}: ${l.stdout}`);
    const s3 = await openStore('s3', loadConfig());

    const refused = run(['down', '-c', 'sky-sbx']);
    assert.strictEqual(refused.status, 0, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(
        `Kept non-persistent bucket\\(s\\) [^\\n]*${b}-tmp \\(s3\\)[^\\n]*: pass -y to delete them\\.`,
      ),
    );
    assert.strictEqual(await s3.bucketExists(`${b}-tmp`), true, 'without -y the bucket stays');
    assert.ok(
      readRecords().some((x) => x.name === `${b}-tmp`),
      'and its record',
    );

    const done = run(['down', '-c', 'sky-sbx', '-y']);
    assert.strictEqual(done.status, 0, done.stderr);
    assert.match(done.stderr, /^sky-sbx: /m);
    assert.match(done.stderr, /^sky-sbx-worker1: /m);
    assert.doesNotMatch(done.stderr, /Kept non-persistent/);
    assert.strictEqual(await s3.bucketExists(`${b}-tmp`), false, 'with -y the bucket is deleted');
    assert.ok(!readRecords().some((x) => x.name === `${b}-tmp`), 'and its record removed');
    assert.strictEqual(await s3.bucketExists(`${b}-keep`), true, 'a persistent bucket stays');
    // What is left on the nodes, asked through the CLI itself.
    const left = run([
      'exec',
      '-c',
      'sky-sbx',
      task(
        'num_nodes: 2\nrun: echo "mounts=$(findmnt -rn -t fuse.rclone | wc -l) confs=$(ls ~/.sky/rclone | wc -l)"\n',
      ),
    ]);
    assert.strictEqual(left.status, 0, left.stderr);
    assert.deepStrictEqual(left.stdout.split('\n').filter(Boolean).sort(), [
      '(sky-sbx) mounts=0 confs=0',
      '(sky-sbx-worker1) mounts=0 confs=0',
    ]);
  });
  it('--force-mounts: launch refuses to mount over a non-empty node directory without it, mounts over it (files kept) with it', () => {
    const b = `sky-cli-force-${Date.now().toString(36)}`;
    const dst = `force-${b}`;
    for (const node of sb.ssh!.nodes) {
      fs.mkdirSync(path.join(node.home, dst), { recursive: true });
      fs.writeFileSync(path.join(node.home, dst, 'mine.txt'), 'keep me\n');
      // Made here (as root): the node user must own them, as if it had made them itself.
      const { uid, gid } = fs.statSync(node.home);
      for (const p of [path.join(node.home, dst), path.join(node.home, dst, 'mine.txt')])
        fs.chownSync(p, uid, gid);
    }
    const file = task(`file_mounts:
  ~/${dst}:
    name: ${b}
    source: ./data
    store: s3
    mode: MOUNT
run: |
  ls ~/${dst}
  findmnt -rn -o FSTYPE -M ~/${dst}
`);
    const refused = run(['launch', '-c', 'sky-sbx', file]);
    assert.notStrictEqual(refused.status, 0, refused.stdout);
    assert.match(refused.stderr, new RegExp(`Mount path \\S*${dst} on sky-sbx is not empty\\.`));
    assert.match(refused.stderr, /--force-mounts/);
    assert.strictEqual(refused.stdout, '', 'the job never ran');
    const forced = run(['launch', '-c', 'sky-sbx', '--force-mounts', file]);
    assert.strictEqual(forced.status, 0, forced.stderr);
    assert.strictEqual(forced.stdout, 'in.txt\nfuse.rclone\n');
    // Unmounted by down: the directory's own file is still there.
    const down = run(['down', '-c', 'sky-sbx']);
    assert.strictEqual(down.status, 0, down.stderr);
    assert.strictEqual(
      fs.readFileSync(path.join(sb.ssh!.nodes[0].home, dst, 'mine.txt'), 'utf8'),
      'keep me\n',
    );
  });

  it('an unknown host key: the CLI refuses it under ask unless -y (which records it), even where the ssh config says StrictHostKeyChecking no', () => {
    const kh = path.join(tmp, `known_hosts-${++n}`);
    fs.writeFileSync(kh, '');
    // SkyPilot's generated entries turn checking off; sky-vscode ignores that.
    const cfg = path.join(tmp, `ssh_config-${n}`);
    fs.writeFileSync(
      cfg,
      fs
        .readFileSync(sb.ssh!.sshConfigPath, 'utf8')
        .replace(/^(\s*)UserKnownHostsFile .*$/gm, `$1UserKnownHostsFile ${kh}`)
        .replace(/^(\s*)StrictHostKeyChecking .*$/gm, '$1StrictHostKeyChecking no'),
    );
    assert.match(fs.readFileSync(cfg, 'utf8'), /StrictHostKeyChecking no/);
    sb.writeSkyConfig({ ssh: { configFile: cfg, knownHostsFile: kh, strictHostKeyChecking: 'ask' } });
    try {
      const file = task('run: echo reached\n');
      const refused = run(['exec', '-c', 'sky-sbx', file]);
      assert.notStrictEqual(refused.status, 0, refused.stdout);
      assert.match(refused.stderr, /SHA256:/);
      assert.strictEqual(refused.stdout, '');
      assert.strictEqual(fs.readFileSync(kh, 'utf8'), '', 'nothing recorded without -y');
      const accepted = run(['exec', '-c', 'sky-sbx', '-y', file]);
      assert.strictEqual(accepted.status, 0, accepted.stderr);
      assert.strictEqual(accepted.stdout, 'reached\n');
      assert.match(fs.readFileSync(kh, 'utf8'), /ssh-ed25519/, '-y recorded the key');
      // Recorded: no -y needed any more.
      const again = run(['exec', '-c', 'sky-sbx', file]);
      assert.strictEqual(again.status, 0, again.stderr);
    } finally {
      sb.writeSkyConfig();
    }
  });
});
