// The installed CLI (dist/cli.js) also caches the compiled cloud-SDK chunks it loads. On RGW: a
// storage command with no cache, with the cache, and with every chunk cache corrupted prints the
// same thing; the corrupted caches are written anew.
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { promisify } from 'util';
import { loadConfig } from '../../../engine/config/config';
import { openStore } from '../../../engine/storage';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { makeTestDir } from '../../sandbox/proc';

const exec = promisify(execFile);
const LOADER = path.resolve(__dirname, '..', '..', '..', '..', '..', 'dist', 'cli.js');

describe('the installed CLI’s code cache with the cloud SDK chunks (RGW)', function () {
  this.timeout(120_000);
  let sb: Sandbox;
  const bucket = `sky-cc-${crypto.randomBytes(3).toString('hex')}`;

  before(async () => {
    assert.ok(fs.existsSync(LOADER), `${LOADER} is missing: npm run build`);
    sb = await sharedSandbox({ s3: true });
    sb.writeSkyConfig();
    const store = await openStore('s3', loadConfig(path.join(sb.skyHome, 'config.yaml')));
    await store.createBucket(bucket);
    for (const k of ['a.txt', 'run/b.txt'])
      await store.putStream(bucket, k, Readable.from([Buffer.from(k)]), k.length, {});
  });

  it('caches the chunks a storage command loads; cached, uncached and corrupt runs print the same', async () => {
    const home = makeTestDir('sky-codecache-');
    const ls = async () =>
      (
        await exec('node', [LOADER, 'storage', 'objects', `s3://${bucket}/`, '--json'], {
          env: { ...sb.env(), XDG_CACHE_HOME: home, SKY_VSCODE_NO_CODE_CACHE: '' },
        })
      ).stdout;
    const dir = path.join(home, 'sky-vscode', 'v8');
    const first = await ls();
    assert.match(first, /a\.txt/);
    const chunks = fs.readdirSync(dir).filter((f) => f.startsWith('chunk-'));
    assert.ok(chunks.length > 0, `the SDK chunks are cached: ${fs.readdirSync(dir).join(', ')}`);
    assert.strictEqual(await ls(), first);
    for (const f of chunks) fs.writeFileSync(path.join(dir, f), Buffer.alloc(1024, 1));
    assert.strictEqual(await ls(), first);
    for (const f of chunks)
      assert.notDeepStrictEqual(
        fs.readFileSync(path.join(dir, f)),
        Buffer.alloc(1024, 1),
        `${f} was written anew`,
      );
  });
});
