// Values from files and nodes that must never become syntax: ssh-config directives from a node pools
// file or our config, job ids read back from a node, unreadable known_hosts files, and the ssh
// command line the editor copies for a node.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { discoverClusters } from '../../../engine/cluster/clusters';
import { emptyConfig } from '../../../engine/config/config';
import { resolveHost } from '../../../engine/ssh/config';
import { checkHostKey } from '../../../engine/ssh/knownHosts';
import { sshArgv, sshShellLine } from '../../../engine/ssh/sshCommand';
import { jobDir, parseJobId } from '../../../engine/launch/scripts';
import { makeTestDir } from '../../sandbox/proc';

const INJECTION = '10.0.0.9\n  ProxyCommand touch /tmp/sky-unit-proxycommand';

describe('unsafe inputs: ssh-config values from node pools and the config', () => {
  const tmp = makeTestDir('sky-unit-unsafe-');
  const sshCfg = path.join(tmp, 'ssh_config');
  fs.writeFileSync(sshCfg, 'Host *\n  User me\n');

  function pools(yaml: string): string {
    const file = path.join(tmp, `pools-${crypto.randomBytes(4).toString('hex')}.yaml`);
    fs.writeFileSync(file, yaml);
    return file;
  }

  it('a newline + ProxyCommand in a node pools host is refused naming the cluster and file; no ProxyCommand results', () => {
    const file = pools(`evil:\n  hosts:\n    - ${JSON.stringify(INJECTION)}\n`);
    const cfg = { ...emptyConfig(), ssh: { configFile: sshCfg }, nodePoolsFile: file };
    assert.throws(
      () => discoverClusters(cfg),
      (e: Error) =>
        e.message.includes(`Cluster 'evil' in the SSH Node Pools file ${file}`) &&
        /host ".*" contains a newline or control character/.test(e.message),
    );
    // The same through user and identity_file of an object host.
    for (const field of ['user', 'identity_file']) {
      const f = pools(
        `evil:\n  hosts:\n    - ip: 10.0.0.9\n      ${field}: ${JSON.stringify(`x\nProxyCommand touch /tmp/p`)}\n`,
      );
      assert.throws(
        () => discoverClusters({ ...emptyConfig(), ssh: { configFile: sshCfg }, nodePoolsFile: f }),
        /Cluster 'evil' in the SSH Node Pools file .*contains a newline/,
      );
    }
  });

  it('a newline in a config cluster value (port as a string too) is refused; a pool name cannot add Host patterns', () => {
    const port = {
      ...emptyConfig(),
      ssh: { configFile: sshCfg },
      nodePoolsFile: path.join(tmp, 'none.yaml'),
    };
    port.clusters = {
      c: { nodes: [{ host: '10.0.0.9', port: '22\nProxyCommand touch /tmp/p' as unknown as number }] },
    };
    port.source = path.join(tmp, 'config.yaml');
    assert.throws(
      () => discoverClusters(port),
      /Cluster 'c' in .*config\.yaml: port ".*" must be a port number/,
    );
    const host = { ...port, clusters: { c: { nodes: [{ host: INJECTION }] } } };
    assert.throws(() => discoverClusters(host), /Cluster 'c' in .*config\.yaml: host .* contains a newline/);
    const spaced = pools(`"a b":\n  hosts: [10.0.0.9]\n`);
    assert.throws(
      () => discoverClusters({ ...emptyConfig(), ssh: { configFile: sshCfg }, nodePoolsFile: spaced }),
      /node name "a b" must not contain spaces/,
    );
  });

  it('values with spaces are quoted: the identity file and user resolve whole, and nothing else is set', () => {
    const file = pools(
      `lab:\n  identity_file: "${tmp}/my keys/id"\n  hosts:\n    - ip: 10.0.0.9\n      user: "first last"\n      port: 2222\n`,
    );
    const inv = discoverClusters({ ...emptyConfig(), ssh: { configFile: sshCfg }, nodePoolsFile: file });
    const h = resolveHost('lab', inv.sshConfig);
    assert.deepStrictEqual(
      [h.hostName, h.user, h.port, h.identityFiles, h.proxyJump],
      ['10.0.0.9', 'first last', 2222, [`${tmp}/my keys/id`], undefined],
    );
    assert.strictEqual((inv.sshConfig.compute('lab') as Record<string, unknown>).ProxyCommand, undefined);
  });
});

