// Buckets as part of the workspace, through the Storage view's context menu on the sandbox's RGW
// (issue 18's screenshots): an object open in the editor and saved back, a bucket as a workspace
// folder in the Explorer, the Newest First listing, and an object's Properties.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as path from 'path';
import { Readable } from 'stream';
import type { Locator } from 'playwright-core';
import { loadConfig } from '../../engine/config/config';
import { openStore, type Store } from '../../engine/storage';
import type { E2eContext, E2eTest } from './e2eContext';

async function s3(ctx: E2eContext): Promise<{ store: Store; bucket: string }> {
  const store = await openStore('s3', loadConfig(path.join(ctx.skyHome, 'config.yaml')));
  const bucket = `sky-e2e-${crypto.randomBytes(3).toString('hex')}`;
  await store.createBucket(bucket);
  return { store, bucket };
}

async function put(
  store: Store,
  bucket: string,
  key: string,
  text: string,
  opts?: { contentType?: string; metadata?: Record<string, string> },
): Promise<void> {
  const body = Buffer.from(text);
  await store.putStream(bucket, key, Readable.from([body]), body.length, opts);
}

async function read(store: Store, bucket: string, key: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of await store.openRead(bucket, key)) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The Storage view, and a right-click menu on its rows, as storage.e2e.ts drives them. */
function storageView(ctx: E2eContext) {
  const { page } = ctx;
  const pane = page.locator('.pane', { hasText: 'Storage' }).first();
  const row = (label: string | RegExp) => pane.locator('.monaco-list-row', { hasText: label }).first();
  return {
    row,
    /** Opens the Sky view and expands each label in turn (store, bucket, folders). */
    async expand(...labels: (string | RegExp)[]) {
      await page.locator('.activitybar .action-item a[aria-label^="Sky"]').first().click();
      for (const label of labels) {
        await row(label).waitFor({ state: 'visible', timeout: 20_000 });
        await row(label).click();
      }
    },
    async menu(target: string | RegExp, label: string) {
      await row(target).waitFor({ state: 'visible', timeout: 20_000 });
      await row(target).click({ button: 'right' });
      const item = page.locator('.context-view .action-item', { hasText: label }).first();
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(300); // the menu animates in
      await item.click();
    },
  };
}

/** The active editor's text as Monaco draws it (its spaces are non-breaking in the DOM). */
async function editorText(editor: Locator): Promise<string> {
  const lines = editor.locator('.view-lines .view-line');
  const tops = await lines.evaluateAll((els) =>
    els.map((e) => ({
      top: parseFloat((e as unknown as { style: { top: string } }).style.top) || 0,
      text: e.textContent ?? '',
    })),
  );
  return tops
    .sort((a, b) => a.top - b.top)
    .map((l) => l.text.replace(/\u00a0/g, ' '))
    .join('\n');
}

const activeEditor = (ctx: E2eContext) =>
  ctx.page.locator('.editor-group-container.active .monaco-editor').first();

