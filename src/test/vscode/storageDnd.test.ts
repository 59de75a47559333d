// Drag and drop inside the Storage view, and Create Folder…, in a real VS Code on RGW (S3), Azurite
// and the GCS fake. Drops go through the view's own controller as VS Code calls it for an in-tree
// drag: handleDrag with the dragged items, then handleDrop with the DataTransfer it filled.
import * as assert from 'assert';
import * as crypto from 'crypto';
import { Readable } from 'stream';
import * as vscode from 'vscode';
import type { SkyExtensionApi } from '../../extension';
import type { Store, StoreKind } from '../../engine/storage';
import type { StorageItem } from '../../services/storageItems';
import { ScriptedUi } from '../../ui/scriptedUi';
import { api } from './extensionApi';
import { readAll } from '../harness/objectBytes';

/** What the Sky log received while `fn` ran. */
async function logged(a: SkyExtensionApi, fn: () => Promise<unknown>) {
  const seen = { info: [] as string[], error: [] as string[] };
  const { info, error } = a.log;
  a.log.info = (m) => {
    seen.info.push(m);
    info(m);
  };
  a.log.error = (m) => {
    seen.error.push(m);
    error(m);
  };
  try {
    await fn();
  } finally {
    a.log.info = info;
    a.log.error = error;
  }
  return seen;
}