describe('unsafe inputs: job ids', () => {
  it('only positive integers are job ids; anything else is an error naming where it came from', () => {
    assert.strictEqual(parseJobId('42', 'x'), 42);
    assert.strictEqual(parseJobId(7, 'x'), 7);
    for (const bad of [
      '',
      '0',
      '-1',
      '1e3',
      '1.5',
      '0x10',
      '1; touch /tmp/p',
      '$(id)',
      ' ',
      '99999999999999999',
    ])
      assert.throws(
        () => parseJobId(bad, 'the head'),
        /Invalid job id .* from the head: a job id is a positive integer/,
      );
    for (const bad of [0, -3, 1.5, NaN, Infinity])
      assert.throws(() => parseJobId(bad, 'x'), /Invalid job id/);
    // Every remote command of a job goes through its folder: a bad id never reaches one.
    assert.throws(() => jobDir('1; rm -rf ~' as unknown as number), /Invalid job id/);
    assert.strictEqual(jobDir(3), '~/.sky-vscode/jobs/3');
  });
});

describe('unsafe inputs: unreadable known_hosts files', () => {
  const tmp = makeTestDir('sky-unit-kh-');
  const key = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.alloc(36, 7)]);

  it('an absent file counts as empty; a folder at that path is an error naming it', () => {
    assert.deepStrictEqual(checkHostKey([path.join(tmp, 'absent')], ['h'], key), { status: 'unknown' });
    const dir = path.join(tmp, 'known_hosts');
    fs.mkdirSync(dir);
    assert.throws(
      () => checkHostKey([path.join(tmp, 'absent'), dir], ['h'], key),
      (e: Error) => e.message === `Cannot read the known_hosts file ${dir}: it is a folder.`,
    );
  });

  it('a file the user may not read (EACCES, as a non-root user) is an error naming it, not "unknown"', function () {
    if (process.getuid?.() !== 0) this.skip(); // needs root to run the check as another user
    const dir = makeTestDir('sky-unit-kh-eacces-');
    fs.chmodSync(dir, 0o755);
    const file = path.join(dir, 'known_hosts');
    fs.writeFileSync(file, `h ssh-ed25519 ${key.toString('base64')}\n`, { mode: 0o600 });
    const mod = path.resolve(__dirname, '../../../engine/ssh/knownHosts.js');
    const script = `
      const { checkHostKey } = require(${JSON.stringify(mod)});
      try { console.log(JSON.stringify(checkHostKey([${JSON.stringify(file)}], ['h'], Buffer.from(${JSON.stringify(key.toString('base64'))}, 'base64')))); }
      catch (e) { console.log('ERROR ' + e.message); }`;
    const nobody = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
    assert.strictEqual(
      nobody.stdout.trim(),
      `ERROR Cannot read the known_hosts file ${file}: permission denied.`,
      nobody.stderr,
    );
  });
});

describe('unsafe inputs: the ssh command line copied for a node', () => {
  it('every value reaches ssh as one argument through a real POSIX shell: $(…), backticks, quotes, spaces', () => {
    const tmp = makeTestDir('sky-unit-sshline-');
    const marker = path.join(tmp, 'pwned');
    // Relative: the shell runs in tmp, where an executed `touch pwned` would leave the marker.
    const weird = path.join(tmp, `cfg $(touch pwned) \`touch pwned\` it's "q"`);
    fs.mkdirSync(weird);
    const cfgFile = path.join(weird, 'ssh_config');
    fs.writeFileSync(cfgFile, 'Host user-node\n  HostName 10.0.0.7\n');
    // An identity file may hold anything but a double quote (SSH config cannot hold one).
    const idFile = path.join(tmp, `id $(touch pwned) \`touch pwned\` it's`);
    const pools = path.join(weird, 'pools.yaml');
    fs.writeFileSync(pools, `pool:\n  identity_file: ${JSON.stringify(idFile)}\n  hosts: [10.0.0.8]\n`);
    const inv = discoverClusters({ ...emptyConfig(), ssh: { configFile: cfgFile }, nodePoolsFile: pools });
    for (const alias of ['user-node', 'pool']) {
      const argv = sshArgv({ alias, sshConfig: inv.sshConfig, sshConfigFile: inv.sshConfigFile });
      const line = sshShellLine(argv);
      // The shell reads the line; `ssh` here is a function printing the arguments it received.
      const r = spawnSync('sh', ['-c', `ssh() { printf '%s\\0' "$@"; }\n${line}`], {
        encoding: 'utf8',
        cwd: tmp,
      });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(r.stdout.split('\0').slice(0, -1), argv, line);
      assert.ok(!fs.existsSync(marker), `the shell ran a command from ${line}`);
    }
    assert.deepStrictEqual(
      sshArgv({ alias: 'user-node', sshConfig: inv.sshConfig, sshConfigFile: cfgFile }),
      ['-F', cfgFile, '--', 'user-node'],
    );
    assert.deepStrictEqual(sshArgv({ alias: 'pool', sshConfig: inv.sshConfig, sshConfigFile: cfgFile }), [
      '-F',
      cfgFile,
      '-p',
      '22',
      '-i',
      idFile,
      '--',
      `${os.userInfo().username}@10.0.0.8`,
    ]);
  });
});
