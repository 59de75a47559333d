import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../engine/config/config';
import { openStore } from '../../engine/storage';
import type { E2eTest } from './e2eContext';

export const tests: E2eTest[] = [
  {
    name: 'storage-browse-download-delete',
    async run(ctx) {
      const { page } = ctx;
      // A bucket with a folder, made through the engine against the sandbox's Ceph RGW.
      const config = loadConfig(path.join(ctx.skyHome, 'config.yaml'));
      const store = await openStore('s3', config);
      const bucket = `sky-e2e-${crypto.randomBytes(3).toString('hex')}`;
      await store.createBucket(bucket);
      const src = path.join(ctx.workspace, '..', 'e2e-src');
      fs.mkdirSync(src, { recursive: true });
      for (let i = 0; i < 3; i++) {
        fs.writeFileSync(path.join(src, `part-${i}.csv`), `a,b\n${i},${i * 2}\n`);
        await store.putFile(bucket, `dataset/part-${i}.csv`, path.join(src, `part-${i}.csv`));
      }
      await page.locator('.activitybar .action-item a[aria-label^="Sky"]').first().click();
      const pane = page.locator('.pane', { hasText: 'Storage' }).first();
      const menu = async (label: string) => {
        const item = page.locator('.context-view .action-item', { hasText: label }).first();
        await item.waitFor({ state: 'visible', timeout: 10_000 });
        await page.waitForTimeout(300); // the menu animates in
        await item.click();
      };
      const row = (label: string | RegExp) => pane.locator('.monaco-list-row', { hasText: label }).first();
      await row(/^S3/).waitFor({ state: 'visible', timeout: 20_000 });
      await row(/^S3/).click();
      await row(bucket).waitFor({ state: 'visible', timeout: 20_000 });
      await row(bucket).click();
      await row('dataset').waitFor({ state: 'visible', timeout: 20_000 });
      await row('dataset').click();
      await row('part-2.csv').waitFor({ state: 'visible', timeout: 20_000 });
      await ctx.screenshot('storage-1-browse');
      // Download the folder through the context menu.
      await row('dataset').click({ button: 'right' });
      await menu('Download…');
      const dest = path.join(ctx.workspace, 'downloads');
      fs.mkdirSync(dest, { recursive: true });
      await ctx.chooseFolder(dest, 'Download here');
      await ctx.waitForNotification(/Downloaded 3 file/, 30_000);
      await ctx.screenshot('storage-2-downloaded');
      assert.strictEqual(fs.readFileSync(path.join(dest, 'dataset', 'part-1.csv'), 'utf8'), 'a,b\n1,2\n');
      // Delete the non-empty bucket: the context menu asks for its name.
      await row(bucket).click({ button: 'right' });
      await menu('Delete');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(bucket);
      await ctx.screenshot('storage-3-type-to-delete');
      await page.keyboard.press('Enter');
      for (let i = 0; i < 50 && (await store.bucketExists(bucket)); i++) await page.waitForTimeout(200);
      assert.strictEqual(await store.bucketExists(bucket), false);
      await pane
        .locator('.monaco-list-row', { hasText: bucket })
        .waitFor({ state: 'detached', timeout: 15_000 });
      await ctx.screenshot('storage-4-deleted');
    },
  },
];