describe('storage view: drag and drop inside the tree, Create folder (RGW, Azurite, GCS fake)', function () {
  this.timeout(180_000);
  const bucket = `sky-vsd-${crypto.randomBytes(3).toString('hex')}`;
  const stores = {} as Record<'s3' | 'gcs' | 'azure', Store>;
  const put = (store: Store, key: string, data: Buffer) =>
    store.putStream(bucket, key, Readable.from([data]), data.length);
  const bucketItem = (store: StoreKind, name = bucket): StorageItem => ({
    kind: 'bucket',
    store,
    bucket: name,
    managed: false,
  });
  /** The child the tree shows under `parent` (a real item of the view, as a drag would carry it). */
  const child = async (a: SkyExtensionApi, parent: StorageItem, name: string) => {
    const found = (await a.storage.tree.getChildren(parent)).find(
      (c) =>
        (c.kind === 'folder' && c.prefix.endsWith(name)) || (c.kind === 'object' && c.key.endsWith(name)),
    );
    assert.ok(found, `${name} is shown under ${JSON.stringify(parent)}`);
    return found;
  };
  const names = async (a: SkyExtensionApi, parent: StorageItem) =>
    (await a.storage.tree.getChildren(parent)).map((c) =>
      c.kind === 'folder' ? c.prefix : c.kind === 'object' ? c.key : c.kind,
    );
  /** An in-tree drag of `source` dropped on `target`, through the view's controller. */
  const drag = async (a: SkyExtensionApi, source: StorageItem[], target: StorageItem | undefined) => {
    const data = new vscode.DataTransfer();
    const token = new vscode.CancellationTokenSource().token;
    assert.ok(a.storage.dnd.handleDrag, 'the Storage view’s items can be dragged');
    await a.storage.dnd.handleDrag(source, data, token);
    await a.storage.dnd.handleDrop!(target, data, token);
  };

  before(async () => {
    const a = await api();
    a.storage.session.refresh();
    for (const kind of ['s3', 'gcs', 'azure'] as const) {
      stores[kind] = await a.storage.session.store(kind);
      await stores[kind].createBucket(bucket);
    }
  });
  afterEach(async () => (await api()).setUi(undefined));

  it('drag: an object dropped on a folder in the same store is copied by the store, byte for byte; again, the overwrite prompt; several at once', async () => {
    const a = await api();
    const data = crypto.randomBytes(200_000);
    await put(stores.s3, 'data/model.bin', data);
    await put(stores.s3, 'ckpt/keep.txt', Buffer.from('keep'));
    const root = bucketItem('s3');
    a.storage.session.refresh(root);
    const ckpt = await child(a, root, 'ckpt/');
    const obj = await child(a, await child(a, root, 'data/'), 'model.bin');
    assert.deepStrictEqual(await names(a, ckpt), ['ckpt/keep.txt'], 'listed before the drop');
    const ui = new ScriptedUi(['Copy']);
    a.setUi(ui);
    const seen = await logged(a, () => drag(a, [obj], ckpt));
    ui.assertDone();
    assert.deepStrictEqual(seen.error, []);
    assert.match(
      ui.asked[0],
      new RegExp(`pick: Drop s3://${bucket}/data/model.bin into s3://${bucket}/ckpt/`),
    );
    assert.ok((await readAll(stores.s3, bucket, 'ckpt/model.bin')).equals(data), 'byte for byte');
    assert.ok(await stores.s3.stat(bucket, 'data/model.bin'), 'a copy keeps its source');
    assert.ok(
      seen.info.some(
        (m) => m.includes(`copied s3://${bucket}/data/model.bin`) && m.endsWith('inside the store'),
      ),
      seen.info.join(' | '),
    );
    // The target folder is listed again without a manual refresh.
    assert.deepStrictEqual(await names(a, ckpt), ['ckpt/keep.txt', 'ckpt/model.bin']);
    // The same drop again: the object exists, so the user is asked; No copies nothing and is no error.
    const again = new ScriptedUi(['Copy', false]);
    a.setUi(again);
    const second = await logged(a, () => drag(a, [obj], ckpt));
    again.assertDone();
    assert.match(again.asked[1], /confirm: 1 destination object\(s\) exist already.*Replace them\?/);
    assert.deepStrictEqual(second.error, []);
    // Several at once: a folder and an object inside it are one copy (the folder's), plus another object.
    await put(stores.s3, 'loose.txt', Buffer.from('loose'));
    a.storage.session.refresh(root);
    const many = new ScriptedUi(['Copy']);
    a.setUi(many);
    const multi = await logged(a, async () =>
      drag(a, [await child(a, root, 'data/'), obj, await child(a, root, 'loose.txt')], ckpt),
    );
    many.assertDone();
    assert.deepStrictEqual(multi.error, []);
    assert.match(many.asked[0], /pick: Drop 2 items into/);
    assert.strictEqual(multi.info.filter((m) => m.startsWith('Drop:')).length, 2);
    assert.ok((await readAll(stores.s3, bucket, 'ckpt/data/model.bin')).equals(data));
    assert.strictEqual((await readAll(stores.s3, bucket, 'ckpt/loose.txt')).toString(), 'loose');
  });

  it('drag: a folder dropped on a bucket in another store streams through this machine, byte for byte (S3 → GCS, GCS → Azure)', async () => {
    const a = await api();
    const big = crypto.randomBytes(300_000);
    await put(stores.s3, 'run/a.bin', big);
    await put(stores.s3, 'run/sub/b.txt', Buffer.from('bee'));
    const s3Root = bucketItem('s3');
    a.storage.session.refresh(s3Root);
    const run = await child(a, s3Root, 'run/');
    const gcsRoot = bucketItem('gcs');
    a.setUi(new ScriptedUi(['Copy']));
    const toGcs = await logged(a, () => drag(a, [run], gcsRoot));
    assert.deepStrictEqual(toGcs.error, []);
    assert.ok((await readAll(stores.gcs, bucket, 'run/a.bin')).equals(big), 'S3 → GCS byte for byte');
    assert.strictEqual((await readAll(stores.gcs, bucket, 'run/sub/b.txt')).toString(), 'bee');
    assert.ok(
      toGcs.info.some((m) =>
        m.includes(`2 object(s), ${big.length + 3} bytes, streamed through this machine`),
      ),
      toGcs.info.join(' | '),
    );
    assert.ok((await names(a, gcsRoot)).includes('run/'), 'the GCS bucket shows the new folder');
    // From GCS onto a folder of the Azure container.
    await put(stores.azure, 'imports/readme.txt', Buffer.from('r'));
    const azRoot = bucketItem('azure');
    a.storage.session.refresh(azRoot);
    const imports = await child(a, azRoot, 'imports/');
    a.setUi(new ScriptedUi(['Copy']));
    const gcsRun = await child(a, gcsRoot, 'run/');
    const toAz = await logged(a, () => drag(a, [gcsRun], imports));
    assert.deepStrictEqual(toAz.error, []);
    assert.ok(
      (await readAll(stores.azure, bucket, 'imports/run/a.bin')).equals(big),
      'GCS → Azure byte for byte',
    );
    assert.strictEqual((await readAll(stores.azure, bucket, 'imports/run/sub/b.txt')).toString(), 'bee');
    assert.ok(toAz.info.some((m) => m.endsWith('streamed through this machine')));
    assert.deepStrictEqual(await names(a, imports), ['imports/run/', 'imports/readme.txt']);
  });

  it('drag: Move through the drop prompt deletes the source after the copy, and keeps it when the copy fails', async () => {
    const a = await api();
    const data = crypto.randomBytes(50_000);
    await put(stores.gcs, 'mv/x.bin', data);
    await put(stores.s3, 'landing/keep.txt', Buffer.from('k'));
    const gcsRoot = bucketItem('gcs');
    const s3Root = bucketItem('s3');
    a.storage.session.refresh(gcsRoot);
    a.storage.session.refresh(s3Root);
    const mv = await child(a, gcsRoot, 'mv/');
    const x = await child(a, mv, 'x.bin');
    const landing = await child(a, s3Root, 'landing/');
    // The copy fails (the target's bucket is gone): the source stays.
    const gone: StorageItem = { kind: 'folder', store: 's3', bucket: `${bucket}-gone`, prefix: 'f/' };
    a.setUi(new ScriptedUi(['Move']));
    const failed = await logged(a, () => drag(a, [x], gone));
    assert.ok(
      failed.error.some((m) => m.startsWith('sky.storage.drop:') && m.includes(`${bucket}-gone`)),
      failed.error.join(' | '),
    );
    assert.ok(await stores.gcs.stat(bucket, 'mv/x.bin'), 'the source is kept when the copy fails');
    const ui = new ScriptedUi(['Move']);
    a.setUi(ui);
    const moved = await logged(a, () => drag(a, [x], landing));
    ui.assertDone();
    assert.deepStrictEqual(moved.error, []);
    assert.ok((await readAll(stores.s3, bucket, 'landing/x.bin')).equals(data), 'byte for byte');
    assert.strictEqual(await stores.gcs.stat(bucket, 'mv/x.bin'), undefined, 'the source is deleted');
    assert.ok(moved.info.some((m) => m.includes(`moved gs://${bucket}/mv/x.bin`)));
    // Both sides are listed again: the source's folder is now empty, the target shows the object.
    assert.deepStrictEqual(await names(a, landing), ['landing/keep.txt', 'landing/x.bin']);
    assert.ok(!(await names(a, gcsRoot)).includes('mv/'));
  });

  it('drag: a drop on itself, inside itself or where it already is, is refused before anything is asked', async () => {
    const a = await api();
    await put(stores.azure, 'self/inner/deep.txt', Buffer.from('d'));
    await put(stores.azure, 'self/top.txt', Buffer.from('t'));
    const root = bucketItem('azure');
    a.storage.session.refresh(root);
    const self = await child(a, root, 'self/');
    const inner = await child(a, self, 'inner/');
    const top = await child(a, self, 'top.txt');
    const cases: [StorageItem, StorageItem, RegExp][] = [
      [self, self, /self\/ cannot be dropped on itself or on a folder inside it; nothing was copied/],
      [self, inner, /self\/ cannot be dropped on itself or on a folder inside it/],
      [top, top, /self\/top\.txt cannot be dropped on itself/],
      [inner, self, /self\/inner\/ is in .*\/self\/ already; nothing was copied/],
    ];
    for (const [source, target, message] of cases) {
      // No answers: any prompt would fail the drop with "Unexpected prompt".
      const ui = new ScriptedUi([]);
      a.setUi(ui);
      const seen = await logged(a, () => drag(a, [source], target));
      assert.deepStrictEqual(ui.asked, []);
      assert.ok(
        seen.error.some((m) => m.startsWith('sky.storage.drop:') && message.test(m)),
        `${message} in: ${seen.error.join(' | ')}`,
      );
    }
    assert.deepStrictEqual(await names(a, self), ['self/inner/', 'self/top.txt'], 'nothing was copied');
  });

  for (const kind of ['s3', 'gcs', 'azure'] as const)
    it(`Create folder on ${kind}: the marker exists, the tree shows the folder, a second one of the same name is refused`, async () => {
      const a = await api();
      const root = bucketItem(kind);
      a.storage.session.refresh(root);
      await names(a, root);
      a.setUi(new ScriptedUi(['made']));
      const made = await vscode.commands.executeCommand<StorageItem>('sky.storage.createFolder', root);
      assert.deepStrictEqual(made, { kind: 'folder', store: kind, bucket, prefix: 'made/' });
      const marker = await stores[kind].stat(bucket, 'made/');
      assert.strictEqual(marker?.size, 0, 'a zero-byte marker');
      assert.ok((await names(a, root)).includes('made/'), 'shown without a manual refresh');
      // Inside the new folder: a nested name; the marker itself is not listed as an object.
      a.setUi(new ScriptedUi(['inner/deeper/']));
      const nested = await vscode.commands.executeCommand<StorageItem>('sky.storage.createFolder', made);
      assert.ok(nested?.kind === 'folder' && nested.prefix === 'made/inner/deeper/');
      assert.deepStrictEqual(await names(a, made), ['made/inner/']);
      // The same name again, and names no store takes: refused with the reason, nothing written.
      for (const [name, message] of [
        ['made', /The folder .*made\/ exists already/],
        ['/abs', /does not start with \//],
        ['a//b', /no empty part/],
      ] as const) {
        a.setUi(new ScriptedUi([name]));
        const seen = await logged(a, async () =>
          assert.strictEqual(
            await vscode.commands.executeCommand('sky.storage.createFolder', root),
            undefined,
          ),
        );
        assert.ok(
          seen.error.some((m) => m.startsWith('sky.storage.createFolder:') && message.test(m)),
          `${message} in: ${seen.error.join(' | ')}`,
        );
      }
      assert.strictEqual(await stores[kind].stat(bucket, 'a/'), undefined);
    });
});
