// S3 API: a one-node Ceph cluster (one mon, one memstore OSD, no mgr) with RADOS Gateway, started
// by hand from one ceph.conf under the sandbox dir (recipe: shared/reference/test-infrastructure.md).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { freePort, Managed, probeTcp, run, startDaemon, waitFor } from './proc';

export interface RgwServer {
  endpoint: string;
  host: string;
  port: number;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * Frees the space of deleted objects now. RGW only queues the tails of deleted large objects and
   * collects them hours later, so a run that rewrites hundreds of MiB fills the memstore OSD.
   */
  collectGarbage(): Promise<void>;
  processes: Managed[];
}

export async function startRgw(dir: string, host: string): Promise<RgwServer> {
  const root = path.join(dir, 'ceph');
  for (const d of ['run', 'log', 'mon', 'osd', 'rgw']) fs.mkdirSync(path.join(root, d), { recursive: true });
  const monPort = await freePort();
  const port = await freePort(host);
  const fsid = crypto.randomUUID();
  const conf = path.join(root, 'ceph.conf');
  const keyring = path.join(root, 'keyring');
  fs.writeFileSync(
    conf,
    `[global]
fsid = ${fsid}
mon host = v1:127.0.0.1:${monPort}
public addr = 127.0.0.1
ms bind msgr2 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
run dir = ${root}/run
admin socket = ${root}/run/$cluster-$name.asok
log file = ${root}/log/$cluster-$name.log
keyring = ${keyring}
mon data = ${root}/mon/$cluster-$id
osd data = ${root}/osd/$cluster-$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0
osd max object name len = 256
osd max object namespace len = 64
# Under load the OSD can send its start-up crush commands before its monmap arrives (fsid 0): the mon
# answers 'wrong fsid' and the OSD exits. We place it in the crush map ourselves instead.
osd class update on start = false
osd crush update on start = false
[client.rgw.a]
rgw frontends = beast endpoint=${host}:${port}
rgw data = ${root}/rgw
rgw dns name = ${host}
`,
  );
  const c = ['-c', conf];
  const processes: Managed[] = [];
  try {
    await run('ceph-authtool', [
      '--create-keyring',
      keyring,
      '--gen-key',
      '-n',
      'mon.',
      '--cap',
      'mon',
      'allow *',
    ]);
    await run('ceph-authtool', [
      keyring,
      '--gen-key',
      '-n',
      'client.admin',
      '--cap',
      'mon',
      'allow *',
      '--cap',
      'osd',
      'allow *',
      '--cap',
      'mds',
      'allow *',
      '--cap',
      'mgr',
      'allow *',
    ]);
    const monmap = path.join(root, 'monmap');
    await run('monmaptool', ['--create', '--fsid', fsid, '--add', 'a', `v1:127.0.0.1:${monPort}`, monmap]);
    await run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', keyring]);
    processes.push(
      startDaemon('ceph-mon', 'ceph-mon', [...c, '-i', 'a', '-f'], path.join(root, 'log', 'mon.out')),
    );
    await waitFor(
      'ceph-mon',
      async () => (await run('ceph', [...c, 'mon', 'stat'], { timeoutMs: 5000 })).includes('quorum'),
      30_000,
    );
    // Right after start-up the mon can answer a command with a transient EPERM ("problem getting
    // command descriptions from mon"), more often on a loaded machine: both mon commands here are
    // idempotent (`osd create` with the OSD's uuid returns the same id again), so they are retried.
    const cephRetried = async (args: string[]): Promise<string> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await run('ceph', [...c, ...args], { timeoutMs: 15_000 });
        } catch (err) {
          if (attempt >= 6) throw err;
          await new Promise((r) => setTimeout(r, 1000 * attempt));
        }
      }
    };
    const osdUuid = crypto.randomUUID();
    const osdId = (await cephRetried(['osd', 'create', osdUuid])).trim();
    fs.mkdirSync(path.join(root, 'osd', `ceph-${osdId}`), { recursive: true });
    await run('ceph-osd', [...c, '-i', osdId, '--mkfs', '--osd-uuid', osdUuid]);
    await cephRetried(['osd', 'crush', 'add', `osd.${osdId}`, '1.0', 'root=default']);
    processes.push(
      startDaemon('ceph-osd', 'ceph-osd', [...c, '-i', osdId, '-f'], path.join(root, 'log', 'osd.out')),
    );
    processes.push(
      startDaemon(
        'radosgw',
        'radosgw',
        [...c, '-n', 'client.rgw.a', '-f'],
        path.join(root, 'log', 'rgw.out'),
      ),
    );
    await waitFor('radosgw', () => probeTcp(host, port), 60_000, path.join(root, 'log', 'rgw.out'));
    const accessKeyId = `SKY${crypto.randomBytes(8).toString('hex').toUpperCase()}`;
    const secretAccessKey = crypto.randomBytes(24).toString('base64url');
    await run(
      'radosgw-admin',
      [
        ...c,
        'user',
        'create',
        '--uid',
        'sky',
        '--display-name',
        'sky test',
        '--access-key',
        accessKeyId,
        '--secret-key',
        secretAccessKey,
      ],
      { timeoutMs: 60_000 },
    );
    return {
      endpoint: `http://${host}:${port}`,
      host,
      port,
      region: 'us-east-1',
      accessKeyId,
      secretAccessKey,
      collectGarbage: async () => {
        await run('radosgw-admin', [...c, 'gc', 'process', '--include-all'], { timeoutMs: 300_000 });
      },
      processes,
    };
  } catch (err) {
    await stopRgw(processes);
    throw err;
  }
}

/** rgw first, then the OSD, then the mon (the order the recipe needs). */
export async function stopRgw(processes: Managed[]): Promise<void> {
  for (const name of ['radosgw', 'ceph-osd', 'ceph-mon']) {
    const p = processes.find((x) => x.name === name);
    if (p) await p.stop();
  }
}
