// Commands the docs name that no other test ran: the Storage view's Upload Files… and Copy URI
// (docs/reference.md), Sky: Show Output (the Sky log channel) and Sky: Get Started (README).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SkyExtensionApi } from '../../extension';
import type { StorageItem } from '../../services/storageItems';
import { emptyAndDeleteBucket, listAll } from '../../engine/storage';
import { makeTestDir } from '../sandbox/proc';
import { api } from './extensionApi';

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const allTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);

describe('storage view commands: Upload Files… and Copy URI (RGW)', function () {
  this.timeout(120_000);
  const bucket = `sky-vs-files-${Date.now().toString(36)}`;
  let pickUploads: SkyExtensionApi['storage']['pickUploads'];
  const s3 = async () => (await api()).storage.session.store('s3');
  const keys = async () => (await listAll(await s3(), bucket, '')).map((o) => o.key).sort();
  before(async () => {
    pickUploads = (await api()).storage.pickUploads;
    await (await s3()).createBucket(bucket);
  });
  after(async () => {
    (await api()).storage.pickUploads = pickUploads;
    const store = await s3();
    if (await store.bucketExists(bucket)) await emptyAndDeleteBucket(store, bucket);
  });

  it('Upload Files… asks for files (not folders) and puts each under its own name in the bucket or folder', async () => {
    const a = await api();
    const dir = makeTestDir('sky-vs-files-');
    for (const f of ['a.txt', 'b.txt', 'c.txt']) fs.writeFileSync(path.join(dir, f), `content of ${f}\n`);
    const asked: boolean[] = [];
    let answer = ['a.txt', 'b.txt'];
    a.storage.pickUploads = async (folders) => {
      asked.push(folders);
      return answer.map((f) => vscode.Uri.file(path.join(dir, f)));
    };
    const bucketItem: StorageItem = { kind: 'bucket', store: 's3', bucket, managed: false };
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.uploadFiles', bucketItem), 2);
    answer = ['c.txt'];
    const folder: StorageItem = { kind: 'folder', store: 's3', bucket, prefix: 'sub/' };
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.uploadFiles', folder), 1);
    assert.deepStrictEqual(asked, [false, false], 'the picker was asked for files');
    assert.deepStrictEqual(await keys(), ['a.txt', 'b.txt', 'sub/c.txt']);
    const back = path.join(dir, 'back.txt');
    await (await s3()).getToFile(bucket, 'sub/c.txt', back);
    assert.strictEqual(fs.readFileSync(back, 'utf8'), 'content of c.txt\n');
    // Nothing picked: nothing uploaded.
    answer = [];
    assert.strictEqual(await vscode.commands.executeCommand('sky.storage.uploadFiles', bucketItem), 0);
  });

  it('Copy URI puts the bucket, folder or object URI (as listed in the view) on the clipboard', async () => {
    const a = await api();
    a.storage.session.refresh();
    const bucketItem: StorageItem = { kind: 'bucket', store: 's3', bucket, managed: false };
    const listed = await a.storage.tree.getChildren(bucketItem);
    const object = listed.find((c) => c.kind === 'object' && c.key === 'a.txt');
    const folder = listed.find((c) => c.kind === 'folder' && c.prefix === 'sub/');
    assert.ok(object && folder, `listed: ${JSON.stringify(listed.map((c) => c.kind))}`);
    for (const [item, uri] of [
      [bucketItem, `s3://${bucket}`],
      [folder, `s3://${bucket}/sub/`],
      [object, `s3://${bucket}/a.txt`],
    ] as const) {
      await vscode.env.clipboard.writeText('');
      assert.strictEqual(await vscode.commands.executeCommand('sky.storage.copyUri', item), uri);
      assert.strictEqual(await vscode.env.clipboard.readText(), uri);
    }
  });
});

describe('Sky: Show Output and Sky: Get Started', function () {
  this.timeout(60_000);
  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('Sky: Show Output opens the Sky log channel, which holds the extension log', async () => {
    const a = await api();
    const marker = `show-output-check-${Date.now()}`;
    a.log.info(marker);
    const isSky = (d: vscode.TextDocument) => d.uri.scheme === 'output' && /Sky/.test(d.uri.path);
    assert.ok(!vscode.workspace.textDocuments.some(isSky), 'the channel is not shown yet');
    await vscode.commands.executeCommand('sky.showOutput');
    await until('the Sky output channel to be shown', () => vscode.workspace.textDocuments.some(isSky));
    const doc = vscode.workspace.textDocuments.find(isSky)!;
    await until(`the marker in ${doc.uri.toString()}`, () => doc.getText().includes(marker));
    assert.match(doc.getText(), /Sky activated/);
  });

  it('Sky: Get Started opens the Sky walkthrough', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.ok(!allTabs().some((t) => /Sky/.test(t.label)), 'no Sky walkthrough tab yet');
    await vscode.commands.executeCommand('sky.openWalkthrough');
    await until(
      `a walkthrough tab (tabs: ${allTabs()
        .map((t) => t.label)
        .join(', ')})`,
      () => allTabs().some((t) => /Get started with Sky|Walkthrough|Welcome/.test(t.label)),
    );
  });
});
