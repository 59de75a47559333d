import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { connect, SshOptions, SshPool } from '../../../engine/ssh/connect';
import { parseSshConfig } from '../../../engine/ssh/config';
import { exec } from '../../../engine/ssh/exec';
import { SkyError } from '../../../engine/util/errors';
import type { PromptUi } from '../../../engine/util/prompt';
import { refusingUi } from '../../../engine/util/prompt';
import { sharedSandbox, type Sandbox, type SandboxNode } from '../../sandbox';
import { Managed, makeTestDir, run, startDaemon, waitFor } from '../../sandbox/proc';

const PASSPHRASE = 'pass phrase';

/** A PromptUi that answers every input() with `answer` and records what it was asked. */
function passphraseUi(answer: string): PromptUi & { asked: { prompt: string; password?: boolean }[] } {
  const asked: { prompt: string; password?: boolean }[] = [];
  return {
    ...refusingUi,
    asked,
    input: async (prompt, options) => {
      asked.push({ prompt, password: options?.password });
      return answer;
    },
  };
}

async function rejects(p: Promise<unknown>): Promise<SkyError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SkyError, `expected a SkyError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the connection to fail');
}

/** Established TCP connections from this machine to ip:22 (the jump host's sshd). */
async function connectionsTo(ip: string, port: number): Promise<number> {
  const out = await run('ss', ['-Htn', 'state', 'established', 'dst', `${ip}:${port}`]);
  return out.split('\n').filter((l) => l.trim()).length;
}

describe('SSH auth and ProxyJump on real sshd nodes', function () {
  this.timeout(120_000);
  let sb: Sandbox;
  let tmp: string;
  let head: SandboxNode;
  let worker: SandboxNode;
  let configFile: string;
  let encKey: string;
  let encPub: string;
  const agents: Managed[] = [];
  let agentSock: string;
  let emptyAgentSock: string;
  const pools: SshPool[] = [];
  const savedAuthSock = process.env.SSH_AUTH_SOCK;

  function opts(extra: Partial<SshOptions> = {}): SshOptions {
    return {
      sshConfig: parseSshConfig(configFile),
      knownHostsFile: sb.ssh!.knownHostsPath,
      strict: 'yes',
      readyTimeoutMs: 15_000,
      ...extra,
    };
  }
  function pool(extra: Partial<SshOptions> = {}): SshPool {
    const p = new SshPool(opts(extra));
    pools.push(p);
    return p;
  }
  async function startAgent(name: string): Promise<string> {
    const sock = path.join(tmp, `${name}.sock`);
    // -D keeps the agent in the foreground, so the PID we hold is the agent's own.
    const agent = startDaemon(
      `ssh-agent ${name}`,
      'ssh-agent',
      ['-D', '-a', sock],
      path.join(tmp, `${name}.log`),
    );
    agents.push(agent);
    await waitFor(`ssh-agent ${name}`, async () => fs.existsSync(sock), 10_000, agent.logFile);
    return sock;
  }
  function block(alias: string, n: SandboxNode, lines: string[]): string {
    return [
      `Host ${alias}`,
      `  HostName ${n.ip}`,
      `  User ${n.user}`,
      `  Port ${n.port}`,
      ...lines.map((l) => `  ${l}`),
      '',
    ].join('\n');
  }

  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    [head, worker] = sb.ssh!.nodes;
    tmp = makeTestDir('sky-sshauth-');
    delete process.env.SSH_AUTH_SOCK;

    encKey = path.join(tmp, 'enc');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-C', 'sky-sshauth-enc', '-f', encKey]);
    encPub = fs.readFileSync(`${encKey}.pub`, 'utf8').trim();
    // Append (not replace) so the file keeps its owner and mode and the sandbox key keeps working.
    for (const n of sb.ssh!.nodes)
      fs.appendFileSync(path.join(n.home, '.ssh', 'authorized_keys'), `${encPub}\n`);

    agentSock = await startAgent('agent');
    emptyAgentSock = await startAgent('empty-agent');
    await run('ssh-add', [sb.ssh!.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: agentSock } });

    // The sandbox's own entries for the nodes (same values as sb.ssh.sshConfigPath), plus ours.
    const key = sb.ssh!.keyPath;
    const withKey = [`IdentityFile ${key}`, 'IdentitiesOnly yes'];
    // Nothing listens on port 1 of the head node: the jump host refuses connections.
    const deadJump: SandboxNode = { ...head, port: 1 };
    configFile = path.join(tmp, 'ssh_config');
    fs.writeFileSync(
      configFile,
      [
        block(head.alias, head, withKey),
        block(worker.alias, worker, withKey),
        block('via-head', worker, [`IdentityFile ${key}`, `ProxyJump ${head.alias}`]),
        block('chain-to-head', head, [`IdentityFile ${key}`, `ProxyJump ${head.alias},${worker.alias}`]),
        block('dead-jump', deadJump, withKey),
        block('via-dead-jump', worker, [`IdentityFile ${key}`, 'ProxyJump dead-jump']),
        // The worker listens on 22 only: the jump host is fine, the hop beyond it is refused.
        block('closed-beyond-jump', { ...worker, port: 2 }, [
          `IdentityFile ${key}`,
          `ProxyJump ${head.alias}`,
        ]),
        block('agent-host', head, [`IdentityAgent ${agentSock}`]),
        block('empty-agent-host', head, [`IdentityAgent ${emptyAgentSock}`]),
        block('env-agent-host', head, []),
        block('env-name-agent-host', head, ['IdentityAgent SSH_AUTH_SOCK']),
        block('env-var-agent-host', head, ['IdentityAgent $SKY_TEST_AGENT_SOCK']),
        block('dead-agent-host', head, [`IdentityAgent ${path.join(tmp, 'no-such-agent.sock')}`]),
        block('no-agent-host', head, ['IdentityAgent none']),
        block('enc-host', head, [`IdentityFile ${encKey}`, 'IdentitiesOnly yes']),
      ].join('\n'),
    );
  });

  after(async () => {
    for (const p of pools) p.closeAll();
    if (savedAuthSock === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = savedAuthSock;
    await Promise.all(agents.map((a) => a.stop()));
    if (sb?.ssh && encPub) {
      for (const n of sb.ssh.nodes) {
        const file = path.join(n.home, '.ssh', 'authorized_keys');
        const kept = fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== encPub);
        // Rewriting in place keeps the owner and mode.
        fs.writeFileSync(file, kept.join('\n'));
      }
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('ProxyJump', () => {
    it('reaches the worker through the head node: the worker sees the head as the client', async function () {
      if (sb.mode !== 'netns') this.skip(); // on loopback every node (and the host) is 127.0.0.1
      const p = pool();
      // Control: a direct connection comes from the host's bridge address.
      const direct = await exec((await p.get(worker.alias)).client, 'echo $SSH_CLIENT');
      assert.strictEqual(direct.stdout.trim().split(' ')[0], sb.serverHost);
      const r = await exec((await p.get('via-head')).client, 'echo $SSH_CLIENT; hostname');
      const [client, hostname] = r.stdout.trim().split('\n');
      assert.strictEqual(client.split(' ')[0], head.ip, `SSH_CLIENT on the worker: ${client}`);
      assert.notStrictEqual(client.split(' ')[0], sb.serverHost);
      assert.strictEqual(hostname, worker.hostname);
    });

    it('follows a chained ProxyJump (head, then worker, then back to head)', async function () {
      if (sb.mode !== 'netns') this.skip();
      const r = await exec((await pool().get('chain-to-head')).client, 'echo $SSH_CLIENT; hostname');
      const [client, hostname] = r.stdout.trim().split('\n');
      assert.strictEqual(client.split(' ')[0], worker.ip, `SSH_CLIENT on the head: ${client}`);
      assert.strictEqual(hostname, head.hostname);
    });

    it('an unreachable jump host gives a clear error naming it', async () => {
      const err = await rejects(connect('via-dead-jump', opts()));
      assert.strictEqual(err.code, 'ssh-unreachable', err.message);
      assert.match(err.message, /dead-jump/);
      assert.match(err.message, /refused/);
    });

    it('a target the jump host cannot reach gives a clear error, and the jump connection is closed', async function () {
      if (sb.mode !== 'netns') this.skip(); // counting connections to the head needs its own IP
      const before = await connectionsTo(head.ip, head.port);
      const err = await rejects(connect('closed-beyond-jump', opts()));
      assert.strictEqual(err.code, 'ssh-unreachable', err.message);
      assert.match(err.message, /closed-beyond-jump/);
      assert.match(err.message, new RegExp(head.alias));
      const deadline = Date.now() + 5000;
      let now = await connectionsTo(head.ip, head.port);
      while (now > before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        now = await connectionsTo(head.ip, head.port);
      }
      assert.strictEqual(now, before, 'the connection to the jump host must not leak');
    });
  });

  describe('agent auth', () => {
    it('authenticates with the key held by the agent named in IdentityAgent (no IdentityFile)', async () => {
      const conn = await connect('agent-host', opts());
      try {
        assert.deepStrictEqual(conn.host.identityFiles, []);
        const r = await exec(conn.client, 'hostname');
        assert.strictEqual(r.stdout.trim(), head.hostname);
      } finally {
        conn.close();
      }
    });

    it('uses SSH_AUTH_SOCK when no IdentityAgent is set, and for IdentityAgent SSH_AUTH_SOCK / $VAR', async () => {
      process.env.SSH_AUTH_SOCK = agentSock;
      process.env.SKY_TEST_AGENT_SOCK = agentSock;
      try {
        for (const alias of ['env-agent-host', 'env-name-agent-host', 'env-var-agent-host']) {
          const conn = await connect(alias, opts());
          try {
            assert.strictEqual((await exec(conn.client, 'hostname')).stdout.trim(), head.hostname, alias);
          } finally {
            conn.close();
          }
        }
      } finally {
        delete process.env.SSH_AUTH_SOCK;
        delete process.env.SKY_TEST_AGENT_SOCK;
      }
    });

    it('an agent socket nobody listens on gives an authentication error naming it (no uncaught error)', async () => {
      const err = await rejects(connect('dead-agent-host', opts()));
      assert.strictEqual(err.code, 'ssh-auth', err.message);
      assert.ok(err.message.includes(path.join(tmp, 'no-such-agent.sock')), err.message);
    });

    it('an empty agent fails with a clear authentication error', async () => {
      const err = await rejects(connect('empty-agent-host', opts()));
      assert.strictEqual(err.code, 'ssh-auth', err.message);
      assert.match(err.message, /Authentication to empty-agent-host .* failed \(tried: agent\)/);
    });

    it('IdentityAgent none does not fall back to SSH_AUTH_SOCK', async () => {
      process.env.SSH_AUTH_SOCK = agentSock;
      try {
        const err = await rejects(connect('no-agent-host', opts()));
        assert.strictEqual(err.code, 'ssh-auth', err.message);
      } finally {
        delete process.env.SSH_AUTH_SOCK;
      }
    });
  });

  describe('passphrase-protected key', () => {
    it('asks for the passphrase (as a password, naming the key) and connects', async () => {
      const ui = passphraseUi(PASSPHRASE);
      const r = await exec((await pool({ ui }).get('enc-host')).client, 'hostname');
      assert.strictEqual(r.stdout.trim(), head.hostname);
      assert.strictEqual(ui.asked.length, 1);
      assert.ok(ui.asked[0].prompt.includes(encKey), ui.asked[0].prompt);
      assert.strictEqual(ui.asked[0].password, true);
    });

    it('a wrong passphrase gives a clear SkyError without the passphrase', async () => {
      const wrong = 'not the phrase';
      const err = await rejects(connect('enc-host', opts({ ui: passphraseUi(wrong) })));
      assert.strictEqual(err.code, 'ssh-passphrase', err.message);
      assert.match(err.message, /passphrase/i);
      assert.ok(err.message.includes(encKey), err.message);
      for (const text of [err.message, err.hint ?? '']) {
        assert.ok(!text.includes(wrong) && !text.includes(PASSPHRASE), text);
      }
      // Nothing broke: the right passphrase still works afterwards.
      const conn = await connect('enc-host', opts({ ui: passphraseUi(PASSPHRASE) }));
      conn.close();
    });

    it('without a UI: "A passphrase is needed for …"', async () => {
      const err = await rejects(connect('enc-host', opts()));
      assert.strictEqual(err.code, 'ssh-passphrase');
      assert.strictEqual(err.message, `A passphrase is needed for ${encKey}.`);
    });
  });
});
