import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { parse, stringify } from 'yaml';
import type { StorageItem } from '../../services/storageItems';
import { ScriptedUi } from '../../ui/scriptedUi';
import { emptyAndDeleteBucket, listAll, readRecords, upsertRecord } from '../../engine/storage';
import { startForwardProxy } from '../sandbox/forwardProxy';
import { makeTestDir } from '../sandbox/proc';
import { api } from './extensionApi';

describe('storage view: tree, paging, filter, download, delete (RGW + Azurite; the GCS fake is configured too)', function () {
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
    a.storage.session.refresh();
    const roots = await a.storage.tree.getChildren();
    assert.deepStrictEqual(
      roots.map((r) => (r.kind === 'store' ? r.store : r.kind)),
      ['managed', 's3', 'r2', 'ibm', 'gcs', 'azure'],
    );
    a.setUi(new ScriptedUi([bucket]));
    const created = await vscode.commands.executeCommand('sky.storage.createBucket', roots[1]);
    assert.strictEqual(created, bucket);
    assert.ok(readRecords().some((r) => r.name === bucket && r.store === 's3'));
    // The new bucket is listed under Managed and under S3: tree ids must still be unique.
    a.storage.session.refresh();
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
    a.storage.session.refresh();
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
    const session = a.storage.session;
    const refreshRecords = session.refreshRecords.bind(session);
    session.refreshRecords = () => {
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
      session.refreshRecords = refreshRecords;
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
      const endpoint = new URL(a.storage.session.getConfig().stores.s3!.endpoint!);
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
    await (await a.storage.session.store('s3')).putFile(bucket, 'model.bin', binFile);
    await vscode.commands.executeCommand('sky.storage.open', { ...obj, key: 'model.bin', size: 4 });
    assert.notStrictEqual(vscode.window.activeTextEditor?.document.uri.path, `/s3/${bucket}/model.bin`);
  });

  it('deletes objects after a count modal and a non-empty bucket only after typing its name', async () => {
    const a = await api();
    a.storage.session.refresh();
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

describe('storage view: unmanaged deletes, failed listings, drops, bucket paging, config file (RGW)', function () {
  this.timeout(180_000);
  const id = Date.now().toString(36);
  const created: string[] = [];
  const sky = vscode.workspace.getConfiguration('sky');
  const bucketItem = (bucket: string, managed = false): Extract<StorageItem, { kind: 'bucket' }> => ({
    kind: 'bucket',
    store: 's3',
    bucket,
    managed,
  });
  async function s3() {
    return (await api()).storage.session.store('s3');
  }
  async function makeBucket(name: string, objects: Record<string, string> = {}) {
    const store = await s3();
    await store.createBucket(name);
    created.push(name);
    const dir = makeTestDir('sky-vs-obj-');
    for (const [key, text] of Object.entries(objects)) {
      const file = path.join(dir, key.replace(/\//g, '_'));
      fs.writeFileSync(file, text);
      await store.putFile(name, key, file);
    }
  }
  async function keys(bucket: string): Promise<string[]> {
    return (await listAll(await s3(), bucket, '')).map((o) => o.key).sort();
  }
  async function s3Node(): Promise<StorageItem> {
    const roots = await (await api()).storage.tree.getChildren();
    const node = roots.find((r) => r.kind === 'store' && r.store === 's3');
    assert.ok(node, `an S3 store node; got ${roots.map((r) => r.kind).join(',')}`);
    return node;
  }
  afterEach(async () => {
    (await api()).setUi(undefined);
    await sky.update('configFile', undefined, vscode.ConfigurationTarget.Global);
    await sky.update('storage.pageSize', undefined, vscode.ConfigurationTarget.Global);
    (await api()).storage.session.refresh();
  });
  after(async () => {
    const store = await s3();
    for (const b of created)
      if (await store.bucketExists(b)) await emptyAndDeleteBucket(store, b).catch(() => undefined);
  });

  it('deletes a bucket sky-vscode did not create only after its name is typed, and says so', async () => {
    const a = await api();
    const name = `sky-vs-foreign-${id}`;
    await makeBucket(name);
    a.storage.session.refresh();
    const item = (await a.storage.tree.getChildren(await s3Node())).find(
      (b) => b.kind === 'bucket' && b.bucket === name,
    );
    assert.ok(item?.kind === 'bucket' && !item.managed, 'the bucket is listed as not managed');
    const wrong = new ScriptedUi(['not-the-name']);
    a.setUi(wrong);
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.delete', item), false);
    assert.match(wrong.asked[0], /^confirmByTyping: Bucket .* was not created by sky-vscode/);
    assert.ok(await (await s3()).bucketExists(name), 'a wrong name keeps the bucket');
    const right = new ScriptedUi([name]);
    a.setUi(right);
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.delete', item), true);
    right.assertDone();
    assert.ok(!(await (await s3()).bucketExists(name)), 'the typed name deletes it');
  });

  it("deletes a bucket, a folder and an object through the Storage session's open store client, no second one", async () => {
    const a = await api();
    const gone = `sky-vs-onepath-${id}`;
    const kept = `sky-vs-onepath-kept-${id}`;
    await makeBucket(gone, { 'x.txt': 'x' });
    await makeBucket(kept, { 'dir/a.txt': 'a', 'dir/b.txt': 'b', 'c.txt': 'c', 'd.txt': 'd' });
    a.storage.session.refresh();
    // The very client the view lists with: every delete must reach the store through it.
    const store = await a.storage.session.store('s3');
    const calls: string[] = [];
    const deleteObjects = store.deleteObjects.bind(store);
    const deleteEmptyBucket = store.deleteEmptyBucket.bind(store);
    store.deleteObjects = (bucket, keys) => {
      calls.push(`objects ${bucket}: ${[...keys].sort().join(',')}`);
      return deleteObjects(bucket, keys);
    };
    store.deleteEmptyBucket = (bucket) => {
      calls.push(`bucket ${bucket}`);
      return deleteEmptyBucket(bucket);
    };
    try {
      const items: StorageItem[] = [
        { kind: 'bucket', store: 's3', bucket: gone, managed: false },
        { kind: 'folder', store: 's3', bucket: kept, prefix: 'dir/' },
        { kind: 'object', store: 's3', bucket: kept, key: 'c.txt', size: 1 },
      ];
      const ui = new ScriptedUi([gone, true]);
      a.setUi(ui);
      assert.strictEqual(await vscode.commands.executeCommand('sky.storage.delete', items[0], items), true);
      ui.assertDone();
    } finally {
      store.deleteObjects = deleteObjects;
      store.deleteEmptyBucket = deleteEmptyBucket;
    }
    assert.deepStrictEqual(calls, [
      `objects ${gone}: x.txt`,
      `bucket ${gone}`,
      `objects ${kept}: dir/a.txt,dir/b.txt`,
      `objects ${kept}: c.txt`,
    ]);
    assert.ok(!(await (await s3()).bucketExists(gone)));
    assert.deepStrictEqual(await keys(kept), ['d.txt']);
  });

  it('a partial delete (one item fails) still refreshes the tree and reports the failure', async () => {
    const a = await api();
    const tree = a.storage.tree;
    const kept = `sky-vs-partial-${id}`;
    await makeBucket(kept, { 'a.txt': 'a', 'b.txt': 'b' });
    const obj: StorageItem = { kind: 'object', store: 's3', bucket: kept, key: 'a.txt', size: 1 };
    // The other object's bucket is gone (deleted elsewhere since it was listed).
    const lost: StorageItem = {
      kind: 'object',
      store: 's3',
      bucket: `sky-vs-gone-${id}`,
      key: 'x.txt',
      size: 1,
    };
    a.storage.session.refresh();
    assert.deepStrictEqual(
      (await tree.getChildren(bucketItem(kept))).map((c) => (c.kind === 'object' ? c.key : c.kind)),
      ['a.txt', 'b.txt'],
    );
    const errors: string[] = [];
    const logError = a.log.error;
    a.log.error = (m) => {
      errors.push(m);
      logError(m);
    };
    try {
      a.setUi(new ScriptedUi([true]));
      const out = await vscode.commands.executeCommand('sky.storage.delete', obj, [obj, lost]);
      assert.strictEqual(out, undefined, 'the command reports an error');
    } finally {
      a.log.error = logError;
    }
    assert.deepStrictEqual(await keys(kept), ['b.txt']);
    // The view shows what is left, without a manual refresh.
    assert.deepStrictEqual(
      (await tree.getChildren(bucketItem(kept))).map((c) => (c.kind === 'object' ? c.key : c.kind)),
      ['b.txt'],
    );
    assert.ok(
      errors.some((e) => e.includes('1 of 2 delete(s) failed') && e.includes(`sky-vs-gone-${id}`)),
      errors.join(' | '),
    );
  });

  it('a listing that fails shows an error node with Retry, never "[empty]"; Retry lists again', async () => {
    const a = await api();
    const tree = a.storage.tree;
    const name = `sky-vs-vanish-${id}`;
    await makeBucket(name, { 'a.txt': 'a' });
    const item = bucketItem(name);
    a.storage.session.refresh();
    assert.deepStrictEqual(
      (await tree.getChildren(item)).map((c) => (c.kind === 'object' ? c.key : c.kind)),
      ['a.txt'],
    );
    await emptyAndDeleteBucket(await s3(), name);
    a.storage.session.refresh(item);
    for (let i = 0; i < 2; i++) {
      const [err, ...rest] = await tree.getChildren(item);
      assert.strictEqual(err.kind, 'error', `an error node, not ${err.kind}`);
      assert.deepStrictEqual(rest, []);
      assert.match(err.message, new RegExp(name));
      const ti = tree.getTreeItem(err);
      assert.strictEqual((ti.iconPath as vscode.ThemeIcon).id, 'error');
      assert.strictEqual(ti.command?.command, 'sky.storage.retry');
      assert.strictEqual(ti.contextValue, 'error');
    }
    const [err] = await tree.getChildren(item);
    await makeBucket(name, { 'b.txt': 'b' });
    await vscode.commands.executeCommand('sky.storage.retry', err);
    assert.deepStrictEqual(
      (await tree.getChildren(item)).map((c) => (c.kind === 'object' ? c.key : c.kind)),
      ['b.txt'],
    );
  });

  it('sky.configFile expands ~; a store whose endpoint refuses shows an error node until fixed and retried', async () => {
    const a = await api();
    const tree = a.storage.tree;
    const real = parse(fs.readFileSync(path.join(process.env.SKY_VSCODE_HOME!, 'config.yaml'), 'utf8')) as {
      stores: { s3: { endpoint: string } };
    };
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    const file = path.join(makeTestDir('sky-vs-cfg-'), 'config.yaml');
    const write = (endpoint: string) =>
      fs.writeFileSync(file, stringify({ stores: { s3: { ...real.stores.s3, endpoint } } }));
    write(`http://127.0.0.1:${closed}`);
    // Through ~: the setting names the file relative to the home folder.
    await sky.update(
      'configFile',
      `~/${path.relative(os.homedir(), file)}`,
      vscode.ConfigurationTarget.Global,
    );
    a.storage.session.refresh();
    const node = await s3Node();
    const [err] = await tree.getChildren(node);
    assert.strictEqual(err.kind, 'error', `an error node, not ${err.kind}`);
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${closed}|ECONNREFUSED|connect`, 'i'));
    write(real.stores.s3.endpoint);
    await vscode.commands.executeCommand('sky.storage.retry', err);
    const buckets = await tree.getChildren(node);
    assert.ok(
      buckets.length > 0 && buckets.every((b) => b.kind === 'bucket' || b.kind === 'more'),
      buckets.map((b) => b.kind).join(','),
    );
    // A configured file that does not exist is an error naming it and the setting, not an empty config.
    await sky.update('configFile', '~/sky-vs-no-such-dir/config.yaml', vscode.ConfigurationTarget.Global);
    a.storage.session.refresh();
    const [missing] = await tree.getChildren();
    assert.strictEqual(missing?.kind, 'error');
    assert.ok(
      missing.message.includes(path.join(os.homedir(), 'sky-vs-no-such-dir/config.yaml')),
      missing.message,
    );
    assert.match(missing.message, /sky\.configFile/);
  });

  it('pages the bucket list of a store with Load more', async () => {
    const a = await api();
    const tree = a.storage.tree;
    for (let i = 0; i < 3; i++) await makeBucket(`sky-vs-page${i}-${id}`);
    const all = (await (await s3()).listBuckets()).map((b) => b.name);
    await sky.update('storage.pageSize', 2, vscode.ConfigurationTarget.Global);
    a.storage.session.refresh();
    const node = await s3Node();
    let page = await tree.getChildren(node);
    assert.deepStrictEqual(
      page.map((p) => p.kind),
      ['bucket', 'bucket', 'more'],
    );
    for (let more = page.at(-1); more?.kind === 'more'; more = page.at(-1)) {
      await vscode.commands.executeCommand('sky.storage.loadMore', more);
      page = await tree.getChildren(node);
    }
    assert.deepStrictEqual(
      page.map((b) => (b.kind === 'bucket' ? b.bucket : b.kind)),
      all,
    );
  });

  it('"Yes to all" / "No to all" hold across a whole multi-selection download', async () => {
    const a = await api();
    const name = `sky-vs-multi-${id}`;
    await makeBucket(name, { 'a/1.txt': 'a1', 'a/2.txt': 'a2', 'b/1.txt': 'b1', 'b/2.txt': 'b2' });
    const sel: StorageItem[] = ['a/', 'b/'].map((prefix) => ({
      kind: 'folder',
      store: 's3',
      bucket: name,
      prefix,
    }));
    const dest = makeTestDir('sky-vs-multi-');
    a.storage.pickFolder = async () => vscode.Uri.file(dest);
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.download', sel[0], sel), 4);
    for (const f of ['a/1.txt', 'b/2.txt']) fs.writeFileSync(path.join(dest, f), 'local');
    const no = new ScriptedUi(['noToAll']);
    a.setUi(no);
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.download', sel[0], sel), 0);
    no.assertDone();
    assert.strictEqual(fs.readFileSync(path.join(dest, 'b/2.txt'), 'utf8'), 'local');
    const yes = new ScriptedUi(['yesToAll']);
    a.setUi(yes);
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.download', sel[0], sel), 4);
    yes.assertDone();
    assert.strictEqual(fs.readFileSync(path.join(dest, 'b/2.txt'), 'utf8'), 'b2');
  });

  it('a drop of OS files (the `files` transfer) uploads them; a failing drop is reported, not lost', async () => {
    const a = await api();
    const name = `sky-vs-drop-${id}`;
    await makeBucket(name);
    const dir = makeTestDir('sky-vs-drop-');
    const onDisk = path.join(dir, 'on-disk.txt');
    fs.writeFileSync(onDisk, 'from a path');
    // What VS Code hands a tree for files dropped from the OS: items whose asFile() is the file.
    class FileItem extends vscode.DataTransferItem {
      constructor(private readonly file: vscode.DataTransferFile) {
        super('');
      }
      override asFile() {
        return this.file;
      }
    }
    const data = new vscode.DataTransfer();
    data.set(
      'files',
      new FileItem({
        name: 'on-disk.txt',
        uri: vscode.Uri.file(onDisk),
        data: async () => fs.readFileSync(onDisk),
      }),
    );
    data.set(
      'application/octet-stream',
      new FileItem({ name: 'no-path.bin', data: async () => Buffer.from('bytes only') }),
    );
    const token = new vscode.CancellationTokenSource().token;
    await a.storage.dnd.handleDrop!(bucketItem(name), data, token);
    assert.deepStrictEqual(await keys(name), ['no-path.bin', 'on-disk.txt']);
    const errors: string[] = [];
    const logError = a.log.error;
    a.log.error = (m) => {
      errors.push(m);
      logError(m);
    };
    try {
      await a.storage.dnd.handleDrop!(bucketItem(`sky-vs-nodrop-${id}`), data, token);
    } finally {
      a.log.error = logError;
    }
    assert.ok(
      errors.some((e) => e.startsWith('sky.storage.drop:') && e.includes(`sky-vs-nodrop-${id}`)),
      errors.join(' | '),
    );
  });
});
