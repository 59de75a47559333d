import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  checkHostKey,
  fingerprintSha256,
  knownHostsName,
  appendKnownHost,
} from '../../../engine/ssh/knownHosts';
import { parseSshConfig, resolveHost } from '../../../engine/ssh/config';
import { shellQuote, remotePath } from '../../../engine/ssh/quote';
import { discoverClusters, findNode } from '../../../engine/cluster/clusters';
import { emptyConfig } from '../../../engine/config/config';
import { Exclusions } from '../../../engine/sync/exclusions';
import { skypilotEnv, taskIdFor, gpusPerNode, exportLines } from '../../../engine/launch/env';
import { makeTestDir } from '../../sandbox/proc';

function keyBlob(type: string, seed: string): Buffer {
  const t = Buffer.from(type);
  const body = crypto.createHash('sha256').update(seed).digest();
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  const blen = Buffer.alloc(4);
  blen.writeUInt32BE(body.length);
  return Buffer.concat([len, t, blen, body]);
}

function hashed(host: string, key: Buffer, type = 'ssh-ed25519'): string {
  const salt = crypto.randomBytes(20);
  const h = crypto.createHmac('sha1', salt).update(host).digest('base64');
  return `|1|${salt.toString('base64')}|${h} ${type} ${key.toString('base64')}`;
}

