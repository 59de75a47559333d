// The CLI as users run it, for every test that starts it as a process.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

const execFileAsync = promisify(execFile);

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/**
 * dist/cli.js, the installed command (the code-cache loader, the bundle and the chunks it loads),
 * unless the bundle is older than the compiled sources (a tsc-only build while developing): then
 * the compiled sources' entry, out/src/cli.js. `npm test` builds both, so CI runs what users run.
 */
export function cliEntry(): string {
  const bundle = path.join(ROOT, 'dist', 'cli-bundle.js');
  const compiled = path.join(ROOT, 'out', 'src', 'cli', 'main.js');
  if (fs.existsSync(bundle) && fs.statSync(bundle).mtimeMs >= fs.statSync(compiled).mtimeMs)
    return path.join(ROOT, 'dist', 'cli.js');
  return path.join(ROOT, 'out', 'src', 'cli.js');
}

export const CLI = cliEntry();

/** Runs the CLI with `args`; a non-zero exit is returned with its output, never thrown. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileAsync(process.execPath, [CLI, ...args], { env, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