export const tests: E2eTest[] = [
  {
    name: 'bucket-object-open-in-editor-edit-save',
    // VS Code for the Web saves after a delay by default: off, so the save is the Ctrl+S below.
    settings: { 'files.autoSave': 'off' },
    async run(ctx) {
      const { page } = ctx;
      const { store, bucket } = await s3(ctx);
      const before = 'learning_rate: 0.001\nepochs: 10\n';
      await put(store, bucket, 'configs/train.yaml', before);
      const view = storageView(ctx);
      await view.expand(/^S3/, bucket, 'configs');
      await view.menu('train.yaml', 'Open in Editor');
      await page
        .locator('.tabs-container .tab', { hasText: 'train.yaml' })
        .first()
        .waitFor({ state: 'visible', timeout: 20_000 });
      const editor = activeEditor(ctx);
      await until('the object text in the editor', async () =>
        (await editorText(editor)).includes('epochs: 10') ? true : undefined,
      );
      assert.strictEqual(await editorText(editor), 'learning_rate: 0.001\nepochs: 10\n');
      // Edit the first line as a person would, then save: the save uploads.
      await editor.locator('.view-line', { hasText: 'learning_rate' }).first().click();
      await page.keyboard.press('End');
      await page.keyboard.press('Backspace');
      await page.keyboard.type('3');
      await page.locator('.tabs-container .tab.dirty', { hasText: 'train.yaml' }).first().waitFor();
      await page.keyboard.press('Control+S');
      const after = 'learning_rate: 0.003\nepochs: 10\n';
      await until('the saved bytes in the bucket', async () =>
        (await read(store, bucket, 'configs/train.yaml')) === after ? true : undefined,
      );
      await page
        .locator('.tabs-container .tab.dirty', { hasText: 'train.yaml' })
        .first()
        .waitFor({ state: 'detached', timeout: 20_000 });
      assert.strictEqual(await editorText(editor), after);
      await ctx.screenshot('bucket-1-object-in-editor');
    },
  },
  {
    name: 'bucket-open-in-explorer',
    async run(ctx) {
      const { page } = ctx;
      const { store, bucket } = await s3(ctx);
      await put(store, bucket, 'readme.txt', 'a bucket as a folder\n');
      await put(store, bucket, 'data/part-0.csv', 'a,b\n1,2\n');
      const view = storageView(ctx);
      await view.expand(/^S3/);
      await view.menu(bucket, 'Open in Explorer');
      // A second folder turns the single-folder window into an (untitled) multi-root workspace: the
      // workbench reloads on a ?workspace= URL with a new extension host.
      await page.waitForURL(/[?&]workspace=/, { timeout: 60_000 });
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      await page.keyboard.press('Control+Shift+E');
      const explorer = page.locator('.explorer-folders-view');
      // The Explorer's rows in order, as "level name" (its list draws only what is in view).
      const rows = () =>
        explorer.locator('.monaco-list-row').evaluateAll((els) =>
          els
            .map((e) => ({
              i: Number(e.getAttribute('data-index')),
              row: `${e.getAttribute('aria-level')} ${e.querySelector('.label-name')?.textContent ?? ''}`,
            }))
            .sort((a, b) => a.i - b.i),
        );
      /** The row "level name" once the Explorer shows it. */
      const row = async (want: string) => {
        const i = await until(`the Explorer row "${want}"`, async () => {
          const r = (await rows()).find((x) => x.row === want);
          return r?.i;
        });
        return explorer.locator(`.monaco-list-row[data-index="${i}"]`);
      };
      // code-server sometimes draws the reloaded window with no folders ("No Folder Opened") although
      // the untitled workspace file it wrote lists both (seen once in four runs): a person would reload
      // the window, and so does the test, once, and says so.
      const noFolder = page.getByText(/no folder opened/i).first();
      await until(
        'the bucket in the Explorer',
        async () =>
          (await rows()).some((r) => r.row === `1 ${bucket}`) || (await noFolder.isVisible())
            ? true
            : undefined,
        60_000,
      );
      if (await noFolder.isVisible()) {
        process.stdout.write('    (the reloaded window showed no folders; reloading it once)\n');
        await page.reload();
        await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
        await page.keyboard.press('Control+Shift+E');
      }
      const root = await row(`1 ${bucket}`);
      if ((await root.getAttribute('aria-expanded')) !== 'true') await root.click();
      await (await row('2 data')).click();
      await row('3 part-0.csv');
      // The bucket is the last root, and under it exactly its folder (expanded), the folder's object
      // and the top-level object.
      const shown = (await rows()).map((r) => r.row);
      assert.deepStrictEqual(shown.slice(shown.indexOf(`1 ${bucket}`)), [
        `1 ${bucket}`,
        '2 data',
        '3 part-0.csv',
        '2 readme.txt',
      ]);
      await (await row('2 readme.txt')).click();
      await until('readme.txt open from the workspace folder', async () =>
        (await editorText(activeEditor(ctx))).includes('a bucket as a folder') ? true : undefined,
      );
      await ctx.screenshot('bucket-2-workspace-folder');
    },
  },
  {
    name: 'bucket-newest-first',
    async run(ctx) {
      const { page } = ctx;
      const { store, bucket } = await s3(ctx);
      // Written in an order that is neither key order nor its reverse, over a second apart each
      // (the store's last-modified times are in whole seconds).
      const written = ['ckpt/step-200.pt', 'ckpt/step-300.pt', 'ckpt/step-100.pt'];
      for (const [i, key] of written.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, 1_500));
        await put(store, bucket, key, `weights ${i}\n`);
      }
      await put(store, bucket, 'other/not-here.pt', 'outside the folder\n');
      const view = storageView(ctx);
      await view.expand(/^S3/, bucket);
      await view.menu(/^ckpt/, 'Newest First');
      const widget = page.locator('.quick-input-widget');
      await widget
        .locator('.quick-input-title', { hasText: /^Newest 3 of 3 under/ })
        .waitFor({ state: 'visible', timeout: 30_000 });
      const rows = await widget.locator('.quick-input-list .monaco-list-row').evaluateAll((els) =>
        els
          .map((e) => ({
            i: Number(e.getAttribute('data-index')),
            label: e.querySelector('.label-name')?.textContent ?? '',
          }))
          .sort((a, b) => a.i - b.i)
          .map((r) => r.label),
      );
      assert.deepStrictEqual(rows, [...written].reverse());
      // The listing's cancellable progress closes once it is done.
      await page
        .locator('.notifications-toasts .notification-toast', { hasText: /Newest under/ })
        .first()
        .waitFor({ state: 'hidden', timeout: 15_000 });
      await ctx.screenshot('bucket-3-newest-first');
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'bucket-object-properties',
    async run(ctx) {
      const { store, bucket } = await s3(ctx);
      const text = '{"accuracy": 0.93}\n';
      await put(store, bucket, 'eval/metrics.json', text, {
        contentType: 'application/json',
        metadata: { run: 'e2e-42', owner: 'shots' },
      });
      const stat = await store.stat(bucket, 'eval/metrics.json');
      assert.ok(stat?.etag, 'RGW gives the object an ETag');
      const view = storageView(ctx);
      await view.expand(/^S3/, bucket, 'eval');
      await view.menu('metrics.json', 'Properties');
      await ctx.page
        .locator('.tabs-container .tab', { hasText: 'metrics.json' })
        .first()
        .waitFor({ state: 'visible', timeout: 20_000 });
      const editor = activeEditor(ctx);
      const doc = await until('the Properties document', async () => {
        const t = await editorText(editor);
        return t.includes('Metadata') ? t : undefined;
      });
      const lines = doc.split('\n');
      for (const want of [
        `# ${store.uri(bucket, 'eval/metrics.json')}`,
        `- Size: ${text.length} B (${text.length} bytes)`,
        `- ETag: ${stat.etag}`,
        '- Content type: application/json',
        '- Metadata: ',
        '  - owner = shots',
        '  - run = e2e-42',
      ])
        assert.ok(
          lines.some((l) => l.trimEnd() === want.trimEnd()),
          `Properties lack "${want}":\n${doc}`,
        );
      await ctx.screenshot('bucket-4-properties');
    },
  },
];
