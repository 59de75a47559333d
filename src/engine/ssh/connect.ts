// SSH connections with ssh2: host keys verified against known_hosts, key/agent auth (passphrases asked
// through the PromptUi), ProxyJump chains, keepalive, and clear errors for what users hit.
import * as fs from 'fs';
import { Client, ConnectConfig, utils } from 'ssh2';
import type SSHConfig from 'ssh-config';
import { SkyError } from '../util/errors';
import type { LogSink } from '../util/log';
import { noLog } from '../util/log';
import type { PromptUi } from '../util/prompt';
import { refusingUi } from '../util/prompt';
import { registerSecret } from '../util/redact';
import { expandHome } from '../config/paths';
import { resolveHost, ResolvedHost } from './config';
import { appendKnownHost, checkHostKey, fingerprintSha256, keyTypeOf, knownHostsName } from './knownHosts';

export type StrictMode = 'ask' | 'yes' | 'accept-new';

export interface SshOptions {
  sshConfig?: SSHConfig;
  /** Our known_hosts file (new keys are recorded here). */
  knownHostsFile: string;
  strict: StrictMode;
  ui?: PromptUi;
  log?: LogSink;
  readyTimeoutMs?: number;
  /** For tests: called with the raw socket once connected (to simulate a dropped connection). */
  onSocket?: (destroy: () => void) => void;
}

export interface SshConnection {
  alias: string;
  host: ResolvedHost;
  client: Client;
  close(): void;
  readonly closed: boolean;
}

