// `node out/src/test/sandbox/main.js up [--dir D] [--workers N] [--no-s3] [--no-azure] [--no-ssh]`: starts the
// sandbox, writes its config, prints one JSON line, and stays up until SIGINT/SIGTERM.
// `… down --dir D` stops a running one through the PID it recorded.
import * as fs from 'fs';
import * as path from 'path';
import { startSandbox } from './index';

async function main(): Promise<number> {
  const [verb, ...rest] = process.argv.slice(2);
  const flag = (n: string) => rest.includes(n);
  const value = (n: string) => {
    const i = rest.indexOf(n);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const dir = value('--dir');
  if (verb === 'down') {
    if (!dir) throw new Error('down needs --dir');
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'sandbox.json'), 'utf8')) as { pid: number };
    process.kill(info.pid, 'SIGTERM');
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(info.pid, 0);
      } catch {
        return 0;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`sandbox process ${info.pid} did not stop`);
  }
  if (verb !== 'up') {
    process.stderr.write(
      'usage: main.js up [--dir D] [--workers N] [--no-s3] [--no-azure] [--no-ssh] | down --dir D\n',
    );
    return 2;
  }
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const sb = await startSandbox({
    dir,
    ssh: flag('--no-ssh') ? false : { workers: Number(value('--workers') ?? 1) },
    s3: !flag('--no-s3'),
    azure: !flag('--no-azure'),
  });
  const config = sb.writeSkyConfig();
  const env = sb.env();
  process.stdout.write(
    `${JSON.stringify({
      dir: sb.dir,
      skyHome: sb.skyHome,
      config,
      mode: sb.mode,
      startedInMs: Date.now() - started,
      cluster: sb.ssh?.clusterName,
      nodes: sb.ssh?.nodes.map((n) => ({ alias: n.alias, ip: n.ip, port: n.port })),
      s3: sb.s3?.endpoint,
      azure: sb.azure?.endpoint,
      env: {
        SKY_VSCODE_HOME: env.SKY_VSCODE_HOME,
        AWS_SHARED_CREDENTIALS_FILE: env.AWS_SHARED_CREDENTIALS_FILE,
        AWS_CONFIG_FILE: env.AWS_CONFIG_FILE,
      },
    })}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sb.stop();
  return 0;
}

main().then(
  (c) => process.exit(c),
  (err: unknown) => {
    process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