describe('ssh: known_hosts, config, quoting', () => {
  const tmp = makeTestDir('sky-unit-ssh-');
  const key = keyBlob('ssh-ed25519', 'a');
  const other = keyBlob('ssh-ed25519', 'b');

  it('matches plain, [host]:port, wildcard and hashed entries; negation excludes', () => {
    const f = path.join(tmp, 'kh1');
    fs.writeFileSync(
      f,
      [
        `# comment`,
        `10.0.0.5,web ssh-ed25519 ${key.toString('base64')}`,
        `[10.0.0.6]:2222 ssh-ed25519 ${key.toString('base64')}`,
        `*.lab,!bad.lab ssh-ed25519 ${key.toString('base64')}`,
        hashed('10.0.0.7', key),
      ].join('\n'),
    );
    assert.deepStrictEqual(checkHostKey([f], ['10.0.0.5'], key), { status: 'match', file: f, line: 2 });
    assert.strictEqual(checkHostKey([f], [knownHostsName('10.0.0.6', 2222)], key).status, 'match');
    assert.strictEqual(checkHostKey([f], ['10.0.0.6'], key).status, 'unknown', 'port 22 is a different name');
    assert.strictEqual(checkHostKey([f], ['a.lab'], key).status, 'match');
    assert.strictEqual(checkHostKey([f], ['bad.lab'], key).status, 'unknown');
    assert.deepStrictEqual(checkHostKey([f], ['10.0.0.7'], key), { status: 'match', file: f, line: 5 });
  });

  it('a changed key of the same type is a mismatch with file and line, even if another file has it; @revoked wins', () => {
    const a = path.join(tmp, 'kh2');
    const b = path.join(tmp, 'kh3');
    fs.writeFileSync(a, `\n\nhost1 ssh-ed25519 ${other.toString('base64')}\n`);
    fs.writeFileSync(b, `host1 ssh-ed25519 ${key.toString('base64')}\n`);
    assert.deepStrictEqual(checkHostKey([a, b], ['host1'], key), {
      status: 'mismatch',
      file: a,
      line: 3,
      expectedType: 'ssh-ed25519',
    });
    // A key of another type is not a mismatch (the host may have several).
    fs.writeFileSync(a, `host1 ssh-rsa ${keyBlob('ssh-rsa', 'r').toString('base64')}\n`);
    assert.strictEqual(checkHostKey([a], ['host1'], key).status, 'unknown');
    fs.writeFileSync(
      a,
      `@revoked * ssh-ed25519 ${key.toString('base64')}\nhost1 ssh-ed25519 ${key.toString('base64')}\n`,
    );
    assert.strictEqual(checkHostKey([a], ['host1'], key).status, 'revoked');
  });

  it('records accepted keys and prints OpenSSH-style fingerprints', () => {
    const f = path.join(tmp, 'sub', 'known_hosts');
    appendKnownHost(f, '[h]:2200', key);
    assert.strictEqual(checkHostKey([f], ['[h]:2200'], key).status, 'match');
    assert.strictEqual(fs.statSync(f).mode & 0o777, 0o600);
    assert.match(fingerprintSha256(key), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('resolves aliases through Include, with HostName/User/Port/IdentityFile/ProxyJump', () => {
    const inc = path.join(tmp, 'generated');
    fs.mkdirSync(inc);
    fs.writeFileSync(
      path.join(inc, 'c1'),
      'Host c1\n  HostName 1.2.3.4\n  User ubuntu\n  Port 2022\n  IdentityFile ~/.ssh/c1.key\n  ProxyJump bastion\nHost c1-worker1\n  HostName 1.2.3.5\n',
    );
    const cfg = path.join(tmp, 'config');
    fs.writeFileSync(
      cfg,
      `Include ${inc}/*\nHost bastion\n  HostName 9.9.9.9\nHost *\n  User fallback\n  ConnectTimeout 7\n`,
    );
    const parsed = parseSshConfig(cfg);
    const h = resolveHost('c1', parsed);
    assert.strictEqual(h.hostName, '1.2.3.4');
    assert.strictEqual(h.user, 'ubuntu');
    assert.strictEqual(h.port, 2022);
    assert.deepStrictEqual(h.identityFiles, [path.join(os.homedir(), '.ssh/c1.key')]);
    assert.strictEqual(h.proxyJump, 'bastion');
    assert.strictEqual(h.connectTimeoutMs, 7000);
    assert.strictEqual(resolveHost('c1-worker1', parsed).user, 'fallback');
  });

  it('quotes every remote argument', () => {
    assert.strictEqual(shellQuote("it's"), `'it'\\''s'`);
    assert.strictEqual(shellQuote('$(rm -rf /)'), `'$(rm -rf /)'`);
    assert.strictEqual(shellQuote('-rf'), `'-rf'`);
    assert.strictEqual(shellQuote(''), "''");
    assert.strictEqual(remotePath('~/a b'), `~/'a b'`);
    assert.strictEqual(remotePath('/x/$y'), `'/x/$y'`);
  });
});

describe('clusters: discovery from ssh config, node pools and config', () => {
  const tmp = makeTestDir('sky-unit-clusters-');

  it('merges the three sources, SkyPilot naming, first source wins', () => {
    const sshCfg = path.join(tmp, 'ssh_config');
    fs.writeFileSync(
      sshCfg,
      'Host gpu\n  HostName 1.1.1.1\nHost gpu-worker1\n  HostName 1.1.1.2\nHost gpu-worker3\n  HostName 1.1.1.4\nHost solo\n  HostName 2.2.2.2\nHost *\n  User me\n',
    );
    const pools = path.join(tmp, 'pools.yaml');
    fs.writeFileSync(
      pools,
      'lab:\n  user: ubuntu\n  identity_file: ~/.ssh/lab\n  hosts:\n    - 10.0.0.1\n    - ip: 10.0.0.2\n      user: bob\n    - solo\nsolo:\n  hosts: [9.9.9.9]\n',
    );
    const cfg = {
      ...emptyConfig(),
      ssh: { configFile: sshCfg },
      nodePoolsFile: pools,
      clusters: { mine: { nodes: [{ host: '3.3.3.3', user: 'x', port: 2200 }] } },
    };
    const inv = discoverClusters(cfg);
    assert.deepStrictEqual(
      inv.clusters.map((c) => [c.name, c.source, c.nodes.map((n) => n.alias)]),
      [
        ['gpu', 'ssh-config', ['gpu', 'gpu-worker1']],
        ['solo', 'ssh-config', ['solo']],
        ['lab', 'node-pool', ['lab', 'lab-worker1', 'solo']],
        ['mine', 'config', ['mine']],
      ],
    );
    const lab1 = resolveHost('lab-worker1', inv.sshConfig);
    assert.deepStrictEqual([lab1.hostName, lab1.user], ['10.0.0.2', 'bob']);
    assert.deepStrictEqual(resolveHost('lab', inv.sshConfig).identityFiles, [
      path.join(os.homedir(), '.ssh/lab'),
    ]);
    assert.deepStrictEqual(
      [resolveHost('mine', inv.sshConfig).port, resolveHost('mine', inv.sshConfig).user],
      [2200, 'x'],
    );
    assert.strictEqual(findNode(inv, 'gpu-worker1').cluster.name, 'gpu');
    assert.throws(() => findNode(inv, 'gpu-worker3'), /not found in cluster gpu/);
    assert.throws(() => findNode(inv, 'nope'), /Cluster 'nope' not found/);
  });
});

describe('sync exclusions: SkyPilot rules, explained', () => {
  it('.skyignore replaces .gitignore; nested .gitignore applies below its dir; negation works', () => {
    const root = makeTestDir('sky-unit-excl-');
    fs.mkdirSync(path.join(root, 'sub'));
    fs.writeFileSync(path.join(root, '.gitignore'), '*.log\n!keep.log\n/build\n');
    fs.writeFileSync(path.join(root, 'sub', '.gitignore'), 'data/\n');
    const ex = Exclusions.forRoot(root);
    assert.strictEqual(ex.mode, 'gitignore');
    assert.deepStrictEqual(ex.excludedBy('a.log', false), { file: '.gitignore', line: 1, pattern: '*.log' });
    assert.strictEqual(ex.excludedBy('keep.log', false), undefined);
    assert.ok(ex.excludedBy('build', true));
    assert.strictEqual(ex.excludedBy('sub/build', true), undefined, 'anchored to the root');
    ex.enterDirectory('sub');
    assert.deepStrictEqual(ex.excludedBy('sub/data', true), {
      file: 'sub/.gitignore',
      line: 1,
      pattern: 'data/',
    });
    assert.strictEqual(ex.excludedBy('data', true), undefined, 'sub/.gitignore does not apply above sub');
    fs.writeFileSync(path.join(root, '.skyignore'), 'build\n');
    const sky = Exclusions.forRoot(root);
    assert.strictEqual(sky.mode, 'skyignore');
    assert.strictEqual(sky.excludedBy('a.log', false), undefined);
    assert.ok(sky.excludedBy('sub/build', true), 'unanchored patterns match at every level');
  });
});

describe('launch: SkyPilot environment', () => {
  it('sets run and setup variables like SkyPilot', () => {
    const id = taskIdFor('c', 7, new Date(2026, 0, 2, 3, 4, 5, 6));
    assert.strictEqual(id, 'sky-2026-01-02-03-04-05-006000_c_7');
    const run = skypilotEnv({
      cluster: 'c',
      taskId: id,
      jobId: 7,
      rank: 1,
      ips: ['1.1.1.1', '2.2.2.2'],
      numNodes: 2,
      gpusPerNode: 2,
      phase: 'run',
      user: 'u',
    });
    assert.strictEqual(run.SKYPILOT_NODE_RANK, '1');
    assert.strictEqual(run.SKYPILOT_NODE_IPS, '1.1.1.1\n2.2.2.2');
    assert.strictEqual(run.SKYPILOT_NUM_GPUS_PER_NODE, '2');
    assert.deepStrictEqual(JSON.parse(run.SKYPILOT_CLUSTER_INFO), {
      cluster_name: 'c',
      cloud: 'SSH',
      region: null,
      zone: null,
    });
    const setup = skypilotEnv({
      cluster: 'c',
      taskId: id,
      jobId: 7,
      rank: 0,
      ips: ['1.1.1.1'],
      numNodes: 1,
      gpusPerNode: 0,
      phase: 'setup',
    });
    assert.strictEqual(setup.SKYPILOT_SETUP_NODE_RANK, '0');
    assert.strictEqual(setup.SKYPILOT_NODE_RANK, undefined);
    assert.strictEqual(gpusPerNode({ accelerators: 'A100:8' }), 8);
    assert.strictEqual(gpusPerNode({ accelerators: { H100: 0.5 } }), 1);
    assert.strictEqual(gpusPerNode({}), 0);
    assert.strictEqual(exportLines({ A: "it's $HOME" }), `export A='it'\\''s $HOME'`);
  });
});
