import * as assert from 'assert';
import { SshConnection, SshPool } from '../../../engine/ssh/connect';
import { parseSshConfig } from '../../../engine/ssh/config';
import { exec } from '../../../engine/ssh/exec';
import { SkyError } from '../../../engine/util/errors';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { waitFor } from '../../sandbox/proc';

/** Resolves once ssh2 reports the connection closed (the server's side of it is gone too). */
function closedSoon(c: SshConnection): Promise<void> {
  return waitFor(`${c.alias}'s connection to close`, async () => c.closed, 30_000);
}

describe('SSH pool leases: a refresh retires the pool without closing connections in use', function () {
  this.timeout(120_000);
  let sb: Sandbox;
  const pools: SshPool[] = [];
  const newPool = () => {
    const p = new SshPool({
      sshConfig: parseSshConfig(sb.ssh!.sshConfigPath),
      knownHostsFile: sb.ssh!.knownHostsPath,
      strict: 'yes',
    });
    pools.push(p);
    return p;
  };
  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
  });
  after(() => pools.forEach((p) => p.closeAll()));

  it('a lease held across retire() keeps its connection (and a command running on it) until released; then it closes', async () => {
    const pool = newPool();
    const release = pool.lease();
    const conn = await pool.get('sky-sbx');
    // A command that is still running when the pool is retired, as a job's log stream would be.
    const running = exec(conn.client, 'sleep 1; echo still-here');
    pool.retire();
    const r = await running;
    assert.strictEqual(r.stdout.trim(), 'still-here');
    assert.strictEqual(conn.closed, false);
    // The lease holder goes on using the retired pool: same connection, new commands work.
    assert.strictEqual(await pool.get('sky-sbx'), conn);
    assert.strictEqual((await exec(conn.client, 'echo again')).stdout.trim(), 'again');
    const second = await pool.get('sky-sbx-worker1');

    release();
    release(); // a second call of the same release changes nothing
    await closedSoon(conn);
    await closedSoon(second);
    // Nobody holds it any more: a late user gets a clear error rather than a connection nobody closes.
    await assert.rejects(
      pool.get('sky-sbx'),
      (e: unknown) => e instanceof SkyError && e.code === 'ssh-pool-retired' && /sky-sbx/.test(e.message),
    );
  });

  it('the connections close with the last of several leases; an unleased pool closes on retire()', async () => {
    const pool = newPool();
    const first = pool.lease();
    const second = pool.lease();
    const conn = await pool.get('sky-sbx');
    pool.retire();
    first();
    // Still one user: give the pool a moment in which a wrong close would show.
    await exec(conn.client, 'sleep 0.5');
    assert.strictEqual(conn.closed, false);
    second();
    await closedSoon(conn);

    const idle = newPool();
    const idleConn = await idle.get('sky-sbx');
    idle.retire();
    await closedSoon(idleConn);
  });

  it('closeAll() closes at once even while leased (one-shot CLI verbs end with it)', async () => {
    const pool = newPool();
    pool.lease();
    const conn = await pool.get('sky-sbx');
    pool.closeAll();
    await closedSoon(conn);
  });
});
