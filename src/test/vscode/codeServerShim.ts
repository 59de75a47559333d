// An executable with the desktop VS Code test interface (--extensionDevelopmentPath=… --extensionTestsPath=…
// --user-data-dir=… --extensions-dir=… [folder]) over code-server: code-server refuses those flags, but
// runs extension tests when a workbench client connects with them in the `payload` query parameter.
// So this starts code-server, opens the workbench in headless chromium with that payload, forwards the
// test output and exits with the tests' exit code. @vscode/test-electron's runTests() drives it unchanged.
import * as fs from 'fs';
import { format } from 'util';
import { startCodeServer } from '../harness/codeServer';
import { launchChromium } from '../harness/browser';

function argValue(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  const hit = args.find((a) => a.startsWith(prefix));
  if (hit) return hit.slice(prefix.length);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const devPath = argValue(args, 'extensionDevelopmentPath');
  const testsPath = argValue(args, 'extensionTestsPath');
  if (!devPath || !testsPath) {
    process.stderr.write(
      'usage: code-server-shim --extensionDevelopmentPath=DIR --extensionTestsPath=PATH [folder]\n',
    );
    return 2;
  }
  // A folder, or a .code-workspace file (a multi-root workspace).
  const opened = args.filter((a) => !a.startsWith('--')).find((a) => fs.existsSync(a));
  const where = !opened
    ? ''
    : fs.statSync(opened).isDirectory()
      ? `folder=${encodeURIComponent(opened)}&`
      : opened.endsWith('.code-workspace')
        ? `workspace=${encodeURIComponent(opened)}&`
        : '';
  const timeoutMs = Number(process.env.SKY_VSCODE_TIER_TIMEOUT_MS ?? 15 * 60_000);
  const server = await startCodeServer({
    userDataDir: argValue(args, 'user-data-dir'),
    extensionsDir: argValue(args, 'extensions-dir'),
  });
  const chrome = await launchChromium();
  let code = 1;
  try {
    const page = await chrome.browser.newPage();
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      // The host forwards console calls with their format string (mocha's spec reporter uses %s/%d).
      const line = format(...(Array.isArray(args) ? args : [args]));
      (type === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(Number(code)));
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(devPath)],
      ['extensionTestsPath', remote(testsPath)],
    ]);
    const url = `${server.url}/?${where}payload=${encodeURIComponent(payload)}`;
    await page.goto(url);
    const timer = new Promise<number>((r) =>
      setTimeout(() => {
        process.stderr.write(`code-server-shim: tests did not finish within ${timeoutMs} ms\n`);
        r(1);
      }, timeoutMs),
    );
    code = await Promise.race([exited, timer]);
    return code;
  } catch (err) {
    process.stderr.write(
      `code-server-shim: ${err instanceof Error ? err.stack : String(err)}\ncode-server log: ${server.logFile}\n`,
    );
    return 1;
  } finally {
    await chrome.close();
    // A failed run keeps the code-server log.
    await server.stop({ keepFiles: code !== 0 });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`code-server-shim: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
