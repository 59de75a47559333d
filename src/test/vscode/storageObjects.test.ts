// The Storage view's object actions in a real VS Code, each on RGW (S3), Azurite (Azure) and the GCS
// fake: Properties, Newest First, Copy To / Move To / Rename (inside a store, server-side, and across
// stores, streamed), Add as file_mount, Go to URI…, Open in Editor (save with a conflict check) and
// Open in Explorer (the bucket as a workspace folder of the tier's multi-root workspace).
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import * as vscode from 'vscode';
import { parse, stringify } from 'yaml';
import type { Store, StoreKind } from '../../engine/storage';
import { validateTaskText } from '../../engine/task/validate';
import type { StorageItem } from '../../services/storageItems';
import type { PickItem } from '../../engine/util/prompt';
import { ScriptedUi, type ScriptedAnswer } from '../../ui/scriptedUi';
import { api } from './extensionApi';
import { readAll } from '../harness/objectBytes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Scripted answers, where someone else writes the object while the first question is open. */
class WriteWhileAsked extends ScriptedUi {
  constructor(
    answers: ScriptedAnswer[],
    private write?: () => Promise<void>,
  ) {
    super(answers);
  }
  override async pick<T>(title: string, items: PickItem<T>[]): Promise<T | undefined> {
    const w = this.write;
    this.write = undefined;
    await w?.();
    return super.pick(title, items);
  }
}

/** The stores every feature is run on, with the URI form SkyPilot uses for each. */
const KINDS = ['s3', 'azure', 'gcs'] as const satisfies readonly StoreKind[];
const URI_FORM: Record<(typeof KINDS)[number], RegExp> = {
  s3: /^s3:\/\//,
  azure: /^https:\/\/devstoreaccount1\.blob\.core\.windows\.net\//,
  gcs: /^gs:\/\//,
};
/** How each store names a version in Properties: RGW's MD5 ETag, Azure's 0x… ETag, GCS's generation. */
const VERSION_LINE: Record<(typeof KINDS)[number], RegExp> = {
  s3: /- ETag: [0-9a-f]{32}\n/,
  azure: /- ETag: 0x[0-9A-F]+\n/,
  gcs: /- ETag: \S+\n- Generation \/ version: \d+\n/,
};

