import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { SkyExtensionApi } from '../../extension';
import { loadConfig } from '../../engine/config/config';
import { openStore } from '../../engine/storage';
import { parseIni } from '../../engine/storage/stores/credentialFiles';
import { ScriptedUi } from '../../ui/scriptedUi';
import type { StorageItem } from '../../services/storageItems';
import { skyPilotHome, type SandboxServers, type SkyPilotStore } from '../sandbox/skypilotHome';
import { makeSkyPilotRecords, SKY_VENV_BIN } from '../sandbox/skypilotRecords';
import { api } from './extensionApi';

/** The sandbox's servers (this tier has RGW and Azurite), read from the tier's own config. */
function servers(): SandboxServers {
  const cfg = parse(fs.readFileSync(path.join(process.env.SKY_VSCODE_HOME!, 'config.yaml'), 'utf8')) as {
    stores: {
      s3: { endpoint: string; region: string; credentialsFile: string };
      azure: { connectionString: string };
    };
  };
  const keys = parseIni(fs.readFileSync(cfg.stores.s3.credentialsFile, 'utf8'), 'aws').get('default')!;
  return {
    s3: {
      endpoint: cfg.stores.s3.endpoint,
      region: cfg.stores.s3.region,
      accessKeyId: keys.aws_access_key_id,
      secretAccessKey: keys.aws_secret_access_key,
    },
    azure: {
      connectionString: cfg.stores.azure.connectionString,
      account: /AccountName=([^;]+)/.exec(cfg.stores.azure.connectionString)![1],
    },
  };
}

const label = (e: StorageItem, tree: SkyExtensionApi['storage']['tree']) => {
  const t = tree.getTreeItem(e);
  return `${String(t.label)}|${String(t.description ?? '')}`;
};

