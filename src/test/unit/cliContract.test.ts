// The CLI contract the README states, through the real CLI as a child process with no servers:
// usage errors exit 2, listings go to stdout and messages to stderr, `status` lists the config's
// clusters with each node's reachability, `config` summarises the file without printing a secret.
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { REPO_ROOT } from './task/examples.test';
import { makeTestDir } from '../sandbox/proc';
import { cliEntry } from '../harness/cli';

function cli(args: string[], home: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliEntry(), ...args], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    env: { ...process.env, SKY_VSCODE_HOME: home },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A port on 127.0.0.1 that nothing listens on (a connection to it is refused at once). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('CLI contract (exit codes, stdout/stderr, status, config)', function () {
  this.timeout(90_000);
  const tmp = makeTestDir('sky-unit-cli-');
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home);
  const task = path.join(REPO_ROOT, 'examples/single-node/task.yaml');
  const secret = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyU2VjcmV0S2V5MTIzNDU2';
  let port = 0;

  before(async () => {
    port = await closedPort();
    const sshConfig = path.join(tmp, 'ssh_config');
    fs.writeFileSync(sshConfig, '');
    fs.writeFileSync(
      path.join(home, 'config.yaml'),
      [
        'stores:',
        `  azure: { connectionString: "${secret}" }`,
        'ssh:',
        `  configFile: ${sshConfig}`,
        `  knownHostsFile: ${path.join(tmp, 'known_hosts')}`,
        '  strictHostKeyChecking: yes',
        `nodePoolsFile: ${path.join(tmp, 'no-pools.yaml')}`,
        'clusters:',
        `  lab: { nodes: [ { host: 127.0.0.1, port: ${port}, user: nobody }, { host: 127.0.0.1, port: ${port} } ] }`,
        '',
      ].join('\n'),
    );
  });

  it('usage errors exit 2 with the reason on stderr and nothing on stdout', () => {
    for (const [args, reason] of [
      [['no-such-verb'], /unknown command/],
      [['launch', task], /required option '-c, --cluster <name>'/],
      [['launch', '-c', 'lab', '--offline', task], /--offline goes with --dry-run/],
    ] as const) {
      const r = cli([...args], home);
      assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, reason);
      assert.strictEqual(r.stdout, '', `${args.join(' ')} printed on stdout`);
    }
  });

  it('status lists the config’s cluster and its nodes, each unreachable one with its error; --json on stdout', () => {
    const j = cli(['status', '--json'], home);
    assert.strictEqual(j.code, 0, j.stderr);
    const rows = JSON.parse(j.stdout) as Array<{
      name: string;
      source: string;
      nodes: Array<{ alias: string; role: string; reachable: boolean; error?: string }>;
    }>;
    assert.deepStrictEqual(
      rows.map((c) => [c.name, c.source, c.nodes.map((n) => [n.alias, n.role, n.reachable])]),
      [
        [
          'lab',
          'config',
          [
            ['lab', 'head', false],
            ['lab-worker1', 'worker', false],
          ],
        ],
      ],
    );
    for (const n of rows[0].nodes) assert.ok(n.error && n.error.length > 0, `${n.alias} has its error`);
    // Human form: the listing is on stdout (it is what the verb is for), one line per node.
    const h = cli(['status'], home);
    assert.strictEqual(h.code, 0, h.stderr);
    assert.match(h.stdout, /^lab \(config\)\n {2}lab +head +DOWN .+\n {2}lab-worker1 +worker +DOWN /);
  });

  it('launch refuses what is "not yet" (a git workdir, a pipeline, a volume) before any connection, saying so', () => {
    const git = path.join(tmp, 'git-workdir.yaml');
    fs.writeFileSync(
      git,
      'workdir:\n  url: https://github.com/skypilot-org/skypilot.git\n  ref: master\nrun: echo hi\n',
    );
    const g = cli(['launch', '-c', 'lab', git], home);
    assert.strictEqual(g.code, 2, g.stderr);
    assert.match(g.stderr, /Git workdirs \(\{url, ref\}\) are not supported on SSH clusters yet/);
    assert.doesNotMatch(g.stderr, /ECONNREFUSED|Connecting/, 'no node was contacted');
    const pipeline = path.join(REPO_ROOT, 'examples/pipeline/pipeline.yaml');
    const p = cli(['launch', '-c', 'lab', pipeline], home);
    assert.strictEqual(p.code, 2, p.stderr);
    assert.match(p.stderr, /launch takes a single task \(pipelines are not supported here\)/);
    const volume = path.join(tmp, 'volume.yaml');
    fs.writeFileSync(
      volume,
      'resources: {infra: gcp/us-central1}\nfile_mounts:\n  /scratch:\n    store: volume\n    name: scratch\n    config: {disk_size: 100}\nrun: echo hi\n',
    );
    const v = cli(['launch', '-c', 'lab', volume], home);
    assert.strictEqual(v.code, 1, v.stderr);
    assert.match(v.stderr, /\/scratch: volumes are not supported on SSH clusters/);
    assert.doesNotMatch(v.stderr, /ECONNREFUSED|Connecting/, 'no node was contacted');
  });

  it('config --json summarises stores and clusters and never prints a secret; an unknown key names file and line', () => {
    const r = cli(['config', '--json'], home);
    assert.strictEqual(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as {
      file: string;
      exists: boolean;
      stores: string[];
      clusters: string[];
    };
    assert.deepStrictEqual(
      [summary.file, summary.exists, summary.stores, summary.clusters],
      [path.join(home, 'config.yaml'), true, ['azure'], ['lab']],
    );
    assert.ok(!`${r.stdout}${r.stderr}`.includes('Zm9vYmFyU2VjcmV0S2V5'), 'the account key is not printed');

    const bad = path.join(tmp, 'bad-home');
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'config.yaml'), `stores:\n  s3: { region: us-east-1 }\nclustrs: {}\n`);
    const e = cli(['config'], bad);
    assert.strictEqual(e.code, 2, e.stderr);
    assert.match(e.stderr, new RegExp(`${path.join(bad, 'config.yaml').replace(/[/.]/g, '\\$&')}:3`));
    assert.match(e.stderr, /clustrs/);
  });
});
