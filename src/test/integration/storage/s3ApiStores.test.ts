import * as assert from 'assert';
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { loadConfig } from '../../../engine/config/config';
import { openStore, readRecords } from '../../../engine/storage';
import { validateTaskText } from '../../../engine/task/validate';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { makeTestDir } from '../../sandbox/proc';
import { s3ApiStoreConfig } from './s3ApiConfig';
import { CLI } from '../../harness/cli';

const run = promisify(execFile);

describe('Nebius, CoreWeave and VAST Data (S3 API) on Ceph RGW: CLI, validation, credentials', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig(s3ApiStoreConfig(sb));
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    env = sb.env();
    tmp = makeTestDir('sky-s3api-');
  });
  after(() => sb.writeSkyConfig());

  const cli = async (args: string[], e = env) => run('node', [CLI, ...args], { env: e });

  for (const [kind, scheme, sky] of [
    ['nebius', 'nebius', 'NEBIUS'],
    ['vastdata', 'vastdata', 'VASTDATA'],
  ] as const) {
    it(`${kind}: the CLI verbs (upload creates, ls --json, objects --json, download, delete)`, async () => {
      const name = `sky-it-${kind}-${crypto.randomBytes(3).toString('hex')}`;
      const src = path.join(tmp, `src-${kind}`);
      fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
      fs.writeFileSync(path.join(src, 'top.txt'), `top of ${kind}`);
      fs.writeFileSync(path.join(src, 'sub', 'g.txt'), `deep in ${kind}`);
      const up = await cli(['storage', 'upload', '--name', name, '--store', kind, src]);
      assert.match(up.stderr, new RegExp(`Created bucket ${scheme}://${name}`));
      const ls = JSON.parse((await cli(['storage', 'ls', '--json'])).stdout) as {
        name: string;
        store: string;
        status: string;
      }[];
      assert.deepStrictEqual(
        ls.filter((r) => r.name === name).map((r) => `${r.store}:${r.status}`),
        [`${sky}:READY`],
      );
      const all = JSON.parse((await cli(['storage', 'ls', '--all', '--store', kind, '--json'])).stdout) as {
        name: string;
        store: string;
        managed: boolean;
      }[];
      assert.ok(all.some((r) => r.name === name && r.store === kind && r.managed));
      const objs = JSON.parse(
        (await cli(['storage', 'objects', `${scheme}://${name}`, '--prefix', 'sub/', '--json'])).stdout,
      ) as { objects: { key: string }[] };
      assert.deepStrictEqual(
        objs.objects.map((o) => o.key),
        ['sub/g.txt'],
      );
      const dl = path.join(tmp, `dl-${kind}`);
      await cli(['storage', 'download', `${scheme}://${name}/sub/g.txt`, dl]);
      assert.strictEqual(fs.readFileSync(path.join(dl, 'g.txt'), 'utf8'), `deep in ${kind}`);
      // The bucket is really on RGW: the S3 store (same server) sees it too.
      assert.ok(await (await openStore('s3', loadConfig())).bucketExists(name));
      await cli(['storage', 'delete', name, '-y']);
      assert.ok(!(await (await openStore(kind, loadConfig())).bucketExists(name)));
      assert.ok(!readRecords().some((r) => r.name === name));
    });
  }

  it('coreweave: upload refuses to create a bucket, clearly and with no record; an existing bucket is listed, browsed and downloaded', async () => {
    const name = `sky-it-cw-${crypto.randomBytes(3).toString('hex')}`;
    const src = path.join(tmp, 'src-cw');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'a.txt'), 'cw data');
    await assert.rejects(
      cli(['storage', 'upload', '--name', name, '--store', 'coreweave', src]),
      (e: { code?: number; stderr?: string }) =>
        e.code !== 0 &&
        /cw:\/\/sky-it-cw-\w+ does not exist, and CoreWeave AI Object Storage buckets are not created by sky-vscode/.test(
          e.stderr ?? '',
        ),
    );
    assert.ok(!readRecords().some((r) => r.name === name), 'no record for a bucket never made');
    assert.ok(!(await (await openStore('s3', loadConfig())).bucketExists(name)));
    // Made outside (as in CoreWeave's console): here through the S3 store on the same RGW.
    const s3 = await openStore('s3', loadConfig());
    await s3.createBucket(name);
    await s3.putFile(name, 'dir/a.txt', path.join(src, 'a.txt'));
    try {
      const all = JSON.parse(
        (await cli(['storage', 'ls', '--all', '--store', 'coreweave', '--json'])).stdout,
      ) as {
        name: string;
        store: string;
        managed: boolean;
      }[];
      assert.ok(all.some((r) => r.name === name && r.store === 'coreweave' && !r.managed));
      const objs = JSON.parse((await cli(['storage', 'objects', `cw://${name}`, '--json'])).stdout) as {
        folders: string[];
      };
      assert.deepStrictEqual(objs.folders, ['dir/']);
      const dl = path.join(tmp, 'dl-cw');
      await cli(['storage', 'download', `cw://${name}/dir/`, dl]);
      assert.strictEqual(fs.readFileSync(path.join(dl, 'dir', 'a.txt'), 'utf8'), 'cw data');
    } finally {
      await s3.deleteObjects(name, ['dir/a.txt']);
      await s3.deleteEmptyBucket(name);
    }
  });

  it('coreweave: with no credentials in the config, SkyPilot’s ~/.coreweave/cw.credentials (profile cw) is used', async () => {
    const home = makeTestDir('sky-cw-home-');
    fs.mkdirSync(path.join(home, '.coreweave'));
    fs.writeFileSync(
      path.join(home, '.coreweave', 'cw.credentials'),
      `[cw]\naws_access_key_id = ${sb.s3!.accessKeyId}\naws_secret_access_key = ${sb.s3!.secretAccessKey}\n`,
      { mode: 0o600 },
    );
    sb.writeSkyConfig({
      stores: { coreweave: { endpoint: sb.s3!.endpoint, region: sb.s3!.region, forcePathStyle: true } },
    });
    const bare: NodeJS.ProcessEnv = { ...env, HOME: home };
    delete bare.AWS_SHARED_CREDENTIALS_FILE;
    delete bare.AWS_CONFIG_FILE;
    delete bare.AWS_ACCESS_KEY_ID;
    delete bare.AWS_SECRET_ACCESS_KEY;
    try {
      const name = `sky-it-cwh-${crypto.randomBytes(3).toString('hex')}`;
      const s3 = await openStore('s3', loadConfig());
      await s3.createBucket(name);
      try {
        const all = JSON.parse(
          (await cli(['storage', 'ls', '--all', '--store', 'coreweave', '--json'], bare)).stdout,
        ) as {
          name: string;
        }[];
        assert.ok(all.some((r) => r.name === name));
        // Without that file there are no credentials at all: the store says so.
        fs.rmSync(path.join(home, '.coreweave', 'cw.credentials'));
        await assert.rejects(
          cli(['storage', 'ls', '--all', '--store', 'coreweave'], bare),
          (e: { stderr?: string }) => /credentials/i.test(e.stderr ?? ''),
        );
      } finally {
        await s3.deleteEmptyBucket(name);
      }
    } finally {
      sb.writeSkyConfig(s3ApiStoreConfig(sb));
    }
  });

  it('vastdata: no endpoint anywhere is a clear error naming where to set it', async () => {
    sb.writeSkyConfig({ stores: { vastdata: {} } });
    try {
      await assert.rejects(cli(['storage', 'objects', 'vastdata://some-bucket']), (e: { stderr?: string }) =>
        /VAST Data store has no endpoint[\s\S]*stores\.vastdata\.endpoint[\s\S]*~\/\.vastdata\/vastdata\.config/.test(
          e.stderr ?? '',
        ),
      );
    } finally {
      sb.writeSkyConfig(s3ApiStoreConfig(sb));
    }
  });

  it('task validation accepts store: nebius / coreweave / vastdata and nebius://, cw://, vastdata:// sources', () => {
    const ds = validateTaskText(
      `file_mounts:
  /a:
    name: sky-nebius-bucket
    store: nebius
    mode: MOUNT
  /b:
    name: sky-cw-bucket
    store: coreweave
    mode: MOUNT_CACHED
  /c:
    name: sky-vast-bucket
    source: ./data
    store: vastdata
    mode: COPY
  /d:
    source: nebius://sky-nebius-bucket/sub
    mode: COPY
  /e:
    source: cw://sky-cw-bucket
    mode: MOUNT
  /f:
    source: vastdata://sky-vast-bucket
  /g: cw://sky-cw-bucket/file.txt
run: echo ok
`,
      { localChecks: false },
    );
    assert.deepStrictEqual(
      ds.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.path} ${d.message}`),
      [],
    );
  });
});
