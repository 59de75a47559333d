import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { E2eTest } from './e2eContext';

export const tests: E2eTest[] = [
  {
    name: 'launch-quickstart',
    async run(ctx) {
      const { page } = ctx;
      await ctx.openFile('quickstart/task.yaml');
      await ctx.runCommand('Sky: Launch Task');
      // Cluster quick pick, then the modal confirmation.
      const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'sky-sbx' }).first();
      await pick.waitFor({ state: 'visible', timeout: 20_000 });
      await ctx.screenshot('launch-1-cluster-pick');
      await pick.click();
      const launchButton = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Launch' }).first();
      await launchButton.waitFor({ state: 'visible', timeout: 10_000 });
      await launchButton.click();
      // The progress notification, then the result.
      await ctx.waitForNotification(/Launching on sky-sbx/, 20_000);
      await ctx.screenshot('launch-2-progress');
      await ctx.waitForNotification(/job \d+ on sky-sbx SUCCEEDED/, 90_000);
      // The job terminal (a Pseudoterminal, drawn on a canvas) is open in the panel.
      await page.locator('.terminal-wrapper .xterm').first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(500);
      await ctx.screenshot('launch-3-logs');
      // Download the worker's artifact through the Clusters view context menu.
      const sky = page.locator('.activitybar .action-item a[aria-label^="Sky"]').first();
      await sky.click();
      const tree = page.locator('.pane', { hasText: 'Clusters' });
      const open = async (label: string) => {
        const row = tree.locator('.monaco-list-row', { hasText: new RegExp(`^${label}`) }).first();
        await row.waitFor({ state: 'visible', timeout: 15_000 });
        await row.click();
        return row;
      };
      await open('sky-sbx');
      await open('sky-sbx-worker1');
      await open('~/sky_workdir');
      const outputs = await open('outputs');
      await ctx.screenshot('launch-4-clusters-view');
      await outputs.click({ button: 'right' });
      const menuItem = page.locator('.context-view .action-item', { hasText: 'Download…' }).first();
      await menuItem.waitFor({ state: 'visible', timeout: 10_000 });
      await ctx.screenshot('launch-5-context-menu');
      await menuItem.click();
      // The folder picker (VS Code's simple file dialog in the browser): type the destination and accept.
      const dest = path.join(ctx.workspace, 'artifacts');
      fs.mkdirSync(dest, { recursive: true });
      await ctx.chooseFolder(dest, 'Download here');
      await ctx.waitForNotification(/Downloaded \d+ file/, 30_000);
      await ctx.screenshot('launch-6-downloaded');
      assert.match(fs.readFileSync(path.join(dest, 'outputs', 'metrics-rank1.txt'), 'utf8'), /epoch=3/);
    },
  },
  {
    name: 'launch-storage-modes',
    async run(ctx) {
      const { page } = ctx;
      await ctx.openFile('storage-modes/task.yaml');
      await ctx.runCommand('Sky: Launch Task');
      const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'sky-sbx' }).first();
      await pick.waitFor({ state: 'visible', timeout: 20_000 });
      await pick.click();
      const launchButton = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Launch' }).first();
      await launchButton.waitFor({ state: 'visible', timeout: 10_000 });
      await launchButton.click();
      // The progress names the bucket uploads and each node's mounts.
      await ctx.waitForNotification(/Uploading to bucket|Storage mounts/, 30_000);
      await ctx.screenshot('storage-modes-1-progress');
      await ctx.waitForNotification(/job \d+ on sky-sbx SUCCEEDED/, 120_000);
      await page.locator('.terminal-wrapper .xterm').first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(500);
      await ctx.screenshot('storage-modes-2-logs');
      // The new managed buckets in the Storage view, with their status.
      await page.locator('.activitybar .action-item a[aria-label^="Sky"]').first().click();
      const pane = page.locator('.pane', { hasText: 'Storage' }).first();
      const row = (label: string | RegExp) => pane.locator('.monaco-list-row', { hasText: label }).first();
      await row(/^Managed/).waitFor({ state: 'visible', timeout: 20_000 });
      for (const b of ['sky-vscode-example-mount', 'sky-vscode-example-copy', 'sky-vscode-example-cached'])
        await row(new RegExp(`${b}.*S3 · READY`)).waitFor({ state: 'visible', timeout: 20_000 });
      await row('sky-vscode-example-cached').click();
      // MOUNT_CACHED: the run's write is in the bucket by the time the job is reported done.
      await row('last-run.txt').waitFor({ state: 'visible', timeout: 20_000 });
      await ctx.screenshot('storage-modes-3-storage-view');
      const { loadConfig } = await import('../../engine/config/config');
      const { openStore, listAll } = await import('../../engine/storage');
      const store = await openStore('s3', loadConfig(path.join(ctx.skyHome, 'config.yaml')));
      const keys = (await listAll(store, 'sky-vscode-example-cached')).map((o) => o.key);
      assert.deepStrictEqual(keys, ['last-run.txt']);
    },
  },
];
