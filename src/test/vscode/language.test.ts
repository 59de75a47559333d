import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SkyExtensionApi } from '../../extension';

const EXTENSION_ID = 'sky-vscode.sky-vscode';

async function api(): Promise<SkyExtensionApi> {
  const ext = vscode.extensions.getExtension<SkyExtensionApi>(EXTENSION_ID);
  assert.ok(ext, 'extension installed');
  return ext.activate();
}

function workspace(): string {
  const ws = process.env.SKY_TEST_WORKSPACE;
  assert.ok(ws, 'the tier sets SKY_TEST_WORKSPACE (a copy of examples/)');
  return ws;
}

/** Diagnostics are debounced and published asynchronously: poll until the predicate holds. */
async function diagnosticsUntil(
  uri: vscode.Uri,
  pred: (ds: vscode.Diagnostic[]) => boolean,
  ms = 15000,
): Promise<vscode.Diagnostic[]> {
  const until = Date.now() + ms;
  for (;;) {
    const ds = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'sky');
    if (pred(ds)) return ds;
    if (Date.now() > until)
      assert.fail(
        `diagnostics never matched; last: ${ds.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`).join(' | ')}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function openFile(rel: string, text?: string): Promise<vscode.TextEditor> {
  const file = path.join(workspace(), rel);
  if (text !== undefined) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  const doc = await vscode.workspace.openTextDocument(file);
  return vscode.window.showTextDocument(doc);
}

