import * as assert from 'assert';
import type { E2eTest } from './e2eContext';

export const tests: E2eTest[] = [
  {
    name: 'walkthrough-opens-on-first-run',
    // The harness turns the first-run walkthrough off for every other test; this one is a first run.
    settings: { 'sky.showWalkthroughOnFirstRun': true },
    async run(ctx) {
      const page = ctx.page;
      // The workspace has task.yaml files, so the extension activates and opens its walkthrough.
      const title = page.locator('.gettingStartedContainer', { hasText: 'Get started with Sky' }).first();
      await title.waitFor({ state: 'visible', timeout: 60_000 });
      const text = (await title.textContent()) ?? '';
      for (const step of [
        'Open or create a task.yaml',
        'See validation and hover',
        'Connect a store',
        'Add a cluster',
        'Launch, and watch the logs',
        'Download an artifact',
      ])
        assert.ok(text.includes(step), `step "${step}" shown`);
      // The tier's config names stores and a cluster: those two steps show as done (VS Code marks a
      // done step's button aria-checked, and its icon pass-filled), the others not.
      for (const step of ['Connect a store', 'Add a cluster'])
        await page
          .locator('button.getting-started-step[aria-checked="true"]', { hasText: step })
          .first()
          .waitFor({ state: 'attached', timeout: 30_000 });
      const open = await page.locator('button.getting-started-step[aria-checked="false"]', {
        hasText: 'Launch, and watch the logs',
      });
      assert.equal(await open.count(), 1, 'a step nobody did yet is not shown as done');
      await page.waitForTimeout(500);
      await ctx.screenshot('walkthrough');
    },
  },
  {
    name: 'validate-keybinding-on-a-task-file',
    async run(ctx) {
      // Ctrl+Alt+K V on a task file runs Sky: Validate Task.
      await ctx.openFile('single-node/task.yaml');
      await ctx.page.locator('.monaco-editor textarea').first().focus();
      await ctx.page.keyboard.press('Control+Alt+K');
      await ctx.page.keyboard.press('V');
      const toast = await ctx.waitForNotification(/is a valid task/, 30_000);
      assert.match(toast, /task\.yaml is a valid task/);
    },
  },
];
