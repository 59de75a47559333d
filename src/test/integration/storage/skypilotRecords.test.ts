import * as assert from 'assert';
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as path from 'path';
import { promisify } from 'util';
import { loadConfig } from '../../../engine/config/config';
import { openStore } from '../../../engine/storage';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { skyPilotHome } from '../../sandbox/skypilotHome';
import { makeSkyPilotRecords, SKY_VENV_BIN } from '../../sandbox/skypilotRecords';
import { CLI } from '../../harness/cli';

const run = promisify(execFile);

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const r = await run('node', [CLI, ...args], { env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("SkyPilot's own records (the real SkyPilot's state, through its Python API): CLI", function () {
  this.timeout(300_000);
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  const tag = crypto.randomBytes(3).toString('hex');
  const ready = `sky-zc-ready-${tag}`;
  const failed = `sky-zc-failed-${tag}`;

  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    await (await openStore('s3', loadConfig(sb.writeSkyConfig()))).createBucket(ready);
    const h = skyPilotHome(sb, ['s3']);
    // What `sky launch` / `sky storage` and `sky stop` leave behind: a READY bucket on S3 (which
    // exists on RGW), one whose creation failed (no store), a running and a stopped cluster.
    await makeSkyPilotRecords(h.home, {
      storage: [
        { name: ready, stores: ['S3'], status: 'READY' },
        { name: failed, stores: [], status: 'INIT_FAILED' },
      ],
      clusters: [
        { name: `zc-up-${tag}`, status: 'UP', nodes: 2 },
        { name: `zc-stopped-${tag}`, status: 'STOPPED', nodes: 1 },
      ],
    });
    // SkyPilot is installed: its `sky` is on PATH.
    env = { ...h.env, PATH: `${SKY_VENV_BIN}${path.delimiter}${h.env.PATH ?? ''}` };
  });

  it('storage ls lists the buckets SkyPilot created, marked as SkyPilot’s, with their status', async () => {
    const r = await cli(['storage', 'ls', '--json'], env);
    assert.strictEqual(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as {
      name: string;
      store: string;
      status: string;
      managedBy?: string;
    }[];
    const mine = rows
      .filter((x) => x.name.endsWith(tag))
      .map((x) => `${x.name}:${x.store}:${x.status}:${x.managedBy}`);
    assert.deepStrictEqual(
      mine.sort(),
      [`${failed}::INIT_FAILED:skypilot`, `${ready}:S3:READY:skypilot`].sort(),
    );
    const plain = await cli(['storage', 'ls'], env);
    assert.match(plain.stdout, new RegExp(`${ready}\\s.*S3.*READY \\(SkyPilot\\)`));
    const all = await cli(['storage', 'ls', '--all', '--json'], env);
    assert.strictEqual(all.code, 0, all.stderr);
    const row = (JSON.parse(all.stdout) as { name: string; store: string; skypilot?: boolean }[]).find(
      (x) => x.name === ready && x.store === 's3',
    );
    assert.strictEqual(row?.skypilot, true, all.stdout);
    // Without SkyPilot installed (no `sky` on PATH) its records are not read, and not claimed.
    const noSky = {
      ...env,
      PATH: (env.PATH ?? '')
        .split(path.delimiter)
        .filter((d) => d !== SKY_VENV_BIN)
        .join(path.delimiter),
    };
    const without = JSON.parse((await cli(['storage', 'ls', '--json'], noSky)).stdout) as { name: string }[];
    assert.ok(!without.some((x) => x.name === ready));
  });

  it('status lists the clusters SkyPilot knows with its status; a stopped one says why it cannot be reached', async () => {
    const r = await cli(['status', '--json'], env);
    assert.strictEqual(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as {
      name: string;
      source: string;
      skypilotStatus?: string;
      error?: string;
    }[];
    const stopped = rows.find((x) => x.name === `zc-stopped-${tag}`);
    assert.strictEqual(stopped?.skypilotStatus, 'STOPPED');
    assert.match(stopped?.error ?? '', /STOPPED.*sky start zc-stopped-/);
    assert.strictEqual(rows.find((x) => x.name === `zc-up-${tag}`)?.skypilotStatus, 'UP');
  });

  it('deleting a SkyPilot bucket goes through SkyPilot: its record is gone from SkyPilot’s own listing', async () => {
    const r = await cli(['storage', 'delete', failed, '-y'], env);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /through SkyPilot/);
    const after = JSON.parse((await cli(['storage', 'ls', '--json'], env)).stdout) as { name: string }[];
    assert.ok(!after.some((x) => x.name === failed), JSON.stringify(after));
    assert.ok(after.some((x) => x.name === ready));
  });
});