function labels(list: vscode.CompletionList): string[] {
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

describe('task.yaml language support', () => {
  before(async () => {
    await api();
  });

  it('shows diagnostics on the offending key or value, with SkyPilot messages', async () => {
    const ed = await openFile('invalid/storage-rules.yaml');
    const ds = await diagnosticsUntil(ed.document.uri, (d) => d.length >= 9);
    const find = (re: RegExp) => {
      const d = ds.find((x) => re.test(x.message));
      assert.ok(d, `a diagnostic matching ${re}`);
      return d;
    };
    const slash = find(/Mount paths cannot end with a slash/);
    assert.deepStrictEqual(
      [slash.range.start.line, slash.range.start.character, slash.range.end.character],
      [2, 2, 8],
    );
    assert.strictEqual(ed.document.getText(slash.range), '/ckpt/');
    assert.strictEqual(slash.severity, vscode.DiagnosticSeverity.Error);
    const sub = find(/MOUNT mode does not support mounting specific files/);
    assert.strictEqual(ed.document.getText(sub.range), 's3://sky-vscode-example-data/sub/dir');
    const name = find(/Invalid S3 bucket name 'My_Bucket'/);
    assert.strictEqual(ed.document.getText(name.range), 'My_Bucket');
    const region = find(/Invalid IBM COS region 'mars-1'/);
    assert.strictEqual(region.range.start.line, 23);
  });

  it('updates diagnostics as you type and accepts valid files', async () => {
    const ed = await openFile('lang/typing.sky.yaml', 'name: typing\nrun: echo hi\n');
    await diagnosticsUntil(ed.document.uri, (d) => d.length === 0, 5000);
    await ed.edit((b) => b.insert(new vscode.Position(1, 0), 'num_nodes: 0\n'));
    const ds = await diagnosticsUntil(ed.document.uri, (d) => d.length === 1);
    assert.match(ds[0].message, /'num_nodes' must be >= 1/);
    assert.strictEqual(ed.document.getText(ds[0].range), '0');
  });

  it('completes keys, enum values and env names', async () => {
    const text = [
      'name: complete',
      'envs:',
      '  BUCKET: b',
      'resources:',
      '  ',
      'file_mounts:',
      '  /data:',
      '    name: bkt',
      '    mode: ',
      '  /x: s3://$',
      'run: echo',
      '',
    ].join('\n');
    const ed = await openFile('lang/complete/task.yaml', text);
    const uri = ed.document.uri;
    const keys = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uri,
      new vscode.Position(4, 2),
    );
    const k = labels(keys);
    for (const want of ['accelerators', 'infra', 'cpus', 'autostop'])
      assert.ok(k.includes(want), `key ${want} offered; got ${k.slice(0, 30).join(',')}`);
    const values = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uri,
      new vscode.Position(8, 10),
    );
    const v = labels(values);
    for (const want of ['MOUNT', 'COPY', 'MOUNT_CACHED'])
      assert.ok(v.includes(want), `mode ${want} offered; got ${v.join(',')}`);
    const envs = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uri,
      new vscode.Position(9, 13),
      '$',
    );
    assert.ok(labels(envs).includes('$BUCKET'), `env offered; got ${labels(envs).join(',')}`);
  });

  it("completes local paths for workdir/source and the buckets of the Storage view's stores (RGW)", async function () {
    this.timeout(120_000);
    const sky = await api();
    // A bucket made outside sky-vscode (as the console or another tool would): completion must find it.
    const bucket = `sky-lang-${Date.now().toString(36)}`;
    const store = await sky.storage.session.store('s3');
    await store.createBucket(bucket);
    try {
      fs.mkdirSync(path.join(workspace(), 'lang/paths/data-dir'), { recursive: true });
      fs.writeFileSync(path.join(workspace(), 'lang/paths/notes.txt'), 'x');
      const text = [
        'workdir: ',
        'file_mounts:',
        '  /m:',
        '    name: ',
        '    source: ./',
        'run: echo',
        '',
      ].join('\n');
      const ed = await openFile('lang/paths/task.yaml', text);
      const uri = ed.document.uri;
      const wd = labels(
        await vscode.commands.executeCommand<vscode.CompletionList>(
          'vscode.executeCompletionItemProvider',
          uri,
          new vscode.Position(0, 9),
        ),
      );
      assert.ok(wd.includes('data-dir'), `workdir offers folders; got ${wd.join(',')}`);
      assert.ok(!wd.includes('notes.txt'), 'workdir offers folders only');
      const src = labels(
        await vscode.commands.executeCommand<vscode.CompletionList>(
          'vscode.executeCompletionItemProvider',
          uri,
          new vscode.Position(4, 14),
        ),
      );
      assert.ok(
        src.includes('notes.txt') && src.includes('data-dir'),
        `source offers files and folders; got ${src.join(',')}`,
      );
      // Completion waits only briefly for a store's list: ask again until the background read is in.
      let names: string[] = [];
      for (let i = 0; i < 60 && !names.includes(bucket); i++) {
        if (i) await new Promise((r) => setTimeout(r, 1000));
        names = labels(
          await vscode.commands.executeCommand<vscode.CompletionList>(
            'vscode.executeCompletionItemProvider',
            uri,
            new vscode.Position(3, 10),
          ),
        );
      }
      assert.ok(names.includes(bucket), `the RGW bucket ${bucket} offered; got ${names.join(',')}`);
    } finally {
      await store.deleteEmptyBucket(bucket);
    }
  });

  it('hover explains a field and resolves a bucket URI', async () => {
    const ed = await openFile('stores/task.yaml');
    const line = ed.document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('/data/ibm:'));
    const col = ed.document.lineAt(line).text.indexOf('cos://') + 3;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      ed.document.uri,
      new vscode.Position(line, col),
    );
    const md = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
      .join('\n');
    assert.match(md, /\*\*Store\*\*: IBM/);
    assert.match(md, /\*\*Bucket\*\*: `sky-vscode-example-data`/);
    assert.match(md, /\*\*Prefix\*\*: `train`/);
    assert.match(md, /\*\*Region\*\*: `us-east`/);
    const keyLine = ed.document
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('file_mounts:'));
    const keyHover = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      ed.document.uri,
      new vscode.Position(keyLine, 3),
    );
    const kmd = keyHover
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
      .join('\n');
    assert.match(kmd, /Files and buckets to put on the nodes/);
    const modes = await openFile('storage-modes/task.yaml');
    const modeLine = modes.document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('mode: MOUNT_CACHED'));
    const modeHover = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      modes.document.uri,
      new vscode.Position(modeLine, modes.document.lineAt(modeLine).text.indexOf('MOUNT_CACHED') + 2),
    );
    const mmd = modeHover
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
      .join('\n');
    assert.match(mmd, /\*\*MOUNT_CACHED\*\*: rclone VFS-cache mount/);
    // The destination key of a storage mount says what launch will do there.
    const dstLine = modes.document
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('  /mnt/cached:'));
    const dstHover = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      modes.document.uri,
      new vscode.Position(dstLine, 5),
    );
    const dmd = dstHover
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
      .join('\n')
      .replace(/\\(.)/g, '$1'); // markdown escapes
    assert.match(
      dmd,
      /\*\*On launch\*\*: MOUNT_CACHED of sky-vscode-example-cached at \/mnt\/cached on the node/,
    );
    assert.match(dmd, /attached if it exists, else created empty/);
    assert.match(dmd, /Uploads: 8 at a time; write-back after 2s; cache up to 5G/);
  });

  it('quick fix renames a misspelled key (did you mean)', async () => {
    const ed = await openFile('lang/fix/task.yaml', 'name: fix-me\nrnu: echo hi\n');
    const ds = await diagnosticsUntil(ed.document.uri, (d) =>
      d.some((x) => /Did you mean 'run'/.test(x.message)),
    );
    const diag = ds.find((x) => /Did you mean 'run'/.test(x.message));
    assert.ok(diag);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      ed.document.uri,
      diag.range,
    );
    const rename = actions.find((a) => a.title === "Rename to 'run'");
    assert.ok(rename?.edit, `rename offered; got ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(rename.edit));
    assert.strictEqual(ed.document.getText(), 'name: fix-me\nrun: echo hi\n');
    await diagnosticsUntil(ed.document.uri, (d) => d.length === 0);
  });

  it('quick fix wraps a single-file source in a list', async () => {
    fs.mkdirSync(path.join(workspace(), 'lang/wrap'), { recursive: true });
    fs.writeFileSync(path.join(workspace(), 'lang/wrap/model.bin'), 'x');
    const ed = await openFile(
      'lang/wrap/task.yaml',
      'file_mounts:\n  /m:\n    name: wrap-bucket\n    source: model.bin\nrun: ls /m\n',
    );
    const ds = await diagnosticsUntil(ed.document.uri, (d) =>
      d.some((x) => /source: \[model\.bin\]/.test(x.message)),
    );
    const diag = ds.find((x) => /source: \[model\.bin\]/.test(x.message));
    assert.ok(diag);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      ed.document.uri,
      diag.range,
    );
    const wrap = actions.find((a) => a.title === 'Wrap the source in a list');
    assert.ok(wrap?.edit);
    assert.ok(await vscode.workspace.applyEdit(wrap.edit));
    assert.match(ed.document.getText(), /source: \[model\.bin\]/);
    await diagnosticsUntil(ed.document.uri, (d) => d.length === 0);
  });

  it('Sky: Validate Task validates the active file', async () => {
    const ed = await openFile('invalid/values.yaml');
    const r = await vscode.commands.executeCommand<{ errors: number; warnings: number }>('sky.validateTask');
    assert.ok(r && r.errors >= 5, `errors reported: ${JSON.stringify(r)}`);
    await diagnosticsUntil(ed.document.uri, (d) => d.some((x) => /Duplicate key: 'run'/.test(x.message)));
  });
});
