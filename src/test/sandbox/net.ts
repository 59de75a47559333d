// Test hosts in network namespaces: a bridge in the host namespace, one namespace per node joined to it
// by a veth pair. Each node gets its own IP; the host side of the bridge is the address servers that the
// nodes must reach (S3, Azure, fakes) listen on.
import * as crypto from 'crypto';
import { run } from './proc';

export interface SandboxNet {
  id: string;
  bridge: string;
  hostIp: string;
  subnet: string;
  namespaces: string[];
  nodeIp(i: number): string;
  destroy(): Promise<void>;
}

export async function netnsSupported(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const probe = `skyprobe${process.pid}`;
  try {
    await run('ip', ['netns', 'add', probe]);
    await run('ip', ['netns', 'del', probe]);
    return true;
  } catch {
    return false;
  }
}

export async function createNet(nodes: number): Promise<SandboxNet> {
  const id = crypto.randomBytes(3).toString('hex');
  const used = await run('ip', ['-o', 'addr']);
  let third = 0;
  for (let tries = 0; tries < 50; tries++) {
    const n = 100 + Math.floor(Math.random() * 150);
    if (!used.includes(`10.213.${n}.`)) {
      third = n;
      break;
    }
  }
  if (!third) throw new Error('no free 10.213.x.0/24 subnet for the sandbox');
  const prefix = `10.213.${third}`;
  const bridge = `skb${id}`;
  const namespaces: string[] = [];
  const net: SandboxNet = {
    id,
    bridge,
    hostIp: `${prefix}.1`,
    subnet: `${prefix}.0/24`,
    namespaces,
    nodeIp: (i) => `${prefix}.${11 + i}`,
    async destroy() {
      // What the nodes started (rclone mount daemons, detached jobs) lives in our namespaces and
      // would outlive them: TERM (rclone unmounts), then KILL what is left.
      const pidsIn = async (ns: string) =>
        (await run('ip', ['netns', 'pids', ns]).catch(() => ''))
          .split(/\s+/)
          .filter((x) => /^\d+$/.test(x))
          .map(Number);
      for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
        const pids = (await Promise.all(namespaces.map(pidsIn))).flat();
        for (const pid of pids) {
          try {
            process.kill(pid, sig);
          } catch {
            /* already gone */
          }
        }
        if (pids.length && sig === 'SIGTERM') await new Promise((r) => setTimeout(r, 1000));
      }
      for (const ns of namespaces) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
      await run('ip', ['link', 'del', bridge]).catch(() => undefined);
    },
  };
  try {
    await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', `${net.hostIp}/24`, 'dev', bridge]);
    await run('ip', ['link', 'set', bridge, 'up']);
    for (let i = 0; i < nodes; i++) {
      const ns = `sky${id}n${i}`;
      const vh = `skv${id}h${i}`;
      const vn = `skv${id}n${i}`;
      await run('ip', ['netns', 'add', ns]);
      namespaces.push(ns);
      await run('ip', ['link', 'add', vh, 'type', 'veth', 'peer', 'name', vn]);
      await run('ip', ['link', 'set', vn, 'netns', ns]);
      await run('ip', ['link', 'set', vh, 'master', bridge]);
      await run('ip', ['link', 'set', vh, 'up']);
      await run('ip', ['-n', ns, 'addr', 'add', `${net.nodeIp(i)}/24`, 'dev', vn]);
      await run('ip', ['-n', ns, 'link', 'set', vn, 'up']);
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await run('ip', ['-n', ns, 'route', 'add', 'default', 'via', net.hostIp]);
    }
  } catch (err) {
    await net.destroy();
    throw err;
  }
  return net;
}
