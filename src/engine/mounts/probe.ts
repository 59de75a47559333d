// What a node has for mounting (rclone, FUSE, sudo), probed before anything is mounted on any node.
import type { Client } from 'ssh2';
import type { ClusterNode } from '../cluster/clusters';
import { exec } from '../ssh/exec';
import type { CancellationToken } from '../util/cancellation';
import { SkyError } from '../util/errors';
import { PROBE_SCRIPT } from './nodeScripts';
import type { Attachment } from './resolve';

export interface Probe {
  /** What the probe's install attempt did: none, ok, no-sudo, no-apt or failed. */
  install: string;
  uid: number;
  home: string;
  rclone?: string;
  fuse: boolean;
  /** The node user can open /dev/fuse read-write. */
  fuseUsable: boolean;
  /** Its mode allows the node user read-write (so an unusable device is denied by something else). */
  fuseAccess: boolean;
  /** `ls -l` style mode and owner of /dev/fuse, e.g. `crw------- root:root`. */
  fuseMode: string;
  user: string;
  allowOther: boolean;
}

function parseProbe(stdout: string): Probe {
  const kv = Object.fromEntries(
    stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]),
  );
  return {
    install: kv.install ?? 'none',
    uid: Number(kv.uid),
    home: kv.home,
    rclone: kv.rclone || undefined,
    fuse: kv.fuse === '1',
    fuseUsable: kv.fuse_usable === '1',
    fuseAccess: kv.fuse_access === '1',
    fuseMode: kv.fuse_mode ?? '',
    user: kv.user ?? '',
    allowOther: kv.allow_other === '1',
  };
}

const WHY_NOT_INSTALLED: Record<string, string> = {
  'no-sudo': 'its user has no passwordless sudo to run apt-get',
  'no-apt': 'the node has no apt-get',
  failed: 'apt-get install rclone fuse3 failed (no network or no package source?)',
};

export async function probeNode(node: ClusterNode, client: Client, token: CancellationToken): Promise<Probe> {
  const r = await exec(client, 'bash -s', { stdin: PROBE_SCRIPT, token });
  const p = parseProbe(r.stdout);
  if (!p.rclone) {
    const why = WHY_NOT_INSTALLED[p.install];
    throw new SkyError(
      'mount-tool-missing',
      `rclone is not installed on ${node.alias} and could not be installed${why ? `: ${why}` : ''}.`,
      {
        hint: 'Install it on the node (sudo apt-get install -y rclone fuse3, or curl https://rclone.org/install.sh | sudo bash), or give the node user passwordless sudo so sky-vscode installs it.',
      },
    );
  }
  return p;
}

/**
 * The device is there but the node user cannot open it (a machine without udev leaves /dev/fuse
 * crw------- root): every such node fails the launch here, before any mount, rather than each
 * mount failing in fusermount.
 */
export function assertFuseUsable(
  nodes: { node: ClusterNode }[],
  probes: Probe[],
  fuseMount: Attachment,
): void {
  const bad = nodes.map((n, i) => ({ alias: n.node.alias, p: probes[i] })).filter((x) => !x.p.fuseUsable);
  if (!bad.length) return;
  const what = bad.map(({ alias, p }) => `${p.user} on ${alias} cannot open /dev/fuse (${p.fuseMode})`);
  const users = [...new Set(bad.map((x) => x.p.user))].join(' / ');
  const where = bad.map((x) => x.alias).join(', ');
  const byMode = bad.filter((x) => !x.p.fuseAccess).length > 0;
  throw new SkyError(
    'fuse-unusable',
    `${what.join('; ')}, needed for ${fuseMount.mode} at ${fuseMount.dst}; nothing was mounted.`,
    {
      hint: byMode
        ? `As root on ${where}: chmod 0666 /dev/fuse (the mode udev gives it; without udev, repeat it at boot), or add ${users} to the group that owns /dev/fuse (e.g. groupadd -f fuse; chgrp fuse /dev/fuse; chmod 0660 /dev/fuse; usermod -aG fuse ${users}). Or use mode: COPY, which needs no FUSE.`
        : `${where} ${bad.length > 1 ? 'deny' : 'denies'} the device whatever its mode (a container started without --device /dev/fuse?). Give the node the device, or use mode: COPY, which needs no FUSE.`,
    },
  );
}
