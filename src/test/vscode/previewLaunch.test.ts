import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { loadConfig } from '../../engine/config/config';
import { openStore } from '../../engine/storage';
import { ScriptedUi } from '../../ui/scriptedUi';
import { api } from './extensionApi';

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe('Sky: Preview Launch (sandbox sshd nodes and RGW)', function () {
  this.timeout(120_000);
  afterEach(async () => (await api()).setUi(undefined));

  it('opens a Markdown document with what would be sent, each exclusion with file:line, and the bucket actions; creates nothing', async () => {
    const a = await api();
    const id = Date.now().toString(36);
    const bucket = `sky-vsc-preview-${id}`;
    const dir = path.join(process.env.SKY_TEST_WORKSPACE!, `preview-${id}`);
    write(path.join(dir, 'code', '.gitignore'), '# logs\n*.log\n!keep.log\n');
    write(path.join(dir, 'code', 'train.sh'), 'echo train\n');
    write(path.join(dir, 'code', 'keep.log'), 'keep\n');
    write(path.join(dir, 'code', 'run.log'), 'noise\n');
    write(path.join(dir, 'data', '.skyignore'), 'cache/\n');
    write(path.join(dir, 'data', 'd.csv'), 'a,b\n');
    write(path.join(dir, 'data', 'cache', 'c.bin'), 'c');
    write(path.join(dir, 'bsrc', 'in.txt'), 'bucket input\n');
    write(
      path.join(dir, 'task.yaml'),
      `num_nodes: 2
workdir: ./code
file_mounts:
  ~/pv-vsc-${id}/data: ./data
  ~/pv-vsc-${id}/bkt:
    name: ${bucket}
    source: ./bsrc
    store: s3
    mode: COPY
run: bash train.sh
`,
    );
    const ui = new ScriptedUi(['sky-sbx']);
    a.setUi(ui);
    const task = vscode.Uri.file(path.join(dir, 'task.yaml'));
    const r = (await vscode.commands.executeCommand('sky.previewLaunch', task)) as
      { document: vscode.TextDocument } | undefined;
    ui.assertDone();
    assert.ok(r, 'the command returned the preview');
    const doc = vscode.window.activeTextEditor?.document;
    assert.strictEqual(doc, r.document, 'the preview is the active editor');
    assert.strictEqual(doc.languageId, 'markdown');
    assert.strictEqual(doc.isUntitled, true);
    const text = doc.getText();
    for (const line of [
      '# Dry run: launch task.yaml on sky-sbx (sky-sbx, sky-sbx-worker1)',
      'Compared with the nodes as a re-sync compares (size, mode, mtime). Nothing was changed.',
      `## Workdir \`${path.join(dir, 'code')}\` → \`~/sky_workdir\``,
      '- Local, after exclusions: 3 files, 39 B',
      '- Excluded (1):\n  - `run.log` by `*.log` in .gitignore:2',
      `## File mount \`${path.join(dir, 'data')}\` → \`~/pv-vsc-${id}/data\``,
      '- To send to each node (sky-sbx, sky-sbx-worker1): 2 files, 11 B:',
      '- Excluded (1):\n  - `cache` by `cache/` in .skyignore:1',
      `## Bucket mount \`~/pv-vsc-${id}/bkt\``,
      `- Create \`${bucket}\` (s3)\n- Upload 1 file, 13 B (0 of 1 unchanged)\n- Attach \`${bucket}\` (s3) with mode COPY on each of the 2 nodes`,
    ])
      assert.ok(text.includes(line), `${JSON.stringify(line)} in:\n${text}`);
    assert.ok(!text.includes('keep.log` by'), '!keep.log is not excluded');
    assert.strictEqual(await (await openStore('s3', loadConfig())).bucketExists(bucket), false);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
