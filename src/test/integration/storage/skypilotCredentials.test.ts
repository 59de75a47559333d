import * as assert from 'assert';
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { loadConfig } from '../../../engine/config/config';
import { openStore } from '../../../engine/storage';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { skyPilotHome } from '../../sandbox/skypilotHome';
import { CLI } from '../../harness/cli';

const run = promisify(execFile);

type Row = { name: string; store: string; managed: boolean };

/** `storage ls --all --json` in `env`: the rows, the exit code and stderr (a failing store does not stop the others). */
async function lsAll(env: NodeJS.ProcessEnv): Promise<{ rows: Row[]; code: number; stderr: string }> {
  try {
    const r = await run('node', [CLI, 'storage', 'ls', '--all', '--json'], { env });
    return { rows: JSON.parse(r.stdout) as Row[], code: 0, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { rows: e.stdout ? (JSON.parse(e.stdout) as Row[]) : [], code: e.code, stderr: e.stderr };
  }
}

describe("Zero config: stores found through SkyPilot's own credentials (CLI, on the sandbox's servers)", function () {
  this.timeout(180_000);
  let sb: Sandbox;
  const tag = crypto.randomBytes(3).toString('hex');
  const rgwBucket = `sky-zc-rgw-${tag}`;
  const gcsBucket = `sky-zc-gcs-${tag}`;
  const container = `sky-zc-az-${tag}`;
  const ociBucket = `sky-zc-oci-${tag}`;

  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    // The buckets exist on the servers (made through the sandbox's own config, not the one under test).
    const config = loadConfig(sb.writeSkyConfig());
    await (await openStore('s3', config)).createBucket(rgwBucket);
    await (await openStore('gcs', config)).createBucket(gcsBucket);
    await (await openStore('azure', config)).createBucket(container);
    await (await openStore('oci', config)).createBucket(ociBucket);
  });

  it('an empty config and SkyPilot-style credentials only: storage ls --all lists every store found', async () => {
    const { env, skyHome } = skyPilotHome(sb, ['s3', 'nebius', 'coreweave', 'vastdata', 'gcs', 'azure']);
    assert.strictEqual(fs.readFileSync(path.join(skyHome, 'config.yaml'), 'utf8'), '');
    const { rows, code, stderr } = await lsAll(env);
    assert.strictEqual(code, 0, stderr);
    const where = (bucket: string) =>
      rows
        .filter((r) => r.name === bucket)
        .map((r) => r.store)
        .sort();
    // RGW stands in for AWS (AWS_ENDPOINT_URL_S3), Nebius (~/.aws/config endpoint_url), CoreWeave
    // (~/.coreweave/cw.config) and VAST Data (~/.vastdata/vastdata.config): one bucket under each.
    assert.deepStrictEqual(where(rgwBucket), ['coreweave', 'nebius', 's3', 'vastdata']);
    assert.deepStrictEqual(where(gcsBucket), ['gcs']);
    assert.deepStrictEqual(where(container), ['azure']);
  });

  it('R2, IBM COS and OCI: credentials from SkyPilot’s files, the config section overrides only the endpoint', async () => {
    const { env, skyHome } = skyPilotHome(sb, ['r2', 'ibm', 'oci']);
    const rgw = { endpoint: sb.s3!.endpoint, forcePathStyle: true };
    fs.writeFileSync(
      path.join(skyHome, 'config.yaml'),
      JSON.stringify({
        stores: { r2: rgw, ibm: rgw, oci: { endpoint: sb.oci!.endpoint, compartment: sb.oci!.compartment } },
      }),
    );
    const { rows, code, stderr } = await lsAll(env);
    assert.strictEqual(code, 0, stderr);
    const stores = (bucket: string) => rows.filter((r) => r.name === bucket).map((r) => r.store);
    assert.deepStrictEqual(stores(rgwBucket).sort(), ['ibm', 'r2']);
    assert.deepStrictEqual(stores(ociBucket), ['oci']);
  });

  it('broken SkyPilot credentials: the store is reported with what is wrong, the others still listed', async () => {
    const { env, home } = skyPilotHome(sb, ['s3', 'r2', 'oci']);
    // A key missing from R2's profile, a line OCI's config parser (and SkyPilot's) cannot read, and
    // an application-default credentials file that is not JSON.
    fs.writeFileSync(
      path.join(home, '.cloudflare/r2.credentials'),
      `[r2]\naws_access_key_id = ${sb.s3!.accessKeyId}\n`,
    );
    fs.appendFileSync(path.join(home, '.oci/config'), '\nthis line is not a key\n');
    fs.mkdirSync(path.join(home, '.config/gcloud'), { recursive: true });
    fs.writeFileSync(path.join(home, '.config/gcloud/application_default_credentials.json'), '{ not json');
    const { rows, code, stderr } = await lsAll(env);
    assert.notStrictEqual(code, 0);
    assert.match(
      stderr,
      /R2 \(found in ~\/\.cloudflare\/r2\.credentials[^)]*\): \[r2\] in ~\/\.cloudflare\/r2\.credentials has no aws_secret_access_key/,
    );
    assert.match(stderr, /OCI[^:]*: ~\/\.oci\/config line \d+ cannot be parsed/);
    assert.match(
      stderr,
      /GCS[^:]*: ~\/\.config\/gcloud\/application_default_credentials\.json is not a JSON object/,
    );
    assert.ok(!stderr.includes(sb.s3!.secretAccessKey));
    assert.ok(
      rows.some((r) => r.name === rgwBucket && r.store === 's3'),
      JSON.stringify(rows),
    );
  });
});