function readKey(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function isEncrypted(key: Buffer): boolean {
  const text = key.toString();
  if (text.includes('ENCRYPTED')) return true;
  if (text.includes('BEGIN OPENSSH PRIVATE KEY')) {
    const b64 = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const raw = Buffer.from(b64, 'base64');
    // openssh-key-v1\0, then the cipher name as a length-prefixed string.
    const off = 15;
    const len = raw.readUInt32BE(off);
    return raw.subarray(off + 4, off + 4 + len).toString() !== 'none';
  }
  return false;
}

async function verifyHostKey(host: ResolvedHost, key: Buffer, opts: SshOptions): Promise<boolean> {
  const files = [opts.knownHostsFile, ...host.userKnownHostsFiles.filter((f) => f !== '/dev/null')];
  const names = [knownHostsName(host.hostName, host.port)];
  if (host.alias !== host.hostName) names.push(knownHostsName(host.alias, host.port));
  const res = checkHostKey(files, names, key);
  const fp = fingerprintSha256(key);
  const log = opts.log ?? noLog;
  if (res.status === 'match') return true;
  if (res.status === 'revoked') {
    throw new SkyError(
      'ssh-host-key-revoked',
      `Host key for ${host.alias} (${fp}) is marked @revoked in ${res.file} line ${res.line}.`,
    );
  }
  if (res.status === 'mismatch') {
    throw new SkyError(
      'ssh-host-key-changed',
      `Host key for ${host.alias} (${names[0]}) changed (${res.file} line ${res.line}); the server now presents ${keyTypeOf(key)} ${fp}.`,
      {
        hint: 'If the machine was rebuilt, remove that line from the known_hosts file and try again; otherwise someone may be intercepting the connection.',
      },
    );
  }
  if (opts.strict === 'yes') {
    throw new SkyError(
      'ssh-host-key-unknown',
      `Host key for ${host.alias} (${names[0]}) is not known: ${keyTypeOf(key)} ${fp}.`,
      {
        hint: `strictHostKeyChecking is 'yes': add the key to ${opts.knownHostsFile} (e.g. ssh-keyscan after checking the fingerprint) or use 'ask'/'accept-new'.`,
      },
    );
  }
  if (opts.strict === 'ask') {
    const ok = await (opts.ui ?? refusingUi).confirm(
      `The authenticity of host '${host.alias}' (${names[0]}) can't be established. ${keyTypeOf(key)} key fingerprint is ${fp}. Trust it and connect?`,
      { confirmLabel: 'Trust and connect' },
    );
    if (!ok)
      throw new SkyError('ssh-host-key-rejected', `Host key for ${host.alias} (${fp}) was not accepted.`);
  }
  appendKnownHost(opts.knownHostsFile, names[0], key);
  log.info(`Recorded host key for ${host.alias} (${fp}) in ${opts.knownHostsFile}`);
  return true;
}

/** The agent socket for a host, read the way OpenSSH reads IdentityAgent. */
function agentSocket(host: ResolvedHost): string | undefined {
  const ia = host.identityAgent;
  // 'none' disables the agent (it must not fall back to SSH_AUTH_SOCK); 'SSH_AUTH_SOCK' and '$VAR' name
  // an environment variable rather than a socket path.
  if (ia === undefined || ia === 'SSH_AUTH_SOCK') return process.env.SSH_AUTH_SOCK || undefined;
  if (ia.toLowerCase() === 'none') return undefined;
  if (ia.startsWith('$')) return process.env[ia.slice(1).replace(/^\{(.*)\}$/, '$1')] || undefined;
  return expandHome(ia);
}

function describeConnectError(
  host: ResolvedHost,
  err: Error & { code?: string; level?: string },
  agentError?: { socket: string; err: Error },
): SkyError {
  if (err instanceof SkyError) return err;
  const where = `${host.alias} (${host.user}@${host.hostName}:${host.port})`;
  if (err.code === 'ECONNREFUSED')
    return new SkyError('ssh-unreachable', `Cannot connect to ${where}: connection refused.`, {
      cause: err,
      hint: 'Is sshd running on that port?',
    });
  if (
    err.code === 'EHOSTUNREACH' ||
    err.code === 'ENETUNREACH' ||
    err.code === 'ENOTFOUND' ||
    err.code === 'EAI_AGAIN'
  )
    return new SkyError('ssh-unreachable', `Cannot reach ${where}: ${err.code}.`, {
      cause: err,
      hint: 'Check the HostName in your SSH config and your network.',
    });
  if (err.level === 'client-timeout' || /Timed out/i.test(err.message))
    return new SkyError('ssh-timeout', `Timed out connecting to ${where}.`, {
      cause: err,
      hint: 'The host may be down or a firewall drops SSH.',
    });
  if (err.level === 'client-authentication')
    return new SkyError(
      'ssh-auth',
      `Authentication to ${where} failed (tried: ${host.identityFiles.join(', ') || 'agent'}).` +
        (agentError ? ` The SSH agent at ${agentError.socket} failed: ${agentError.err.message}.` : ''),
      { cause: err, hint: 'Check User and IdentityFile in your SSH config.' },
    );
  return new SkyError('ssh-error', `SSH to ${where} failed: ${err.message}`, { cause: err });
}

async function openClient(
  host: ResolvedHost,
  opts: SshOptions,
  sock?: NodeJS.ReadableStream,
): Promise<Client> {
  const cfg: ConnectConfig = {
    host: host.hostName,
    port: host.port,
    username: host.user,
    readyTimeout: host.connectTimeoutMs ?? opts.readyTimeoutMs ?? 20_000,
    keepaliveInterval: 10_000,
    keepaliveCountMax: 3,
  };
  if (sock) cfg.sock = sock as ConnectConfig['sock'];
  for (const f of host.identityFiles) {
    const key = readKey(f);
    if (!key) continue;
    cfg.privateKey = key;
    if (isEncrypted(key)) {
      const pass = await (opts.ui ?? refusingUi).input(`Passphrase for ${f}`, { password: true });
      if (pass === undefined) throw new SkyError('ssh-passphrase', `A passphrase is needed for ${f}.`);
      registerSecret(pass);
      // Checked here: ssh2 would only say "Cannot parse privateKey: ... integrity check failed", without the file.
      if (utils.parseKey(key, pass) instanceof Error)
        throw new SkyError('ssh-passphrase', `Wrong passphrase for ${f}.`, {
          hint: 'Try again, or check the key with: ssh-keygen -y -f <key>',
        });
      cfg.passphrase = pass;
    }
    break;
  }
  const agent = agentSocket(host);
  if (agent && !host.identitiesOnly) cfg.agent = agent;
  if (!cfg.privateKey && !cfg.agent && agent) cfg.agent = agent;
  let verifyError: Error | undefined;
  cfg.hostVerifier = ((key: Buffer, done: (ok: boolean) => void) => {
    verifyHostKey(host, key, opts).then(done, (e: Error) => {
      verifyError = e;
      done(false);
    });
  }) as unknown as ConnectConfig['hostVerifier'];
  const client = new Client();
  let agentError: { socket: string; err: Error } | undefined;
  return new Promise<Client>((resolve, reject) => {
    let ready = false;
    client.once('ready', () => {
      ready = true;
      resolve(client);
    });
    // `on`, not `once`: ssh2 reports an unreachable agent as an error and then goes on with the other
    // methods, emitting a second error if they fail too, which would otherwise be uncaught (a crash).
    client.on('error', (err: Error & { level?: string }) => {
      if (ready) return; // later errors are the caller's (connect() listens too)
      if (err.level === 'agent' && cfg.agent) {
        agentError = { socket: String(cfg.agent), err };
        return;
      }
      client.end();
      reject(verifyError ?? describeConnectError(host, err, agentError));
    });
    try {
      client.connect(cfg);
    } catch (err) {
      reject(describeConnectError(host, err as Error));
    }
  });
}

/** Connects to an alias (resolving ProxyJump hops first). */
export async function connect(alias: string, opts: SshOptions): Promise<SshConnection> {
  const host = resolveHost(alias, opts.sshConfig);
  let sock: NodeJS.ReadableStream | undefined;
  const jumps: Client[] = [];
  let client: Client;
  try {
    if (host.proxyJump) {
      // ProxyJump a,b: connect to a, then through it to b, then through b to the target.
      let via: { client: Client; alias: string } | undefined;
      for (const hop of host.proxyJump.split(',')) {
        const [userPart, hostPart] = hop.includes('@') ? hop.split('@') : [undefined, hop];
        const [hName, hPort] = hostPart.split(':');
        const h = resolveHost(hName, opts.sshConfig);
        if (userPart) h.user = userPart;
        if (hPort) h.port = Number(hPort);
        const hopSock = via ? await forward(via, h) : undefined;
        via = { client: await openClient(h, opts, hopSock), alias: h.alias };
        jumps.push(via.client);
      }
      sock = await forward(via!, host);
    }
    client = await openClient(host, opts, sock);
  } catch (err) {
    // Without this the jump hosts' connections stay open after a failed hop.
    for (const j of jumps) j.end();
    throw err;
  }
  // Without TCP_NODELAY every short request (open a channel, run a command) waits ~40 ms for the
  // peer's delayed ACK (Nagle); OpenSSH sets it on interactive sessions too.
  client.setNoDelay(true);
  for (const j of jumps) j.setNoDelay(true);
  let closed = false;
  client.on('close', () => {
    closed = true;
    for (const j of jumps) j.end();
  });
  client.on('error', () => undefined);
  opts.onSocket?.(() => {
    const s = (client as unknown as { _sock?: { destroy(): void } })._sock;
    s?.destroy();
  });
  return {
    alias,
    host,
    client,
    close: () => client.end(),
    get closed() {
      return closed;
    },
  };
}

function forward(via: { client: Client; alias: string }, to: ResolvedHost): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    via.client.forwardOut('127.0.0.1', 0, to.hostName, to.port, (err, stream) =>
      err
        ? // ssh2's own message ("(SSH) Channel open failure: ...") names neither host.
          reject(
            new SkyError(
              'ssh-unreachable',
              `Cannot reach ${to.alias} (${to.user}@${to.hostName}:${to.port}) through jump host ${via.alias}: ${err.message}`,
              { cause: err, hint: `Check that ${via.alias} can connect to ${to.hostName}:${to.port}.` },
            ),
          )
        : resolve(stream),
    ),
  );
}

