import * as assert from 'assert';
import type { E2eTest } from './e2eContext';

export const tests: E2eTest[] = [
  {
    name: 'sky-view-container',
    async run(ctx) {
      // The activity bar has the Sky container; opening it shows the Storage and Clusters views.
      const skyIcon = ctx.page.locator('.activitybar .action-item a[aria-label^="Sky"]').first();
      await skyIcon.waitFor({ state: 'visible', timeout: 30_000 });
      await skyIcon.click();
      const headers = ctx.page.locator('.pane-header', { hasText: /Storage|Clusters/i });
      await ctx.page
        .locator('.pane-header', { hasText: 'Storage' })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
      await ctx.page
        .locator('.pane-header', { hasText: 'Clusters' })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
      assert.ok((await headers.count()) >= 2);
      await ctx.page.waitForTimeout(500);
      await ctx.screenshot('foundation-sky-views');
    },
  },
];
