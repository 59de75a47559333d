import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig, parseConfig } from '../../engine/config/config';
import { configPath, skyHome } from '../../engine/config/paths';
import { redact, clearSecretsForTest } from '../../engine/util/redact';
import { SkyError } from '../../engine/util/errors';
import { withFileLock, writeFileAtomic } from '../../engine/config/atomic';
import { makeTestDir } from '../sandbox/proc';

describe('config', () => {
  afterEach(() => clearSecretsForTest());

  it('SKY_VSCODE_HOME moves the whole directory', () => {
    assert.strictEqual(skyHome({ SKY_VSCODE_HOME: '/tmp/x' }), '/tmp/x');
    assert.strictEqual(configPath({ SKY_VSCODE_HOME: '/tmp/x' }), '/tmp/x/config.yaml');
    assert.strictEqual(skyHome({}), path.join(os.homedir(), '.sky-vscode'));
  });

  it('a missing file is an empty config', () => {
    const cfg = loadConfig('/nonexistent/dir/config.yaml');
    assert.deepStrictEqual(cfg.stores, {});
    assert.strictEqual(cfg.source, undefined);
  });

  it('parses the documented contract', () => {
    const cfg = parseConfig(
      [
        'stores:',
        '  s3: { endpoint: http://127.0.0.1:7480, region: us-east-1, forcePathStyle: true, profile: default }',
        '  azure: { connectionString: "DefaultEndpointsProtocol=http;AccountName=a;AccountKey=SECRETKEY123;" }',
        '  oci: { endpoint: http://127.0.0.1:8080, namespace: NS, compartment: ocid1, configFile: ~/.oci/config, profile: DEFAULT }',
        'ssh:',
        '  configFile: ~/.ssh/config',
        '  strictHostKeyChecking: accept-new',
        'nodePoolsFile: ~/.sky/ssh_node_pools.yaml',
      ].join('\n'),
    );
    assert.strictEqual(cfg.stores.s3?.forcePathStyle, true);
    assert.strictEqual(cfg.ssh.strictHostKeyChecking, 'accept-new');
    assert.strictEqual(cfg.ssh.configFile, path.join(os.homedir(), '.ssh/config'));
    // Secrets in the config are registered for redaction.
    assert.ok(
      !redact('conn=DefaultEndpointsProtocol=http;AccountName=a;AccountKey=SECRETKEY123;').includes(
        'SECRETKEY123',
      ),
    );
  });

  it('unknown keys are errors with file and line', () => {
    assert.throws(
      () => parseConfig('stores:\n  s3:\n    endpiont: http://x\n', '/h/config.yaml'),
      (e: unknown) =>
        e instanceof SkyError && /\/h\/config\.yaml:3:5: unknown key 'stores\.s3\.endpiont'/.test(e.message),
    );
    assert.throws(() => parseConfig('bogus: 1\n'), /unknown key 'bogus'/);
  });

  it('wrong types and bad values are errors', () => {
    assert.throws(() => parseConfig('stores:\n  s3:\n    forcePathStyle: "yes"\n'), /must be a boolean/);
    assert.throws(() => parseConfig('ssh:\n  strictHostKeyChecking: maybe\n'), /ask, yes or accept-new/);
    assert.throws(() => parseConfig('stores: [1]\n'), /must be a mapping/);
    assert.throws(() => parseConfig('a: [\n'), SkyError);
  });

  it('atomic writes and the file lock serialise read-modify-write', async () => {
    const dir = makeTestDir('sky-cfg-');
    const file = path.join(dir, 'counter.json');
    await writeFileAtomic(file, '0');
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withFileLock(file, async () => {
          const n = Number(fs.readFileSync(file, 'utf8'));
          await new Promise((r) => setTimeout(r, 1));
          await writeFileAtomic(file, String(n + 1));
        }),
      ),
    );
    assert.strictEqual(fs.readFileSync(file, 'utf8'), '20');
    assert.deepStrictEqual(fs.readdirSync(dir), ['counter.json']);
    fs.rmSync(dir, { recursive: true });
  });
});