describe("storage and clusters views: zero config for SkyPilot users (SkyPilot's credentials and records)", function () {
  this.timeout(300_000);
  const sky = vscode.workspace.getConfiguration('sky');
  const saved = { ...process.env };
  const bucket = `sky-vs-zc-${Date.now().toString(36)}`;
  let sandbox: SandboxServers;

  /** The extension host runs as a SkyPilot user would: this HOME, these variables, an empty config file. */
  async function becomeSkyPilotUser(stores: SkyPilotStore[], onPath = false) {
    const h = skyPilotHome(sandbox, stores, saved);
    for (const k of Object.keys(process.env)) if (!(k in h.env)) delete process.env[k];
    Object.assign(process.env, h.env);
    if (onPath) process.env.PATH = `${SKY_VENV_BIN}${path.delimiter}${saved.PATH ?? ''}`;
    await sky.update('configFile', path.join(h.skyHome, 'config.yaml'), vscode.ConfigurationTarget.Global);
    const a = await api();
    a.storage.session.refresh();
    a.clusters.session.refresh();
    return h;
  }

  before(async () => {
    sandbox = servers();
    const config = loadConfig(path.join(process.env.SKY_VSCODE_HOME!, 'config.yaml'));
    await (await openStore('s3', config)).createBucket(bucket);
  });
  afterEach(async () => (await api()).setUi(undefined));
  after(async () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await sky.update('configFile', undefined, vscode.ConfigurationTarget.Global);
    const a = await api();
    a.storage.session.refresh();
    a.clusters.session.refresh();
  });

  it('an empty config and SkyPilot-style credentials only: the Storage view shows the stores and their buckets', async () => {
    const h = await becomeSkyPilotUser(['s3', 'coreweave', 'vastdata', 'azure']);
    assert.strictEqual(fs.readFileSync(path.join(h.skyHome, 'config.yaml'), 'utf8'), '');
    const tree = (await api()).storage.tree;
    const roots = await tree.getChildren();
    assert.deepStrictEqual(
      roots.map((r) => (r.kind === 'store' ? r.store : r.kind)),
      ['managed', 's3', 'coreweave', 'vastdata', 'azure'],
      roots.map((r) => (r.kind === 'error' ? r.message : r.kind)).join('\n'),
    );
    const s3 = roots[1];
    assert.match(label(s3, tree), /S3\|All buckets · SkyPilot's credentials/);
    assert.match(String(tree.getTreeItem(s3).tooltip), /~\/\.aws\/credentials \[default\]/);
    for (const store of [roots[1], roots[2], roots[3]]) {
      const buckets = await tree.getChildren(store);
      assert.ok(
        buckets.some((b) => b.kind === 'bucket' && b.bucket === bucket),
        buckets.map((b) => (b.kind === 'error' ? b.message : label(b, tree))).join('\n'),
      );
    }
    for (const store of [roots[4]]) {
      const children = await tree.getChildren(store);
      assert.ok(!children.some((c) => c.kind === 'error'), children.map((c) => label(c, tree)).join('\n'));
    }
  });

  it('broken SkyPilot credentials: the store appears with the error naming the file (and Retry)', async () => {
    const h = await becomeSkyPilotUser(['s3', 'r2']);
    fs.writeFileSync(path.join(h.home, '.cloudflare/r2.credentials'), '[r2]\naws_access_key_id = AKIA0000\n');
    const tree = (await api()).storage.tree;
    (await api()).storage.session.refresh();
    const roots = await tree.getChildren();
    const r2 = roots.find((r) => r.kind === 'store' && r.store === 'r2');
    assert.ok(r2, roots.map((r) => r.kind).join(','));
    const [err] = await tree.getChildren(r2);
    assert.strictEqual(err.kind, 'error');
    assert.match(
      (err as Extract<StorageItem, { kind: 'error' }>).message,
      /\[r2\] in ~\/\.cloudflare\/r2\.credentials has no aws_secret_access_key/,
    );
    assert.strictEqual(tree.getTreeItem(err).command?.command, 'sky.storage.retry');
  });

  it("SkyPilot's buckets under Managed (with status, deleted through SkyPilot) and its clusters with their status", async () => {
    const h = await becomeSkyPilotUser(['s3'], true);
    const gone = `${bucket}-failed`;
    await makeSkyPilotRecords(h.home, {
      storage: [
        { name: bucket, stores: ['S3'], status: 'READY' },
        { name: gone, stores: [], status: 'INIT_FAILED' },
      ],
      clusters: [{ name: 'zc-stopped', status: 'STOPPED', nodes: 2 }],
    });
    const a = await api();
    const tree = a.storage.tree;
    (await api()).storage.session.refresh();
    const managed = (await tree.getChildren()).find((r) => r.kind === 'managed')!;
    const items = await tree.getChildren(managed);
    assert.deepStrictEqual(
      items.map((i) => label(i, tree)).sort(),
      [`${bucket}|SkyPilot · S3 · READY`, `${gone}|SkyPilot · no store · INIT_FAILED`].sort(),
    );
    const failed = items.find((i) => i.kind === 'skyStorage' && i.record.name === gone)!;
    assert.strictEqual(tree.getTreeItem(failed).contextValue, 'skypilotBucket');
    a.setUi(new ScriptedUi([true]));
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.delete', failed), true);
    const after = await tree.getChildren(managed);
    assert.deepStrictEqual(
      after.map((i) => label(i, tree)),
      [`${bucket}|SkyPilot · S3 · READY`],
    );

    const clusters = a.clusters.tree;
    a.clusters.session.refresh();
    const roots = await clusters.getChildren();
    const stopped = roots.find((r) => r.kind === 'skyCluster' && r.cluster.name === 'zc-stopped')!;
    assert.ok(stopped, roots.map((r) => r.kind).join(','));
    assert.strictEqual(clusters.getTreeItem(stopped).description, 'SkyPilot: STOPPED · 2 nodes');
    const [why] = await clusters.getChildren(stopped);
    assert.ok(why.kind === 'message' && /STOPPED.*sky start zc-stopped/.test(why.text));
  });
});
