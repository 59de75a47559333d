// Starts code-server (a real VS Code: server build + web workbench) for the vscode and e2e tiers.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, removeTestDir } from '../sandbox/proc';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const CODE_SERVER_BIN =
  process.env.SKY_CODE_SERVER_BIN ??
  path.join(REPO_ROOT, '.cache', 'code-server', 'node_modules', '.bin', 'code-server');

export interface CodeServer {
  port: number;
  url: string;
  dir: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  /** Stops the server and removes its private folder, unless `keepFiles` (its log is wanted). */
  stop(opts?: { keepFiles?: boolean }): Promise<void>;
}

export interface CodeServerOptions {
  userDataDir?: string;
  extensionsDir?: string;
  env?: NodeJS.ProcessEnv;
  settings?: Record<string, unknown>;
}

/** Runs code-server with a private config/data dir, in its own process group (killed as a group on stop). */
export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  if (!fs.existsSync(CODE_SERVER_BIN))
    throw new Error(`code-server not found at ${CODE_SERVER_BIN}; run bash scripts/setup.sh`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-cs-'));
  const userDataDir = opts.userDataDir ?? path.join(dir, 'ud');
  const extensionsDir = opts.extensionsDir ?? path.join(dir, 'ext');
  for (const d of [
    userDataDir,
    extensionsDir,
    path.join(dir, 'xdg-config'),
    path.join(dir, 'xdg-data'),
    path.join(userDataDir, 'User'),
  ]) {
    fs.mkdirSync(d, { recursive: true });
  }
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'security.workspace.trust.enabled': false,
    'update.mode': 'none',
    // Tests that want the first-run walkthrough turn it back on.
    'sky.showWalkthroughOnFirstRun': false,
    ...opts.settings,
  };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const port = await freePort();
  const logFile = path.join(dir, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    CODE_SERVER_BIN,
    [
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      '--config',
      configFile,
      // A test that turns workspace trust on (settings) gets it; every other test runs trusted.
      ...(settings['security.workspace.trust.enabled'] === true ? [] : ['--disable-workspace-trust']),
      '--disable-telemetry',
      '--disable-update-check',
    ],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        ...opts.env,
        EXTENSIONS_GALLERY: '{}',
        XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
        XDG_DATA_HOME: path.join(dir, 'xdg-data'),
      },
    },
  );
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`code-server exited early (${child.exitCode}); log: ${logFile}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`code-server did not become ready in 30 s; log: ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    url,
    dir,
    userDataDir,
    extensionsDir,
    logFile,
    async stop(stopOpts = {}) {
      if (child.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              /* gone */
            }
            resolve();
          }, 3000);
          child.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      removeTestDir(dir, stopOpts.keepFiles);
    },
  };
}
