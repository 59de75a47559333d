import * as assert from 'assert';
import type { E2eTest } from './e2eContext';

export const tests: E2eTest[] = [
  {
    name: 'task-yaml-squiggles-and-hover',
    async run(ctx) {
      // A task file with SkyPilot mistakes: the editor underlines them as the user would see them.
      await ctx.openFile('invalid/storage-rules.yaml');
      const page = ctx.page;
      await page
        .locator('.monaco-editor .squiggly-error')
        .first()
        .waitFor({ state: 'visible', timeout: 30_000 });
      assert.ok(
        (await page.locator('.monaco-editor .squiggly-error').count()) >= 5,
        'several error squiggles',
      );
      // Hover the bucket URI that MOUNT cannot mount: the diagnostic and what the URI resolves to.
      const uri = page
        .locator('.view-lines .view-line span', { hasText: 'sky-vscode-example-data/sub/dir' })
        .last();
      await uri.hover();
      const hover = page.locator('.monaco-hover', { hasText: 'MOUNT mode does not support' }).first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      const text = (await hover.textContent()) ?? '';
      assert.match(text, /Store: S3/);
      assert.match(text, /Prefix: sub\/dir/);
      await page.waitForTimeout(300);
      await ctx.screenshot('language-squiggles-hover');
    },
  },
];
