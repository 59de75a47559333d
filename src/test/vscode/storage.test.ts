import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SkyExtensionApi } from '../../extension';
import type { StorageItem } from '../../views/storage/storageTree';
import { ScriptedUi } from '../../ui/scriptedUi';
import { readRecords, upsertRecord } from '../../engine/storage';
import { startForwardProxy } from '../sandbox/forwardProxy';
import { makeTestDir } from '../sandbox/proc';

async function api(): Promise<SkyExtensionApi> {
  return vscode.extensions.getExtension<SkyExtensionApi>('sky-vscode.sky-vscode')!.activate();
}

describe('storage view: tree, paging, filter, download, delete (RGW + Azurite)', function () {
  this.timeout(120_000);
  const bucket = `sky-vs-${Date.now().toString(36)}`;
  afterEach(async () => (await api()).setUi(undefined));
  after(async () =>
    vscode.workspace
      .getConfiguration('sky')
      .update('storage.pageSize', undefined, vscode.ConfigurationTarget.Global),
  );

  it('shows Managed and one node per configured store, creates a bucket through the UI and uploads a folder', async () => {
    const a = await api();
    a.storage.tree.refresh();
    const roots = await a.storage.tree.getChildren();
    assert.deepStrictEqual(
      roots.map((r) => (r.kind === 'store' ? r.store : r.kind)),
      ['managed', 's3', 'r2', 'ibm', 'azure'],
    );
    a.setUi(new ScriptedUi([bucket]));
    const created = await vscode.commands.executeCommand('sky.storage.createBucket', roots[1]);
    assert.strictEqual(created, bucket);
    assert.ok(readRecords().some((r) => r.name === bucket && r.store === 's3'));
    // The new bucket is listed under Managed and under S3: tree ids must still be unique.
    a.storage.tree.refresh();
    const listed = [
      ...(await a.storage.tree.getChildren(roots[0])),
      ...(await a.storage.tree.getChildren(roots[1])),
    ].filter((x) => x.kind === 'bucket' && x.bucket === bucket);
    assert.strictEqual(listed.length, 2);
    const ids = listed.map((x) => a.storage.tree.getTreeItem(x).id);
    assert.notStrictEqual(ids[0], ids[1]);
    const src = makeTestDir('sky-vs-up-');
    const data = path.join(src, 'data');
    fs.mkdirSync(data);
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(data, `f${i}.txt`), `file ${i}\n`);
    a.storage.pickUploads = async () => [vscode.Uri.file(data)];
    const bucketItem: StorageItem = { kind: 'bucket', store: 's3', bucket, managed: true };
    const uploaded = await vscode.commands.executeCommand('sky.storage.uploadFolder', bucketItem);
    assert.strictEqual(uploaded, 5);
  });

  it('pages with Load more, filters by prefix server-side, downloads a folder with the overwrite prompt', async () => {
    const a = await api();
    await vscode.workspace
      .getConfiguration('sky')
      .update('storage.pageSize', 2, vscode.ConfigurationTarget.Global);
    a.storage.tree.refresh();
    const bucketItem: StorageItem = { kind: 'bucket', store: 's3', bucket, managed: true };
    const [folder] = await a.storage.tree.getChildren(bucketItem);
    assert.ok(folder.kind === 'folder' && folder.prefix === 'data/');
    let page = await a.storage.tree.getChildren(folder);
    assert.deepStrictEqual(
      page.map((p) => p.kind),
      ['object', 'object', 'more'],
    );
    await vscode.commands.executeCommand('sky.storage.loadMore', page[2]);
    await vscode.commands.executeCommand(
      'sky.storage.loadMore',
      (await a.storage.tree.getChildren(folder))[4],
    );
    page = await a.storage.tree.getChildren(folder);
    assert.deepStrictEqual(
      page.map((p) => (p.kind === 'object' ? p.key : p.kind)),
      ['data/f0.txt', 'data/f1.txt', 'data/f2.txt', 'data/f3.txt', 'data/f4.txt'],
    );
    assert.match(String(a.storage.tree.getTreeItem(page[0]).description), /B/);
    // A records change (a launch or the CLI elsewhere) re-reads the bucket lists and keeps this paging.
    const tree = a.storage.tree;
    let fired = 0;
    const refreshRecords = tree.refreshRecords.bind(tree);
    tree.refreshRecords = () => {
      fired++;
      refreshRecords();
    };
    try {
      await upsertRecord({ ...readRecords().find((r) => r.name === bucket)! });
      for (let i = 0; i < 100 && !fired; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(fired > 0, 'the records file watcher fired');
      assert.deepStrictEqual(
        (await tree.getChildren(folder)).map((p) => (p.kind === 'object' ? p.key : p.kind)),
        ['data/f0.txt', 'data/f1.txt', 'data/f2.txt', 'data/f3.txt', 'data/f4.txt'],
      );
    } finally {
      tree.refreshRecords = refreshRecords;
    }
    // Server-side prefix filter on the bucket.
    a.setUi(new ScriptedUi(['data/f3']));
    await vscode.commands.executeCommand('sky.storage.filter', bucketItem);
    const filtered = await a.storage.tree.getChildren(bucketItem);
    assert.deepStrictEqual(
      filtered.map((p) => (p.kind === 'object' ? p.key : p.kind)),
      ['data/f3.txt'],
    );
    assert.match(String(a.storage.tree.getTreeItem(bucketItem).description), /prefix: data\/f3/);
    await vscode.commands.executeCommand('sky.storage.clearFilter', bucketItem);
    // Download the folder twice: the second time the scripted prompt keeps one file and overwrites the rest.
    const dest = makeTestDir('sky-vs-dl-');
    a.storage.pickFolder = async () => vscode.Uri.file(dest);
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.download', folder, [folder]), 5);
    fs.writeFileSync(path.join(dest, 'data', 'f0.txt'), 'local edit');
    const ui = new ScriptedUi(['no', 'yesToAll']);
    a.setUi(ui);
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.download', folder, [folder]), 4);
    ui.assertDone();
    assert.strictEqual(fs.readFileSync(path.join(dest, 'data', 'f0.txt'), 'utf8'), 'local edit');
  });

  it("sends the object downloads through VS Code's http.proxy, and http.noProxy hosts direct", async () => {
    const a = await api();
    const proxy = await startForwardProxy();
    const http = vscode.workspace.getConfiguration('http');
    const saved = {
      proxy: http.inspect('proxy')?.globalValue,
      noProxy: http.inspect('noProxy')?.globalValue,
    };
    const folder: StorageItem = { kind: 'folder', store: 's3', bucket, prefix: 'data/' };
    const download = async () => {
      const dest = makeTestDir('sky-vs-proxy-');
      a.storage.pickFolder = async () => vscode.Uri.file(dest);
      assert.strictEqual(await vscode.commands.executeCommand('sky.storage.download', folder, [folder]), 5);
      assert.strictEqual(fs.readFileSync(path.join(dest, 'data', 'f3.txt'), 'utf8'), 'file 3\n');
    };
    try {
      // Changing the setting reopens the stores (no refresh by hand).
      await http.update('proxy', `http://127.0.0.1:${proxy.port}`, vscode.ConfigurationTarget.Global);
      await download();
      // The object GETs (undici) tunnel through the proxy, which VS Code's own proxy support cannot see.
      const endpoint = new URL(a.storage.tree.getConfig().stores.s3!.endpoint!);
      const objectGets = () => proxy.log.filter((l) => l.includes(`/${bucket}/data/f`));
      assert.ok(proxy.log.includes(`CONNECT ${endpoint.host}`), proxy.log.join(' | '));
      assert.ok(objectGets().length > 0, proxy.log.join(' | '));
      proxy.log.length = 0;
      await http.update('noProxy', [endpoint.hostname], vscode.ConfigurationTarget.Global);
      await download();
      assert.deepStrictEqual(objectGets(), []);
    } finally {
      await http.update('proxy', saved.proxy, vscode.ConfigurationTarget.Global);
      await http.update('noProxy', saved.noProxy, vscode.ConfigurationTarget.Global);
      await proxy.stop();
    }
  });

  it('opens an object as a read-only preview (click or context menu); refuses binary and too-big objects', async () => {
    const a = await api();
    const obj: StorageItem = { kind: 'object', store: 's3', bucket, key: 'data/f1.txt', size: 7 };
    // The tree item's click runs the same command.
    const treeItem = a.storage.tree.getTreeItem(obj);
    assert.strictEqual(treeItem.command?.command, 'sky.storage.open');
    await vscode.commands.executeCommand('sky.storage.open', obj);
    const ed = vscode.window.activeTextEditor!;
    assert.strictEqual(ed.document.uri.scheme, 'sky-storage');
    assert.strictEqual(ed.document.uri.path, `/s3/${bucket}/data/f1.txt`);
    assert.strictEqual(ed.document.getText(), 'file 1\n');
    // A content-provider document has no file system behind it: even an edited copy cannot be saved back.
    const e = new vscode.WorkspaceEdit();
    e.insert(ed.document.uri, new vscode.Position(0, 0), 'x');
    await vscode.workspace.applyEdit(e);
    assert.strictEqual(await ed.document.save(), false);
    assert.strictEqual(vscode.workspace.fs.isWritableFileSystem('sky-storage'), undefined);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    const big: StorageItem = { ...obj, key: 'data/f2.txt', size: 11 * 1024 * 1024 };
    await vscode.commands.executeCommand('sky.storage.open', big);
    assert.notStrictEqual(vscode.window.activeTextEditor?.document.uri.path, `/s3/${bucket}/data/f2.txt`);
    const binFile = path.join(makeTestDir('sky-vs-bin-'), 'model.bin');
    fs.writeFileSync(binFile, Buffer.from([1, 2, 0, 3]));
    await (await a.storage.tree.store('s3')).putFile(bucket, 'model.bin', binFile);
    await vscode.commands.executeCommand('sky.storage.open', { ...obj, key: 'model.bin', size: 4 });
    assert.notStrictEqual(vscode.window.activeTextEditor?.document.uri.path, `/s3/${bucket}/model.bin`);
  });

  it('deletes objects after a count modal and a non-empty bucket only after typing its name', async () => {
    const a = await api();
    a.storage.tree.refresh();
    const obj: StorageItem = { kind: 'object', store: 's3', bucket, key: 'data/f4.txt', size: 7 };
    const obj2: StorageItem = { kind: 'object', store: 's3', bucket, key: 'data/f3.txt', size: 7 };
    const refuse = new ScriptedUi([false]);
    a.setUi(refuse);
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.delete', obj, [obj, obj2]), false);
    assert.match(refuse.asked[0], /Delete 2 object\(s\)\?/);
    a.setUi(new ScriptedUi([true]));
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.delete', obj, [obj, obj2]), true);
    const bucketItem: StorageItem = { kind: 'bucket', store: 's3', bucket, managed: true };
    a.setUi(new ScriptedUi(['wrong-name']));
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.delete', bucketItem), false);
    assert.ok(readRecords().some((r) => r.name === bucket));
    const ui = new ScriptedUi([bucket]);
    a.setUi(ui);
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.delete', bucketItem), true);
    assert.match(ui.asked[0], /not empty/);
    assert.ok(!readRecords().some((r) => r.name === bucket));
    const roots = await a.storage.tree.getChildren();
    const s3 = await a.storage.tree.getChildren(roots[1]);
    assert.ok(!s3.some((b) => b.kind === 'bucket' && b.bucket === bucket));
  });
});
