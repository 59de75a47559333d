// The Storage view's object actions in a real VS Code: Properties, Newest First, Copy To / Move To /
// Rename (inside a store and across stores), Add as file_mount — on RGW (S3) and Azurite.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import * as vscode from 'vscode';
import { parse, stringify } from 'yaml';
import type { SkyExtensionApi } from '../../extension';
import type { Store } from '../../engine/storage';
import { validateTaskText } from '../../engine/task/validate';
import type { StorageItem } from '../../services/storageItems';
import { ScriptedUi } from '../../ui/scriptedUi';

async function api(): Promise<SkyExtensionApi> {
  return vscode.extensions.getExtension<SkyExtensionApi>('sky-vscode.sky-vscode')!.activate();
}

async function readAll(store: Store, bucket: string, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await store.openRead(bucket, key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('storage view object actions: properties, newest first, copy/move/rename, add as file_mount', function () {
  this.timeout(120_000);
  const bucket = `sky-vso-${crypto.randomBytes(3).toString('hex')}`;
  let s3: Store;
  let az: Store;
  const put = (store: Store, b: string, key: string, data: Buffer, metadata?: Record<string, string>) =>
    store.putStream(b, key, Readable.from([data]), data.length, { contentType: 'text/x-sky', metadata });
  afterEach(async () => (await api()).setUi(undefined));

  before(async () => {
    const a = await api();
    a.storage.session.refresh();
    s3 = await a.storage.session.store('s3');
    az = await a.storage.session.store('azure');
    await s3.createBucket(bucket);
    await az.createBucket(bucket);
  });

  it('Properties: an object’s size, ETag, type and metadata; a folder’s object count and total size', async () => {
    await put(s3, bucket, 'props/a.txt', Buffer.from('hello world'), { step: '42' });
    await put(s3, bucket, 'props/sub/b.txt', Buffer.alloc(1000, 1));
    const obj: StorageItem = { kind: 'object', store: 's3', bucket, key: 'props/a.txt', size: 11 };
    const r = await vscode.commands.executeCommand<{ uri: string; text: string; stat: { size: number } }>(
      'sky.storage.properties',
      obj,
    );
    assert.strictEqual(r.uri, `s3://${bucket}/props/a.txt`);
    assert.strictEqual(r.stat.size, 11);
    const shown = vscode.window.activeTextEditor?.document;
    assert.strictEqual(shown?.uri.scheme, 'sky-storage-properties');
    const text = shown?.getText() ?? '';
    assert.match(text, /- Size: 11 B \(11 bytes\)/);
    assert.match(text, /- ETag: [0-9a-f]{32}/);
    assert.match(text, /- Content type: text\/x-sky/);
    assert.match(text, / {2}- step = 42/);
    const folder: StorageItem = { kind: 'folder', store: 's3', bucket, prefix: 'props/' };
    const f = await vscode.commands.executeCommand<{ summary: { objects: number; bytes: number } }>(
      'sky.storage.properties',
      folder,
    );
    assert.deepStrictEqual([f.summary.objects, f.summary.bytes], [2, 1011]);
    assert.match(
      vscode.window.activeTextEditor?.document.getText() ?? '',
      /- Objects: 2\n- Total size: 1011 B/,
    );
  });

  it('Newest First: the newest objects under a folder across its subfolders, newest first', async () => {
    for (let i = 0; i < 5; i++) await put(az, bucket, `runs/step-${i % 2}/old-${i}.pt`, Buffer.from(`${i}`));
    await sleep(1500); // last-modified times are kept to the second
    await put(az, bucket, 'runs/step-1/newest.pt', Buffer.from('n'));
    const folder: StorageItem = { kind: 'folder', store: 'azure', bucket, prefix: 'runs/' };
    const r = await vscode.commands.executeCommand<{ keys: string[]; scanned: number; requests: number }>(
      'sky.storage.newestFirst',
      folder,
    );
    assert.strictEqual(r.keys[0], 'runs/step-1/newest.pt');
    assert.strictEqual(r.keys.length, 6);
    assert.strictEqual(r.scanned, 6);
    assert.strictEqual(r.requests, 3, 'the first level, then step-0/ and step-1/');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  });

  it('Copy To across stores (streamed), Move To inside a store, Rename a folder, and the overwrite prompt', async () => {
    const a = await api();
    const data = crypto.randomBytes(300_000);
    await put(s3, bucket, 'data/model.bin', data, { origin: 'vs' });
    const obj: StorageItem = {
      kind: 'object',
      store: 's3',
      bucket,
      key: 'data/model.bin',
      size: data.length,
    };
    const azFolder = az.uri(bucket, 'copied/');
    a.setUi(new ScriptedUi([azFolder]));
    const c = await vscode.commands.executeCommand<{ mode: string }>('sky.storage.copyTo', obj);
    assert.strictEqual(c.mode, 'stream');
    assert.ok((await readAll(az, bucket, 'copied/model.bin')).equals(data), 'byte for byte on Azure');
    assert.deepStrictEqual((await az.stat(bucket, 'copied/model.bin'))?.metadata, { origin: 'vs' });
    // Again: the destination exists, so the user is asked; No leaves it, Replace copies.
    const ui = new ScriptedUi([azFolder, false]);
    a.setUi(ui);
    // Declined: nothing is copied and nothing is reported as an error.
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.copyTo', obj), undefined);
    assert.match(ui.asked.join('\n'), /confirm: 1 destination object\(s\) exist already.*Replace them\?/);
    a.setUi(new ScriptedUi([azFolder, true]));
    assert.strictEqual(
      (await vscode.commands.executeCommand<{ objects: unknown[] }>('sky.storage.copyTo', obj)).objects
        .length,
      1,
    );
    // Move To inside Azure: server-side, the source is gone.
    const azObj: StorageItem = {
      kind: 'object',
      store: 'azure',
      bucket,
      key: 'copied/model.bin',
      size: data.length,
    };
    a.setUi(new ScriptedUi([az.uri(bucket, 'moved/model.bin')]));
    const m = await vscode.commands.executeCommand<{ mode: string; moved: boolean }>(
      'sky.storage.moveTo',
      azObj,
    );
    assert.deepStrictEqual([m.mode, m.moved], ['server', true]);
    assert.strictEqual(await az.stat(bucket, 'copied/model.bin'), undefined);
    assert.ok((await readAll(az, bucket, 'moved/model.bin')).equals(data));
    // Rename a folder on S3: every object under it moves.
    await put(s3, bucket, 'data/sub/x.txt', Buffer.from('x'));
    a.setUi(new ScriptedUi(['renamed']));
    const folder: StorageItem = { kind: 'folder', store: 's3', bucket, prefix: 'data/' };
    const rn = await vscode.commands.executeCommand<{ objects: { dst: string }[] }>(
      'sky.storage.rename',
      folder,
    );
    assert.deepStrictEqual(rn.objects.map((o) => o.dst).sort(), [
      `s3://${bucket}/renamed/model.bin`,
      `s3://${bucket}/renamed/sub/x.txt`,
    ]);
    assert.strictEqual(await s3.stat(bucket, 'data/model.bin'), undefined);
    assert.ok((await readAll(s3, bucket, 'renamed/model.bin')).equals(data));
  });

  it('Add as file_mount: inserts the bucket into the picked task file, keeping its formatting, and it validates', async () => {
    const a = await api();
    const file = path.join(process.env.SKY_TEST_WORKSPACE!, 'mount-target.yaml');
    const before =
      '# A task\nname: train   # keep this spacing\n\nfile_mounts:\n  /data: ./data\n\nrun: |\n  ls /ckpt\n';
    fs.mkdirSync(path.join(process.env.SKY_TEST_WORKSPACE!, 'data'), { recursive: true });
    fs.writeFileSync(file, before);
    a.setUi(new ScriptedUi([/mount-target\.yaml$/, '/ckpt', 'MOUNT_CACHED', 'MODEL_CHECKPOINT_RW']));
    const item: StorageItem = { kind: 'bucket', store: 's3', bucket, managed: false };
    const r = await vscode.commands.executeCommand<{ file: string; errors: unknown[] }>(
      'sky.storage.addFileMount',
      item,
    );
    assert.strictEqual(r.file, file);
    assert.deepStrictEqual(r.errors, []);
    const after = fs.readFileSync(file, 'utf8');
    assert.strictEqual(
      after,
      `# A task\nname: train   # keep this spacing\n\nfile_mounts:\n  /data: ./data\n  /ckpt:\n    source: s3://${bucket}\n    mode: MOUNT_CACHED\n    type: MODEL_CHECKPOINT_RW\n\nrun: |\n  ls /ckpt\n`,
    );
    assert.deepStrictEqual(
      validateTaskText(after, { file }).filter((d) => d.severity === 'error'),
      [],
    );
    // A folder inside a bucket can only be copied (SkyPilot mounts whole buckets): no mode prompt.
    a.setUi(new ScriptedUi([/mount-target\.yaml$/, '/inputs']));
    const folder: StorageItem = { kind: 'folder', store: 's3', bucket, prefix: 'renamed/' };
    const f = await vscode.commands.executeCommand<{ mode: string }>('sky.storage.addFileMount', folder);
    assert.strictEqual(f.mode, 'COPY');
    assert.match(
      fs.readFileSync(file, 'utf8'),
      /\/inputs:\n {4}source: s3:\/\/.*\/renamed\n {4}mode: COPY\n/,
    );
  });

  it('Go to URI…: an Azure container reached with a container SAS that cannot list containers becomes a root', async () => {
    const a = await api();
    await put(az, bucket, 'pinned/deep/file.txt', Buffer.from('deep'));
    const home = process.env.SKY_VSCODE_HOME!;
    const cs = String(
      (
        parse(fs.readFileSync(path.join(home, 'config.yaml'), 'utf8')) as {
          stores: { azure: { connectionString: string } };
        }
      ).stores.azure.connectionString,
    );
    const field = (k: string) => new RegExp(`${k}=([^;]+)`).exec(cs)![1];
    const blob = await import('@azure/storage-blob');
    const sas = blob
      .generateBlobSASQueryParameters(
        {
          containerName: bucket,
          permissions: blob.ContainerSASPermissions.parse('rl'),
          expiresOn: new Date(Date.now() + 3600_000),
        },
        new blob.StorageSharedKeyCredential(field('AccountName'), field('AccountKey')),
      )
      .toString();
    const limited = path.join(home, 'limited-config.yaml');
    fs.writeFileSync(
      limited,
      stringify({
        stores: { azure: { account: field('AccountName'), sasToken: sas, endpoint: field('BlobEndpoint') } },
      }),
    );
    const settings = vscode.workspace.getConfiguration('sky');
    await settings.update('configFile', limited, vscode.ConfigurationTarget.Global);
    try {
      a.storage.session.refresh();
      // These credentials cannot list the account's containers.
      await assert.rejects(
        (await a.storage.session.store('azure')).listBuckets(),
        /Permission denied|AuthorizationFailure|403/,
      );
      a.setUi(new ScriptedUi([`https://${field('AccountName')}.blob.core.windows.net/${bucket}/pinned/`]));
      const item = await vscode.commands.executeCommand<StorageItem>('sky.storage.goToUri');
      assert.ok(item?.kind === 'folder' && item.prefix === 'pinned/' && item.bucket === bucket);
      const roots = await a.storage.tree.getChildren();
      assert.ok(roots.includes(item), 'a root of the Storage view');
      assert.match(
        String(a.storage.tree.getTreeItem(item).description),
        new RegExp(`Azure Blob Storage · ${bucket}/pinned/`),
      );
      const [deep] = await a.storage.tree.getChildren(item);
      assert.ok(deep.kind === 'folder' && deep.prefix === 'pinned/deep/');
      const ids = new Set([...roots, deep].map((r) => a.storage.tree.getTreeItem(r).id));
      assert.strictEqual(ids.size, roots.length + 1, 'unique tree ids');
      // An object's URI lands on its folder; a URI with nothing behind it is an error, not a root.
      a.setUi(
        new ScriptedUi([
          `https://${field('AccountName')}.blob.core.windows.net/${bucket}/pinned/deep/file.txt`,
        ]),
      );
      const f = await vscode.commands.executeCommand<StorageItem>('sky.storage.goToUri');
      assert.ok(f?.kind === 'folder' && f.prefix === 'pinned/deep/');
      a.setUi(
        new ScriptedUi([`https://${field('AccountName')}.blob.core.windows.net/${bucket}/nothing-here/`]),
      );
      assert.strictEqual(await vscode.commands.executeCommand('sky.storage.goToUri'), undefined);
      assert.strictEqual(a.storage.session.pinned.length, 2);
    } finally {
      a.storage.session.pinned.length = 0;
      await settings.update('configFile', undefined, vscode.ConfigurationTarget.Global);
      a.storage.session.refresh();
    }
  });

  it('Open in Editor: saving uploads; a change in the bucket since it was read is caught (Compare: not saved; Overwrite: saved)', async () => {
    const a = await api();
    await put(s3, bucket, 'edit/notes.txt', Buffer.from('line one\n'));
    const obj: StorageItem = { kind: 'object', store: 's3', bucket, key: 'edit/notes.txt', size: 9 };
    const uri = await vscode.commands.executeCommand<string>('sky.storage.openInEditor', obj);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri)!;
    assert.strictEqual(doc.getText(), 'line one\n');
    const append = async (text: string) => {
      const e = new vscode.WorkspaceEdit();
      e.insert(doc.uri, doc.positionAt(doc.getText().length), text);
      assert.ok(await vscode.workspace.applyEdit(e));
    };
    await append('line two\n');
    assert.strictEqual(await doc.save(), true);
    assert.strictEqual((await readAll(s3, bucket, 'edit/notes.txt')).toString(), 'line one\nline two\n');
    // Someone else writes the object; our next save must not silently replace it.
    await put(s3, bucket, 'edit/notes.txt', Buffer.from('theirs\n'));
    await append('line three\n');
    a.setUi(new ScriptedUi(['Compare']));
    assert.strictEqual(await doc.save(), false, 'not saved');
    assert.strictEqual((await readAll(s3, bucket, 'edit/notes.txt')).toString(), 'theirs\n');
    const diff = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find(
        (t) =>
          t.input instanceof vscode.TabInputTextDiff && t.input.original.scheme === 'sky-storage-conflict',
      );
    assert.ok(diff, 'a diff of the bucket’s version and ours is open');
    a.setUi(new ScriptedUi(['Overwrite']));
    assert.strictEqual(await doc.save(), true);
    assert.strictEqual(
      (await readAll(s3, bucket, 'edit/notes.txt')).toString(),
      'line one\nline two\nline three\n',
    );
    // The Explorer's view of a bucket: paged directory reads through the same provider.
    const root = await vscode.workspace.fs.readDirectory(vscode.Uri.parse(`sky-bucket://s3/${bucket}`));
    assert.ok(root.some(([n, t]) => n === 'edit' && t === vscode.FileType.Directory));
    const files = await vscode.workspace.fs.readDirectory(vscode.Uri.parse(`sky-bucket://s3/${bucket}/edit`));
    assert.deepStrictEqual(files, [['notes.txt', vscode.FileType.File]]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
