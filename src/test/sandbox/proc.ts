// Process helpers for the sandbox: every server runs in its own process group and is stopped by PID.
import { ChildProcess, execFile, spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface Managed {
  name: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function run(
  cmd: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export function startDaemon(
  name: string,
  cmd: string,
  args: string[],
  logFile: string,
  opts: SpawnOptions = {},
): Managed {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  if (!child.pid) throw new Error(`could not start ${name}`);
  const pid = child.pid;
  return {
    name,
    pid,
    logFile,
    child,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      // Some daemons (sshd) start their own session, so the group may be gone while the process is not.
      const kill = (sig: NodeJS.Signals) => {
        for (const target of [-pid, pid]) {
          try {
            process.kill(target, sig);
          } catch {
            /* not there */
          }
        }
      };
      kill(signal);
      const t = setTimeout(() => kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline)
      throw new Error(`${what} not ready after ${timeoutMs} ms${logFile ? ` (log: ${logFile})` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** True when host:port accepts a TCP connection and (optionally) sends data starting with `banner`. */
export function probeTcp(host: string, port: number, banner?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => {
      if (!banner) done(true);
    });
    sock.once('data', (d) => done(d.toString().startsWith(banner ?? '')));
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Removes a folder a test run made, unless SKY_KEEP_TEST_DIRS asks to keep test folders (or `keep`:
 * its logs are wanted), or something is still mounted below it (a node's bucket mount that outlived
 * its daemon): a recursive delete must never walk into a bucket.
 */
export function removeTestDir(dir: string, keep = false): void {
  if (keep || process.env.SKY_KEEP_TEST_DIRS || !fs.existsSync(dir)) return;
  const real = fs.realpathSync(dir);
  const mounted = fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    // Mount points escape spaces and the like as octal (\040).
    .map((l) =>
      (l.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_m, o: string) =>
        String.fromCharCode(parseInt(o, 8)),
      ),
    )
    .some((m) => m === real || m.startsWith(`${real}/`));
  if (mounted) {
    process.stderr.write(`${dir} kept: something is still mounted below it\n`);
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

const testDirs: string[] = [];

/** A fresh folder under the system temp folder for a test, removed by `removeTestDirs` when its tier ends. */
export function makeTestDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  testDirs.push(dir);
  return dir;
}

/** Removes the folders `makeTestDir` made in this process; a failed tier (`keep`) leaves them to look at. */
export function removeTestDirs(keep = false): void {
  const dirs = testDirs.splice(0);
  if (keep && dirs.length)
    process.stderr.write(`test folders kept after a failure:\n  ${dirs.join('\n  ')}\n`);
  for (const d of dirs) removeTestDir(d, keep);
}
