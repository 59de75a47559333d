// What a person does around a launch, in the browser: the Ctrl+Alt+K L / E keybindings (README
// "Keybindings"), Cancel on the launch notification (README: cancel), and an untrusted workspace,
// where task files are still validated but Launch and Exec are refused (README "Install").
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { E2eContext, E2eTest } from './e2eContext';
import { processesWith } from '../harness/processes';
import { CLI } from '../harness/cli';

async function until(what: () => string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Presses a chord in the focused task editor and returns the quick pick's prompt text that opens. */
async function chordOpensPick(ctx: E2eContext, key: string): Promise<string> {
  await ctx.openFile('single-node/task.yaml');
  await ctx.page.locator('.monaco-editor textarea').first().focus();
  await ctx.page.keyboard.press('Control+Alt+K');
  await ctx.page.keyboard.press(key);
  const row = ctx.page.locator('.quick-input-list .monaco-list-row', { hasText: 'sky-sbx' }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  const input = ctx.page.locator('.quick-input-widget input').first();
  const prompt = `${(await input.getAttribute('placeholder')) ?? ''} ${
    (await ctx.page
      .locator('.quick-input-widget .quick-input-title')
      .first()
      .textContent()
      .catch(() => '')) ?? ''
  }`;
  await ctx.page.keyboard.press('Escape');
  return prompt;
}

export const tests: E2eTest[] = [
  {
    name: 'launch-keybinding-ctrl-alt-k-l',
    async run(ctx) {
      assert.match(await chordOpensPick(ctx, 'L'), /Launch single-node\/task\.yaml on which cluster\?/);
    },
  },
  {
    name: 'exec-keybinding-ctrl-alt-k-e',
    async run(ctx) {
      assert.match(await chordOpensPick(ctx, 'E'), /Exec single-node\/task\.yaml on which cluster\?/);
    },
  },
  {
    name: 'cancel-on-the-launch-notification-stops-the-job',
    async run(ctx) {
      const { page } = ctx;
      const tag = `sleep 7${Math.floor(Math.random() * 900) + 100}`;
      fs.mkdirSync(path.join(ctx.workspace, 'cancel-me'), { recursive: true });
      fs.writeFileSync(
        path.join(ctx.workspace, 'cancel-me', 'task.yaml'),
        `num_nodes: 2\nrun: |\n  echo started\n  ${tag} & ${tag}\n`,
      );
      await ctx.openFile('cancel-me/task.yaml');
      await ctx.runCommand('Sky: Launch Task');
      const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'sky-sbx' }).first();
      await pick.waitFor({ state: 'visible', timeout: 20_000 });
      await pick.click();
      const launchButton = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Launch' }).first();
      await launchButton.waitFor({ state: 'visible', timeout: 10_000 });
      await launchButton.click();
      await until(
        () => `the job's sleeps on both nodes (${processesWith(tag).join('; ')})`,
        () => processesWith(tag).length >= 4,
        90_000,
      );
      const toast = page
        .locator('.notifications-toasts .notification-toast', { hasText: /Launching on sky-sbx/ })
        .first();
      await toast.hover();
      await toast.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
      await until(
        () => `no process of the job left (${processesWith(tag).join('; ')})`,
        () => processesWith(tag).length === 0,
      );
      const q = spawnSync(process.execPath, [CLI, 'queue', '-c', 'sky-sbx', '--json'], {
        env: { ...process.env, SKY_VSCODE_HOME: ctx.skyHome },
        encoding: 'utf8',
      });
      assert.strictEqual(q.status, 0, q.stderr);
      const jobs = JSON.parse(q.stdout) as { status: string }[];
      assert.strictEqual(jobs[jobs.length - 1].status, 'CANCELLED', q.stdout);
    },
  },
  {
    name: 'untrusted-workspace-validates-but-refuses-launch-and-exec',
    // Trust on, and no startup prompt: the folder opens in Restricted Mode, as an untrusted folder does.
    settings: {
      'security.workspace.trust.enabled': true,
      'security.workspace.trust.startupPrompt': 'never',
    },
    async run(ctx) {
      const { page } = ctx;
      fs.mkdirSync(path.join(ctx.workspace, 'untrusted'), { recursive: true });
      fs.writeFileSync(path.join(ctx.workspace, 'untrusted', 'task.yaml'), 'num_nodes: 0\nrun: echo hi\n');
      await ctx.openFile('untrusted/task.yaml');
      // Still validated: the squiggle under the bad value.
      await page
        .locator('.monaco-editor .squiggly-error')
        .first()
        .waitFor({ state: 'attached', timeout: 30_000 });
      await ctx.runCommand('Sky: Launch Task');
      await ctx.waitForNotification(/Sky: Launch Task is disabled in an untrusted workspace/, 20_000);
      await ctx.runCommand('Sky: Exec Task');
      await ctx.waitForNotification(/Sky: Exec Task is disabled in an untrusted workspace/, 20_000);
      // No cluster was asked for.
      assert.strictEqual(
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sky-sbx' }).count(),
        0,
      );
      await ctx.screenshot('untrusted-launch-refused');
    },
  },
];
