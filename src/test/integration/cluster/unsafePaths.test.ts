// User-controlled values on real sshd nodes: a file_mounts destination full of shell syntax, a job
// record whose id is a command, and a known_hosts that cannot be read. Nothing may run on a node.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../../engine/config/config';
import { launchTask } from '../../../engine/launch/run';
import { poolFor } from '../../../engine/cluster/pool';
import { listJobs } from '../../../engine/launch/jobs';
import { connect } from '../../../engine/ssh/connect';
import { parseSshConfig } from '../../../engine/ssh/config';
import { exec } from '../../../engine/ssh/exec';
import { shellQuote } from '../../../engine/ssh/quote';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { makeTestDir } from '../../sandbox/proc';
import { CLI } from '../../harness/cli';

describe('unsafe paths on real sshd nodes: nothing user-controlled runs there', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let tmp: string;
  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    tmp = makeTestDir('sky-unsafe-');
  });

  /** A marker path on the nodes (their /tmp is this machine's) that only an injected command creates. */
  function marker(what: string): string {
    return `/tmp/sky-pwned-${what}-${crypto.randomBytes(6).toString('hex')}`;
  }

  async function onNodes(cmd: string): Promise<string[]> {
    const { pool } = poolFor(loadConfig(), {});
    try {
      return await Promise.all(
        sb.ssh!.nodes.map(async (n) => {
          const r = await exec((await pool.get(n.alias)).client, cmd);
          return `${r.code}:${r.stdout}`;
        }),
      );
    } finally {
      pool.closeAll();
    }
  }

  it('a file_mounts destination with $(…), backticks and a double quote lands at its literal path, or fails naming it; nothing runs', async () => {
    const m = marker('mount');
    const evil = `$(touch ${m})-\`touch ${m}\`-"dq"`;
    const landed = `/mnt/ok-${evil}`;
    const taken = `/mnt/taken-${evil}`;
    fs.mkdirSync(path.join(tmp, 'data'));
    fs.writeFileSync(path.join(tmp, 'data', 'd.txt'), 'dataset\n');
    // Already a real folder on every node: the symlink into ~/.sky/file_mounts is refused there.
    for (const n of sb.ssh!.nodes)
      fs.mkdirSync(path.join(n.mnt, taken.slice('/mnt/'.length)), { recursive: true });
    const file = path.join(tmp, 'mount.yaml');
    fs.writeFileSync(
      file,
      `file_mounts:\n  '${landed}': ./data\n  '${taken}': ./data\nrun: echo should-not-run\n`,
    );
    const lines: string[] = [];
    await assert.rejects(
      launchTask(
        { kind: 'launch', taskFile: file, cluster: 'sky-sbx' },
        { config: loadConfig(), output: (_n, l) => lines.push(l) },
      ),
      (e: Error) => e.message.includes(`!!! Failed mounting because path exists (${taken})`),
    );
    assert.deepStrictEqual(lines, []);
    assert.ok(!fs.existsSync(m), `${m} was created: a command in the destination ran`);
    assert.deepStrictEqual(await onNodes(`test -e ${m}; echo $?`), ['0:1\n', '0:1\n']);
    // The first destination is there, at exactly its name, on both nodes.
    assert.deepStrictEqual(await onNodes(`cat ${shellQuote(`${landed}/d.txt`)}`), [
      '0:dataset\n',
      '0:dataset\n',
    ]);
  });

  it('a job record whose id is not a number is a clear error for queue, logs and cancel; nothing runs', async () => {
    const m = marker('job');
    const head = sb.ssh!.nodes[0];
    const dir = path.join(head.home, '.sky-vscode', 'jobs', '987654');
    fs.mkdirSync(dir, { recursive: true });
    try {
      const id = `1 ]; touch ${m}; [ x`;
      fs.writeFileSync(
        path.join(dir, 'job.json'),
        JSON.stringify({
          id,
          taskId: 'sky-2026-01-01-00-00-00-000000_sky-sbx_1',
          name: 'evil',
          cluster: 'sky-sbx',
          kind: 'launch',
          nodes: ['sky-sbx'],
          status: 'SUCCEEDED',
          submittedAt: '2026-01-01T00:00:00.000Z',
        }),
      );
      const { pool } = poolFor(loadConfig(), {});
      try {
        await assert.rejects(
          listJobs((await pool.get('sky-sbx')).client),
          (e: Error) =>
            e.message ===
            `Invalid job id ${JSON.stringify(id)} from ~/.sky-vscode/jobs/987654/job.json on the cluster's head: a job id is a positive integer.`,
        );
      } finally {
        pool.closeAll();
      }
      for (const args of [['logs'], ['logs', '987654'], ['queue'], ['cancel', '987654']]) {
        const r = spawnSync(process.execPath, [CLI, ...args, '-c', 'sky-sbx'], {
          env: sb.env(),
          encoding: 'utf8',
          timeout: 60_000,
        });
        assert.strictEqual(r.status, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /Invalid job id .* a job id is a positive integer/);
      }
      assert.ok(!fs.existsSync(m), `${m} was created: the job id ran as a command`);
      // A job id typed on the command line is checked before anything connects.
      for (const verb of ['logs', 'cancel']) {
        const r = spawnSync(process.execPath, [CLI, verb, '-c', 'sky-sbx', '2;id'], {
          env: sb.env(),
          encoding: 'utf8',
          timeout: 60_000,
        });
        assert.strictEqual(r.status, 2, r.stderr);
        assert.match(r.stderr, /Invalid job id "2;id" from the command line/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a known_hosts that exists but cannot be read (a folder) stops the connection naming it; accept-new records nothing', async () => {
    const node = sb.ssh!.nodes[0];
    const unreadable = path.join(tmp, 'user_known_hosts');
    fs.mkdirSync(unreadable);
    const ours = path.join(tmp, 'our_known_hosts');
    fs.writeFileSync(ours, '');
    const cfgFile = path.join(tmp, 'ssh_config_kh');
    fs.writeFileSync(
      cfgFile,
      `Host n0\n  HostName ${node.ip}\n  Port ${node.port}\n  User ${node.user}\n  IdentityFile ${sb.ssh!.keyPath}\n  UserKnownHostsFile ${unreadable}\n`,
    );
    await assert.rejects(
      connect('n0', { sshConfig: parseSshConfig(cfgFile), knownHostsFile: ours, strict: 'accept-new' }),
      (e: Error) => e.message === `Cannot read the known_hosts file ${unreadable}: it is a folder.`,
    );
    assert.strictEqual(fs.readFileSync(ours, 'utf8'), '');
  });
});
