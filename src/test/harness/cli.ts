// The CLI as users run it, for every test that starts it as a process.
import * as fs from 'fs';
import * as path from 'path';

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