/**
 * One pooled connection per node, reused across commands and replaced when it drops. A refresh that
 * rebuilds the pool (a changed config applies to new operations) retires the old one instead of closing
 * it: its connections stay open for the users holding a lease (a running launch, a log terminal, a
 * download) and close when the last of them releases it. closeAll() closes at once (one-shot CLI).
 */
export class SshPool {
  private readonly conns = new Map<string, Promise<SshConnection>>();
  private leases = 0;
  private retired = false;
  constructor(private readonly opts: SshOptions) {}

  get(alias: string): Promise<SshConnection> {
    // Nobody could release a connection opened here, so it would stay open until the process ends.
    if (this.retired && this.leases === 0)
      return Promise.reject(
        new SkyError('ssh-pool-retired', `The SSH connections for ${alias} were closed by a refresh.`, {
          hint: 'Run the command again.',
        }),
      );
    const existing = this.conns.get(alias);
    if (existing) {
      return existing.then((c) => (c.closed ? this.reconnect(alias) : c));
    }
    return this.reconnect(alias);
  }

  /** Marks one user of the pool until the returned function is called (calling it again does nothing). */
  lease(): () => void {
    this.leases++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.leases--;
      if (this.retired && this.leases === 0) this.closeAll();
    };
  }

  /** No new users: the connections close now if nobody holds a lease, else when the last lease is released. */
  retire(): void {
    this.retired = true;
    if (this.leases === 0) this.closeAll();
  }

  private reconnect(alias: string): Promise<SshConnection> {
    const p = connect(alias, this.opts);
    this.conns.set(alias, p);
    p.then(
      (c) => c.client.on('close', () => this.conns.get(alias) === p && this.conns.delete(alias)),
      () => this.conns.delete(alias),
    );
    return p;
  }

  /** Drops a connection (e.g. after an error) so the next get() reconnects. */
  drop(alias: string): void {
    const p = this.conns.get(alias);
    this.conns.delete(alias);
    void p?.then(
      (c) => c.close(),
      () => undefined,
    );
  }

  closeAll(): void {
    for (const alias of [...this.conns.keys()]) this.drop(alias);
  }
}
