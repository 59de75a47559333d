// The e2e tier: what a person sees. Packs the .vsix, installs it into a real code-server, opens a
// workspace copied from examples/ in headless chromium, and runs every src/test/e2e/*.e2e.ts.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CODE_SERVER_BIN, REPO_ROOT, startCodeServer } from '../harness/codeServer';
import { launchChromium } from '../harness/browser';
import { prepareTierEnvironment } from '../harness/tierEnvironment';
import { closingLine } from '../harness/tierResult';
import { findCompiled } from '../harness/mochaInHost';
import { DOC_SCREENSHOTS, makeContext, RESULTS_DIR, type E2eTest } from './e2eContext';
import { removeTestDir } from '../sandbox/proc';

const VSIX = path.join(REPO_ROOT, 'dist', 'sky-vscode.vsix');

function packVsix(): void {
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  execFileSync(
    vsce,
    ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', VSIX],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

async function main(): Promise<number> {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-e2e-'));
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const env = await prepareTierEnvironment(work, { s3: true, azure: true });
  const extensionsDir = path.join(work, 'ext');
  fs.mkdirSync(extensionsDir, { recursive: true });
  const filter = process.argv.slice(2);
  const files = findCompiled(__dirname, '.e2e.js').filter(
    (f) => filter.length === 0 || filter.some((x) => f.includes(x)),
  );
  try {
    packVsix();
    execFileSync(CODE_SERVER_BIN, ['--extensions-dir', extensionsDir, '--install-extension', VSIX], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        EXTENSIONS_GALLERY: '{}',
        XDG_CONFIG_HOME: path.join(work, 'xdg'),
        XDG_DATA_HOME: path.join(work, 'xdg-data'),
      },
    });
    if (files.length === 0) throw new Error('no e2e tests found');
    for (const file of files) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const tests = (require(file) as { tests: E2eTest[] }).tests;
      for (const test of tests) {
        const started = Date.now();
        // A fresh code-server and browser per test: no state leaks from one test into the next.
        const server = await startCodeServer({ extensionsDir, env: env.vars, settings: test.settings });
        const chrome = await launchChromium();
        const page = await chrome.browser.newPage({ viewport: { width: 1400, height: 900 } });
        let failed = false;
        try {
          await page.goto(`${server.url}/?folder=${encodeURIComponent(env.workspace)}`);
          await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 30_000 });
          const ctx = makeContext(page, server.url, env.workspace, env.skyHome);
          await test.run(ctx);
          counts.passed++;
          for (const [name, file] of ctx.shots) {
            const doc = DOC_SCREENSHOTS[name];
            if (doc) fs.copyFileSync(file, path.join(REPO_ROOT, doc));
          }
          process.stdout.write(`  ✔ ${test.name} (${Date.now() - started} ms)\n`);
        } catch (err) {
          counts.failed++;
          failed = true;
          const shot = path.join(RESULTS_DIR, `FAILED-${test.name.replace(/[^\w.-]+/g, '_')}.png`);
          await page.screenshot({ path: shot }).catch(() => undefined);
          process.stdout.write(
            `  ✖ ${test.name}: ${err instanceof Error ? err.message : String(err)}\n    screenshot: ${shot}\n    code-server log: ${server.logFile}\n`,
          );
        } finally {
          await chrome.close();
          // A failed test keeps the code-server log its message points to.
          await server.stop({ keepFiles: failed });
        }
      }
    }
  } catch (err) {
    counts.failed++;
    process.stdout.write(`e2e tier error: ${err instanceof Error ? err.message : String(err)}\n`);
  } finally {
    await env.dispose();
  }
  removeTestDir(work, counts.failed > 0);
  process.stdout.write(`${closingLine('e2e', counts)}\n`);
  return counts.failed === 0 ? 0 : 1;
}

main().then(
  (c) => process.exit(c),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.stdout.write('e2e: 0 passed, 1 failed\n');
    process.exit(1);
  },
);
