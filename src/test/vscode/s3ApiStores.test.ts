import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { parse, stringify } from 'yaml';
import { emptyAndDeleteBucket, readRecords, removeRecord } from '../../engine/storage';
import { ScriptedUi } from '../../ui/scriptedUi';
import { makeTestDir } from '../sandbox/proc';
import { api } from './extensionApi';

describe('storage view: Nebius, CoreWeave and VAST Data roots (RGW)', function () {
  this.timeout(120_000);
  const sky = vscode.workspace.getConfiguration('sky');
  afterEach(async () => (await api()).setUi(undefined));
  after(async () => sky.update('configFile', undefined, vscode.ConfigurationTarget.Global));

  it('each is a root named as SkyPilot names it; Nebius creates and lists buckets; CoreWeave refuses to create one', async () => {
    const a = await api();
    const tree = a.storage.tree;
    const real = parse(fs.readFileSync(path.join(process.env.SKY_VSCODE_HOME!, 'config.yaml'), 'utf8')) as {
      stores: { s3: Record<string, unknown> };
    };
    const file = path.join(makeTestDir('sky-vs-s3api-'), 'config.yaml');
    const s3 = real.stores.s3;
    fs.writeFileSync(
      file,
      stringify({ stores: { nebius: { ...s3 }, coreweave: { ...s3 }, vastdata: { ...s3 } } }),
    );
    await sky.update('configFile', file, vscode.ConfigurationTarget.Global);
    a.storage.session.refresh();
    // S3 is there too, without a section: the tier's AWS_SHARED_CREDENTIALS_FILE is the AWS chain's.
    const all = await tree.getChildren();
    assert.ok(all.some((r) => r.kind === 'store' && r.store === 's3'));
    const roots = all.filter((r) => !(r.kind === 'store' && r.store === 's3'));
    assert.deepStrictEqual(
      roots.map((r) => (r.kind === 'store' ? r.store : r.kind)),
      ['managed', 'nebius', 'coreweave', 'vastdata'],
      roots.map((r) => (r.kind === 'error' ? r.message : r.kind)).join('\n'),
    );
    assert.deepStrictEqual(
      roots.slice(1).map((r) => tree.getTreeItem(r).label),
      ['NEBIUS', 'COREWEAVE', 'VASTDATA'],
    );
    const bucket = `sky-vs-nebius-${Date.now().toString(36)}`;
    a.setUi(new ScriptedUi([bucket]));
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.createBucket', roots[1]), bucket);
    const nebius = await a.storage.session.store('nebius');
    try {
      assert.ok(readRecords().some((r) => r.name === bucket && r.store === 'nebius'));
      a.storage.session.refresh();
      const listed = await tree.getChildren(roots[1]);
      assert.ok(listed.some((x) => x.kind === 'bucket' && x.bucket === bucket));
      // CoreWeave: the command refuses before asking for a name; nothing is created or recorded.
      const cwBucket = `${bucket}-cw`;
      a.setUi(new ScriptedUi([cwBucket]));
      assert.strictEqual(
        await vscode.commands.executeCommand('sky.storage.createBucket', roots[2]),
        undefined,
      );
      assert.ok(!(await nebius.bucketExists(cwBucket)));
      assert.ok(!readRecords().some((r) => r.name === cwBucket));
    } finally {
      await emptyAndDeleteBucket(nebius, bucket);
      await removeRecord(bucket, 'nebius');
    }
  });
});
