// What every e2e test gets: a real code-server with the packed .vsix installed, a chromium page on the
// workbench with a workspace open, and helpers that act as a person would (palette, views, screenshots).
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../harness/codeServer';

export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

/**
 * Screenshots the README shows, by the e2e screenshot that makes them: when the test that took one
 * passes, the runner copies it into docs/, so the pictures never go stale. A unit test checks that
 * every image the README names is here.
 */
export const DOC_SCREENSHOTS: Record<string, string> = {
  'language-squiggles-hover': 'docs/task-yaml.png',
  'storage-1-browse': 'docs/storage-view.png',
  'launch-3-logs': 'docs/launch-logs.png',
  walkthrough: 'docs/walkthrough.png',
};

export interface E2eContext {
  page: Page;
  url: string;
  workspace: string;
  skyHome: string;
  /** Opens the command palette and runs a command by its title (e.g. "Sky: Validate Task"). */
  runCommand(title: string): Promise<void>;
  /** Opens a workspace file in an editor via Quick Open. */
  openFile(relativePath: string): Promise<void>;
  /** Saves a full-page screenshot as test-results/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** The screenshots this test took, by name. */
  shots: Map<string, string>;
  /** Answers VS Code's folder dialog (the browser's simple file dialog) with `folder` and its OK button. */
  chooseFolder(folder: string, okLabel: string): Promise<void>;
  /** Waits for a notification toast whose text matches. */
  waitForNotification(text: RegExp, timeoutMs?: number): Promise<string>;
}

export interface E2eTest {
  name: string;
  /** User settings for this test's code-server, over the harness defaults. */
  settings?: Record<string, unknown>;
  run(ctx: E2eContext): Promise<void>;
}

export function makeContext(page: Page, url: string, workspace: string, skyHome: string): E2eContext {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const shots = new Map<string, string>();
  return {
    shots,
    page,
    url,
    workspace,
    skyHome,
    async runCommand(title) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
    },
    async openFile(relativePath) {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(relativePath);
      await page
        .locator('.quick-input-list .monaco-list-row')
        .first()
        .waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 10_000 });
    },
    async screenshot(name) {
      const file = path.join(RESULTS_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      shots.set(name, file);
      return file;
    },
    async chooseFolder(folder, okLabel) {
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      // The dialog fills in its default folder asynchronously; type ours once it has.
      await page.waitForFunction("!!document.querySelector('.quick-input-widget input')?.value", null, {
        timeout: 10_000,
      });
      // It may still rewrite its value after our fill (seen as "<default>//<ours>"): fill until ours stays.
      const want = `${folder}/`;
      for (let i = 0; i < 10; i++) {
        await input.fill(want);
        await page.waitForTimeout(800);
        if ((await input.inputValue()) === want) break;
      }
      if ((await input.inputValue()) !== want)
        throw new Error(`The folder dialog kept rewriting the path: ${await input.inputValue()}`);
      await page.locator('.quick-input-widget .monaco-button', { hasText: okLabel }).first().click();
    },
    async waitForNotification(text, timeoutMs = 30_000) {
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
      await toast.waitFor({ state: 'visible', timeout: timeoutMs });
      return (await toast.textContent()) ?? '';
    },
  };
}