describe('storage view object actions on RGW, Azurite and the GCS fake: properties, newest first, copy/move/rename, add as file_mount, go to URI, editor, explorer', function () {
  this.timeout(120_000);
  const bucket = `sky-vso-${crypto.randomBytes(3).toString('hex')}`;
  const stores = new Map<StoreKind, Store>();
  const st = (kind: StoreKind) => stores.get(kind)!;
  const put = (store: Store, b: string, key: string, data: Buffer, metadata?: Record<string, string>) =>
    store.putStream(b, key, Readable.from([data]), data.length, { contentType: 'text/x-sky', metadata });
  afterEach(async () => (await api()).setUi(undefined));

  before(async () => {
    const a = await api();
    a.storage.session.refresh();
    for (const kind of KINDS) {
      const store = await a.storage.session.store(kind);
      await store.createBucket(bucket);
      stores.set(kind, store);
    }
  });

  for (const kind of KINDS) {
    const next: StoreKind = KINDS[(KINDS.indexOf(kind) + 1) % KINDS.length];

    it(`${kind}: Properties shows an object’s size, ETag/generation, type and metadata; a folder’s object count and total size`, async () => {
      const store = st(kind);
      await put(store, bucket, 'props/a.txt', Buffer.from('hello world'), { step: '42' });
      await put(store, bucket, 'props/sub/b.txt', Buffer.alloc(1000, 1));
      const obj: StorageItem = { kind: 'object', store: kind, bucket, key: 'props/a.txt', size: 11 };
      const r = await vscode.commands.executeCommand<{
        uri: string;
        text: string;
        stat: { size: number; etag?: string; generation?: string };
      }>('sky.storage.properties', obj);
      assert.strictEqual(r.uri, store.uri(bucket, 'props/a.txt'));
      assert.match(r.uri, URI_FORM[kind]);
      assert.strictEqual(r.stat.size, 11);
      const shown = vscode.window.activeTextEditor?.document;
      assert.strictEqual(shown?.uri.scheme, 'sky-storage-properties');
      const text = shown?.getText() ?? '';
      assert.match(text, /- Size: 11 B \(11 bytes\)/);
      assert.match(text, VERSION_LINE[kind]);
      assert.ok(text.includes(`- ETag: ${r.stat.etag}\n`), 'the ETag the store reports');
      if (kind === 'gcs') assert.ok(text.includes(`- Generation / version: ${r.stat.generation}\n`));
      assert.match(text, /- Content type: text\/x-sky/);
      assert.match(text, / {2}- step = 42/);
      const folder: StorageItem = { kind: 'folder', store: kind, bucket, prefix: 'props/' };
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

    it(`${kind}: Newest First lists the newest objects under a folder across its subfolders, newest first`, async () => {
      const store = st(kind);
      for (let i = 0; i < 5; i++)
        await put(store, bucket, `runs/step-${i % 2}/old-${i}.pt`, Buffer.from(`${i}`));
      await sleep(1500); // last-modified times are kept to the second
      await put(store, bucket, 'runs/step-1/newest.pt', Buffer.from('n'));
      const folder: StorageItem = { kind: 'folder', store: kind, bucket, prefix: 'runs/' };
      const r = await vscode.commands.executeCommand<{
        uri: string;
        keys: string[];
        scanned: number;
        requests: number;
      }>('sky.storage.newestFirst', folder);
      assert.strictEqual(r.uri, store.uri(bucket, 'runs/'));
      assert.strictEqual(r.keys[0], 'runs/step-1/newest.pt');
      assert.strictEqual(r.keys.length, 6);
      assert.strictEqual(r.scanned, 6);
      assert.strictEqual(r.requests, 3, 'the first level, then step-0/ and step-1/');
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    });

    it(`${kind}: Copy To inside the store (server-side) and to ${next} (streamed, with the overwrite prompt), Move To, Rename a folder`, async () => {
      const a = await api();
      const store = st(kind);
      const other = st(next);
      const data = crypto.randomBytes(300_000);
      await put(store, bucket, 'data/model.bin', data, { origin: 'vs' });
      const obj: StorageItem = {
        kind: 'object',
        store: kind,
        bucket,
        key: 'data/model.bin',
        size: data.length,
      };
      // Inside the store: the store copies, nothing streams through this machine.
      a.setUi(new ScriptedUi([store.uri(bucket, 'copy/')]));
      const inside = await vscode.commands.executeCommand<{ mode: string }>('sky.storage.copyTo', obj);
      assert.strictEqual(inside.mode, 'server');
      assert.ok((await readAll(store, bucket, 'copy/model.bin')).equals(data), 'byte for byte');
      assert.deepStrictEqual((await store.stat(bucket, 'copy/model.bin'))?.metadata, { origin: 'vs' });
      // To the next store: streamed through this machine, byte for byte, metadata kept.
      const dst = other.uri(bucket, `from-${kind}/`);
      a.setUi(new ScriptedUi([dst]));
      const c = await vscode.commands.executeCommand<{ mode: string }>('sky.storage.copyTo', obj);
      assert.strictEqual(c.mode, 'stream');
      assert.ok(
        (await readAll(other, bucket, `from-${kind}/model.bin`)).equals(data),
        `byte for byte on ${next}`,
      );
      assert.deepStrictEqual((await other.stat(bucket, `from-${kind}/model.bin`))?.metadata, {
        origin: 'vs',
      });
      // Again: the destination exists, so the user is asked; No leaves it, Replace copies.
      const ui = new ScriptedUi([dst, false]);
      a.setUi(ui);
      assert.strictEqual(await vscode.commands.executeCommand('sky.storage.copyTo', obj), undefined);
      assert.match(ui.asked.join('\n'), /confirm: 1 destination object\(s\) exist already.*Replace them\?/);
      a.setUi(new ScriptedUi([dst, true]));
      const again = await vscode.commands.executeCommand<{ objects: unknown[] }>('sky.storage.copyTo', obj);
      assert.strictEqual(again.objects.length, 1);
      // Move To inside the store: server-side, the source is gone.
      const copied: StorageItem = {
        kind: 'object',
        store: kind,
        bucket,
        key: 'copy/model.bin',
        size: data.length,
      };
      a.setUi(new ScriptedUi([store.uri(bucket, 'moved/model.bin')]));
      const m = await vscode.commands.executeCommand<{ mode: string; moved: boolean }>(
        'sky.storage.moveTo',
        copied,
      );
      assert.deepStrictEqual([m.mode, m.moved], ['server', true]);
      assert.strictEqual(await store.stat(bucket, 'copy/model.bin'), undefined);
      assert.ok((await readAll(store, bucket, 'moved/model.bin')).equals(data));
      // Rename a folder: every object under it moves.
      await put(store, bucket, 'data/sub/x.txt', Buffer.from('x'));
      a.setUi(new ScriptedUi(['renamed']));
      const folder: StorageItem = { kind: 'folder', store: kind, bucket, prefix: 'data/' };
      const rn = await vscode.commands.executeCommand<{ mode: string; objects: { dst: string }[] }>(
        'sky.storage.rename',
        folder,
      );
      assert.strictEqual(rn.mode, 'server');
      assert.deepStrictEqual(rn.objects.map((o) => o.dst).sort(), [
        store.uri(bucket, 'renamed/model.bin'),
        store.uri(bucket, 'renamed/sub/x.txt'),
      ]);
      assert.strictEqual(await store.stat(bucket, 'data/model.bin'), undefined);
      assert.ok((await readAll(store, bucket, 'renamed/model.bin')).equals(data));
    });

    it(`${kind}: Add as file_mount inserts the bucket into the picked task file, keeping its formatting, and it validates`, async () => {
      const a = await api();
      const name = `mount-${kind}.yaml`;
      const file = path.join(process.env.SKY_TEST_WORKSPACE!, name);
      const before =
        '# A task\nname: train   # keep this spacing\n\nfile_mounts:\n  /data: ./data\n\nrun: |\n  ls /ckpt\n';
      fs.mkdirSync(path.join(process.env.SKY_TEST_WORKSPACE!, 'data'), { recursive: true });
      fs.writeFileSync(file, before);
      const source = st(kind).uri(bucket);
      assert.match(source, URI_FORM[kind]);
      a.setUi(new ScriptedUi([new RegExp(`${name}$`), '/ckpt', 'MOUNT_CACHED', 'MODEL_CHECKPOINT_RW']));
      const item: StorageItem = { kind: 'bucket', store: kind, bucket, managed: false };
      const r = await vscode.commands.executeCommand<{ file: string; errors: unknown[] }>(
        'sky.storage.addFileMount',
        item,
      );
      assert.strictEqual(r.file, file);
      assert.deepStrictEqual(r.errors, []);
      const after = fs.readFileSync(file, 'utf8');
      assert.strictEqual(
        after,
        `# A task\nname: train   # keep this spacing\n\nfile_mounts:\n  /data: ./data\n  /ckpt:\n    source: ${source}\n    mode: MOUNT_CACHED\n    type: MODEL_CHECKPOINT_RW\n\nrun: |\n  ls /ckpt\n`,
      );
      assert.deepStrictEqual(
        validateTaskText(after, { file }).filter((d) => d.severity === 'error'),
        [],
      );
      // A folder inside a bucket can only be copied (SkyPilot mounts whole s3:// and gs:// buckets):
      // no mode prompt. An Azure https:// URL with a path may still be mounted: the mode is asked.
      a.setUi(new ScriptedUi([new RegExp(`${name}$`), '/inputs', ...(kind === 'azure' ? ['COPY'] : [])]));
      const folder: StorageItem = { kind: 'folder', store: kind, bucket, prefix: 'renamed/' };
      const f = await vscode.commands.executeCommand<{ mode: string }>('sky.storage.addFileMount', folder);
      assert.strictEqual(f.mode, 'COPY');
      assert.ok(
        fs.readFileSync(file, 'utf8').includes(`  /inputs:\n    source: ${source}/renamed\n    mode: COPY\n`),
      );
      fs.rmSync(file);
    });

    it(`${kind}: Go to URI… lands on a folder of the store from its URI (an object’s URI on its folder)`, async () => {
      const a = await api();
      const store = st(kind);
      await put(store, bucket, 'goto/deep/file.txt', Buffer.from('deep'));
      try {
        a.setUi(new ScriptedUi([store.uri(bucket, 'goto/')]));
        const item = await vscode.commands.executeCommand<StorageItem>('sky.storage.goToUri');
        assert.ok(
          item?.kind === 'folder' && item.store === kind,
          `a ${kind} folder: ${JSON.stringify(item)}`,
        );
        assert.deepStrictEqual([item.bucket, item.prefix], [bucket, 'goto/']);
        assert.ok((await a.storage.tree.getChildren()).includes(item), 'a root of the Storage view');
        const [deep] = await a.storage.tree.getChildren(item);
        assert.ok(deep.kind === 'folder' && deep.prefix === 'goto/deep/');
        a.setUi(new ScriptedUi([store.uri(bucket, 'goto/deep/file.txt')]));
        const f = await vscode.commands.executeCommand<StorageItem>('sky.storage.goToUri');
        assert.ok(f?.kind === 'folder' && f.store === kind && f.prefix === 'goto/deep/');
        const [file] = await a.storage.tree.getChildren(f);
        assert.ok(file.kind === 'object' && file.key === 'goto/deep/file.txt');
      } finally {
        a.storage.session.pinned.length = 0;
        a.storage.session.refresh();
      }
    });

    it(`${kind}: Open in Editor: saving uploads; a change in the bucket since it was read is caught (Compare: not saved; Overwrite: saved)`, async () => {
      const a = await api();
      const store = st(kind);
      await put(store, bucket, 'edit/notes.txt', Buffer.from('line one\n'));
      const obj: StorageItem = { kind: 'object', store: kind, bucket, key: 'edit/notes.txt', size: 9 };
      const uri = await vscode.commands.executeCommand<string>('sky.storage.openInEditor', obj);
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri)!;
      assert.strictEqual(doc.uri.authority, kind);
      assert.strictEqual(doc.getText(), 'line one\n');
      const append = async (text: string) => {
        const e = new vscode.WorkspaceEdit();
        e.insert(doc.uri, doc.positionAt(doc.getText().length), text);
        assert.ok(await vscode.workspace.applyEdit(e));
      };
      await append('line two\n');
      assert.strictEqual(await doc.save(), true);
      assert.strictEqual((await readAll(store, bucket, 'edit/notes.txt')).toString(), 'line one\nline two\n');
      // Someone else writes the object; our next save must not silently replace it.
      await put(store, bucket, 'edit/notes.txt', Buffer.from('theirs\n'));
      await append('line three\n');
      a.setUi(new ScriptedUi(['Compare']));
      assert.strictEqual(await doc.save(), false, 'not saved');
      assert.strictEqual((await readAll(store, bucket, 'edit/notes.txt')).toString(), 'theirs\n');
      const diff = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find(
          (t) =>
            t.input instanceof vscode.TabInputTextDiff &&
            t.input.original.scheme === 'sky-storage-conflict' &&
            t.input.modified.toString() === uri,
        );
      assert.ok(diff, 'a diff of the bucket’s version and ours is open');
      a.setUi(new ScriptedUi(['Overwrite']));
      assert.strictEqual(await doc.save(), true);
      const ours = 'line one\nline two\nline three\n';
      assert.strictEqual((await readAll(store, bucket, 'edit/notes.txt')).toString(), ours);
      if (kind !== 's3') {
        // The same bytes rewritten underneath: only the version tells (GCS's generation, Azure's
        // ETag; RGW's ETag is the content's MD5, so an identical rewrite is no conflict there).
        await put(store, bucket, 'edit/notes.txt', Buffer.from(ours));
        await append('line four\n');
        const ui = new ScriptedUi(['Cancel']);
        a.setUi(ui);
        assert.strictEqual(await doc.save(), false, 'not saved');
        assert.match(ui.asked.join('\n'), /changed in the bucket since you opened it/);
        assert.strictEqual((await readAll(store, bucket, 'edit/notes.txt')).toString(), ours);
        a.setUi(new ScriptedUi(['Overwrite']));
        assert.strictEqual(await doc.save(), true);
        assert.strictEqual((await readAll(store, bucket, 'edit/notes.txt')).toString(), `${ours}line four\n`);
        // Another write lands while the user decides: the upload is pinned (generation / ETag) to the
        // version the user chose to replace, so the store refuses it and the user is asked again.
        await put(store, bucket, 'edit/notes.txt', Buffer.from('theirs again\n'));
        await append('line five\n');
        const racing = new WriteWhileAsked(['Overwrite', 'Cancel'], () =>
          put(store, bucket, 'edit/notes.txt', Buffer.from('a third writer\n')),
        );
        a.setUi(racing);
        assert.strictEqual(await doc.save(), false, 'not saved');
        assert.strictEqual(racing.asked.length, 2, 'asked again after the refused upload');
        assert.strictEqual((await readAll(store, bucket, 'edit/notes.txt')).toString(), 'a third writer\n');
        a.setUi(new ScriptedUi(['Overwrite']));
        assert.strictEqual(await doc.save(), true);
        assert.strictEqual(
          (await readAll(store, bucket, 'edit/notes.txt')).toString(),
          `${ours}line four\nline five\n`,
        );
      }
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it(`${kind}: Open in Explorer adds a folder of the bucket as a workspace folder, and its files read through it`, async () => {
      const store = st(kind);
      await put(store, bucket, 'explore/a.txt', Buffer.from(`alpha on ${kind}`));
      await put(store, bucket, 'explore/sub/b.txt', Buffer.from('beta'));
      const folder: StorageItem = { kind: 'folder', store: kind, bucket, prefix: 'explore/' };
      const added = new Promise<vscode.WorkspaceFoldersChangeEvent>((resolve) => {
        const sub = vscode.workspace.onDidChangeWorkspaceFolders((e) => {
          sub.dispose();
          resolve(e);
        });
      });
      const uri = await vscode.commands.executeCommand<string>('sky.storage.openInExplorer', folder);
      const e = await added;
      assert.deepStrictEqual(
        e.added.map((f) => f.uri.toString()),
        [uri],
      );
      const ws = vscode.workspace.workspaceFolders!.find((f) => f.uri.toString() === uri)!;
      try {
        assert.strictEqual(ws.uri.scheme, 'sky-bucket');
        assert.strictEqual(ws.uri.authority, kind);
        assert.strictEqual(ws.name, `${bucket}/explore`);
        const entries = await vscode.workspace.fs.readDirectory(ws.uri);
        assert.deepStrictEqual(entries.sort(), [
          ['a.txt', vscode.FileType.File],
          ['sub', vscode.FileType.Directory],
        ]);
        const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ws.uri, 'a.txt')));
        assert.strictEqual(text.toString(), `alpha on ${kind}`);
        const sub = await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(ws.uri, 'sub'));
        assert.deepStrictEqual(sub, [['b.txt', vscode.FileType.File]]);
        const stat = await vscode.workspace.fs.stat(vscode.Uri.joinPath(ws.uri, 'sub', 'b.txt'));
        assert.deepStrictEqual([stat.type, stat.size], [vscode.FileType.File, 4]);
      } finally {
        vscode.workspace.updateWorkspaceFolders(ws.index, 1);
      }
    });
  }

  it('Go to URI…: an Azure container reached with a container SAS that cannot list containers becomes a root', async () => {
    const a = await api();
    await put(st('azure'), bucket, 'pinned/deep/file.txt', Buffer.from('deep'));
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
});
