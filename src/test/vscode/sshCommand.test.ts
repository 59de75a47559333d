// Copy SSH Command and Open SSH Terminal on a node whose config file and identity file live under
// paths holding $(…), backticks, quotes and spaces: the copied line, run by a real POSIX shell,
// reaches the sandbox node and runs nothing else; the terminal reaches it through ssh's own argv.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ClusterTreeItem } from '../../services/clusterItems';
import { makeTestDir } from '../sandbox/proc';
import { api } from './extensionApi';

type NodeItem = Extract<ClusterTreeItem, { kind: 'node' }>;

interface SandboxJson {
  ssh: {
    keyPath: string;
    knownHostsPath: string;
    sshConfigPath: string;
    nodes: { alias: string; ip: string; port: number; user: string; home: string; hostname: string }[];
  };
}

describe('clusters: the ssh command of a node under paths full of shell syntax (sandbox sshd node)', function () {
  this.timeout(120_000);
  const sandbox = JSON.parse(fs.readFileSync(process.env.SKY_SANDBOX_JSON!, 'utf8')) as SandboxJson;
  const head = sandbox.ssh.nodes[0];
  const tmp = makeTestDir('sky-vsc-sshcmd-');
  const marker = path.join(tmp, 'pwned');
  const nasty = `$(touch ${marker}) \`touch ${marker}\` it's`;
  let nodes: NodeItem[] = [];

  before(async () => {
    // SSH config and sky config under a folder with a double quote too; the key (SSH config cannot
    // hold a double quote in a value) under one with everything else.
    const dir = path.join(tmp, `cfg ${nasty} "q"`);
    fs.mkdirSync(dir, { recursive: true });
    const key = path.join(tmp, `id ${nasty}`, 'key');
    fs.mkdirSync(path.dirname(key), { recursive: true });
    fs.copyFileSync(sandbox.ssh.keyPath, key);
    fs.chmodSync(key, 0o600);
    const sshConfig = path.join(dir, 'ssh_config');
    fs.writeFileSync(
      sshConfig,
      `${fs.readFileSync(sandbox.ssh.sshConfigPath, 'utf8')}\nHost ${head.ip}\n  UserKnownHostsFile ${sandbox.ssh.knownHostsPath}\n  StrictHostKeyChecking yes\n`,
    );
    const config = path.join(dir, 'config.yaml');
    fs.writeFileSync(
      config,
      JSON.stringify({
        ssh: {
          configFile: sshConfig,
          knownHostsFile: sandbox.ssh.knownHostsPath,
          strictHostKeyChecking: 'yes',
        },
        clusters: {
          qpool: { nodes: [{ host: head.ip, user: head.user, port: head.port, identityFile: key }] },
        },
      }),
    );
    await vscode.workspace
      .getConfiguration('sky')
      .update('configFile', config, vscode.ConfigurationTarget.Global);
    const a = await api();
    a.clusters.session.refresh();
    const roots = await a.clusters.tree.getChildren();
    for (const name of ['sky-sbx', 'qpool']) {
      const cluster = roots.find((r) => r.kind === 'cluster' && r.cluster.name === name);
      assert.ok(cluster, `${name} in the Clusters view`);
      nodes.push((await a.clusters.tree.getChildren(cluster)).find((c) => c.kind === 'node') as NodeItem);
    }
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('sky')
      .update('configFile', undefined, vscode.ConfigurationTarget.Global);
    (await api()).clusters.session.refresh();
    nodes = [];
  });

  it('Copy SSH Command: the line, run by sh, connects (by alias, and by address + key for a config cluster) and runs nothing else', async () => {
    for (const item of nodes) {
      const line = await vscode.commands.executeCommand<string>('sky.copySshCommand', item);
      assert.strictEqual(await vscode.env.clipboard.readText(), line);
      const r = spawnSync('sh', ['-c', `${line} echo connected-to '$(hostname)'`], {
        cwd: tmp,
        input: '',
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.strictEqual(r.status, 0, `${line}\n${r.stderr}`);
      assert.strictEqual(r.stdout.trim(), `connected-to ${head.hostname}`, line);
      assert.ok(!fs.existsSync(marker), `the shell ran a command from: ${line}`);
    }
  });

  it('Open SSH Terminal: ssh starts with its arguments (no shell line) and reaches the node', async () => {
    for (const item of nodes) {
      const flag = `.sky-term-${crypto.randomBytes(6).toString('hex')}`;
      const t = await vscode.commands.executeCommand<vscode.Terminal>('sky.openSshTerminal', item);
      try {
        assert.strictEqual((t.creationOptions as vscode.TerminalOptions).shellPath, 'ssh');
        t.sendText(`touch ~/${flag}; exit`);
        const file = path.join(head.home, flag);
        const end = Date.now() + 60_000;
        while (!fs.existsSync(file) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
        assert.ok(fs.existsSync(file), `${item.node.alias}: the terminal's ssh did not reach the node`);
        fs.rmSync(file);
      } finally {
        t.dispose();
      }
      assert.ok(!fs.existsSync(marker), 'a command in a path ran');
    }
  });
});
