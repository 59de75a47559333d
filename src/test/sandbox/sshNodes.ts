// Cluster nodes: one OpenSSH sshd per node, each with its own host key, hostname and home directory
// (bind-mounted over the test user's home inside a private mount namespace), and, where network
// namespaces are permitted, its own IP.
import * as fs from 'fs';
import * as path from 'path';
import { freePort, Managed, probeTcp, run, startDaemon, waitFor } from './proc';
import type { SandboxNet } from './net';

export const TEST_USER = 'skyuser';

export interface SandboxNode {
  alias: string;
  ip: string;
  port: number;
  user: string;
  /** That node's home directory as seen from this machine's filesystem. */
  home: string;
  /** That node's /mnt as seen from this machine's filesystem. */
  mnt: string;
  hostname: string;
  /** The node's public host key, "ssh-ed25519 AAAA…". */
  hostKey: string;
}

export interface SshCluster {
  clusterName: string;
  user: string;
  keyPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
  nodes: SandboxNode[];
  hostKeys: Record<string, string>;
  processes: Managed[];
}

async function ensureUser(): Promise<{ uid: number; gid: number; home: string }> {
  const passwd = fs.readFileSync('/etc/passwd', 'utf8');
  if (!passwd.split('\n').some((l) => l.startsWith(`${TEST_USER}:`))) {
    await run('useradd', ['-m', '-s', '/bin/bash', TEST_USER]);
  }
  // With UsePAM off, a locked password ('!') refuses even key logins; '*' is unlocked but has no password.
  await run('usermod', ['-p', '*', TEST_USER]);
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${TEST_USER}:`))!;
  const [, , uid, gid, , home] = line.split(':');
  fs.mkdirSync(home, { recursive: true });
  return { uid: Number(uid), gid: Number(gid), home };
}

function chownR(p: string, uid: number, gid: number): void {
  fs.chownSync(p, uid, gid);
  if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownR(path.join(p, e), uid, gid);
}

export async function startSshCluster(
  dir: string,
  workers: number,
  net: SandboxNet | undefined,
  clusterName = 'sky-sbx',
): Promise<SshCluster> {
  fs.mkdirSync('/run/sshd', { recursive: true });
  const user = await ensureUser();
  const keyPath = path.join(dir, 'id_ed25519');
  if (!fs.existsSync(keyPath))
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sky-sandbox', '-f', keyPath]);
  const pub = fs.readFileSync(`${keyPath}.pub`, 'utf8');
  const nodes: SandboxNode[] = [];
  const processes: Managed[] = [];
  const count = workers + 1;
  try {
    for (let i = 0; i < count; i++) {
      const alias = i === 0 ? clusterName : `${clusterName}-worker${i}`;
      const nodeDir = path.join(dir, 'nodes', alias);
      const home = path.join(nodeDir, 'home');
      fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
      fs.writeFileSync(path.join(home, '.ssh', 'authorized_keys'), pub, { mode: 0o600 });
      fs.writeFileSync(path.join(home, '.bashrc'), '# sandbox node\n');
      chownR(home, user.uid, user.gid);
      fs.chmodSync(home, 0o755);
      // Each node also has its own /mnt, writable by the node user (cloud images give sudo; the sandbox gives ownership).
      const mnt = path.join(nodeDir, 'mnt');
      fs.mkdirSync(mnt, { recursive: true });
      chownR(mnt, user.uid, user.gid);
      const hostKeyFile = path.join(nodeDir, 'ssh_host_ed25519_key');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', alias, '-f', hostKeyFile]);
      const hostKey = fs.readFileSync(`${hostKeyFile}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
      const ip = net ? net.nodeIp(i) : '127.0.0.1';
      const port = net ? 22 : await freePort();
      const hostname = `${clusterName}-node${i}`;
      const conf = path.join(nodeDir, 'sshd_config');
      fs.writeFileSync(
        conf,
        [
          `Port ${port}`,
          `ListenAddress ${ip}`,
          `HostKey ${hostKeyFile}`,
          `PidFile ${path.join(nodeDir, 'sshd.pid')}`,
          `AuthorizedKeysFile ${user.home}/.ssh/authorized_keys`,
          'UsePAM no',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'PubkeyAuthentication yes',
          'StrictModes no',
          'AllowTcpForwarding yes',
          'Subsystem sftp internal-sftp',
          'MaxStartups 50:30:100',
          'MaxSessions 50',
          'LogLevel ERROR',
          'PermitUserEnvironment no',
          '',
        ].join('\n'),
      );
      // A private mount namespace gives the node its own home (and hostname, via the UTS namespace),
      // and its own /etc/hosts naming it, as a real machine has: without it every `sudo` on the node
      // waits for DNS to resolve the hostname.
      const hostsFile = path.join(nodeDir, 'hosts');
      fs.writeFileSync(
        hostsFile,
        `${fs.readFileSync('/etc/hosts', 'utf8').trimEnd()}\n127.0.1.1 ${hostname}\n`,
      );
      const inner = `hostname ${hostname}; mount --make-rprivate /; mount --bind '${home}' '${user.home}'; mount --bind '${mnt}' /mnt; mount --bind '${hostsFile}' /etc/hosts; exec /usr/sbin/sshd -D -e -f '${conf}'`;
      const args = net
        ? ['netns', 'exec', net.namespaces[i], 'unshare', '-m', '-u', 'sh', '-c', inner]
        : ['-m', '-u', 'sh', '-c', inner];
      const proc = startDaemon(`sshd ${alias}`, net ? 'ip' : 'unshare', args, path.join(nodeDir, 'sshd.log'));
      processes.push(proc);
      nodes.push({ alias, ip, port, user: TEST_USER, home, mnt, hostname, hostKey });
    }
    await Promise.all(
      nodes.map((n, i) =>
        waitFor(`sshd ${n.alias}`, () => probeTcp(n.ip, n.port, 'SSH-2.0'), 15_000, processes[i].logFile),
      ),
    );
  } catch (err) {
    await Promise.all(processes.map((p) => p.stop()));
    throw err;
  }
  // The head reaches its workers with the cluster's key, as on a SkyPilot cluster (the job driver
  // runs there); a test takes it away to see a head that cannot.
  const headSsh = path.join(nodes[0].home, '.ssh');
  fs.copyFileSync(keyPath, path.join(headSsh, 'id_ed25519'));
  fs.writeFileSync(
    path.join(headSsh, 'known_hosts'),
    nodes
      .slice(1)
      .map((n) => `${n.port === 22 ? n.ip : `[${n.ip}]:${n.port}`} ${n.hostKey}\n`)
      .join(''),
  );
  for (const f of ['id_ed25519', 'known_hosts']) {
    fs.chmodSync(path.join(headSsh, f), 0o600);
    fs.chownSync(path.join(headSsh, f), user.uid, user.gid);
  }
  const knownHostsPath = path.join(dir, 'known_hosts');
  fs.writeFileSync(
    knownHostsPath,
    nodes.map((n) => `${n.port === 22 ? n.ip : `[${n.ip}]:${n.port}`} ${n.hostKey}\n`).join(''),
  );
  const sshConfigPath = path.join(dir, 'ssh_config');
  fs.writeFileSync(
    sshConfigPath,
    nodes
      .map((n) =>
        [
          `Host ${n.alias}`,
          `  HostName ${n.ip}`,
          `  User ${n.user}`,
          `  Port ${n.port}`,
          `  IdentityFile ${keyPath}`,
          '  IdentitiesOnly yes',
          `  UserKnownHostsFile ${knownHostsPath}`,
          '  StrictHostKeyChecking yes',
          '',
        ].join('\n'),
      )
      .join('\n'),
  );
  const hostKeys = Object.fromEntries(nodes.map((n) => [n.alias, n.hostKey]));
  return { clusterName, user: TEST_USER, keyPath, knownHostsPath, sshConfigPath, nodes, hostKeys, processes };
}
