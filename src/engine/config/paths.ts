import * as os from 'os';
import * as path from 'path';

/** The directory this tool keeps its config and state in; SKY_VSCODE_HOME moves it (tests use that). */
export function skyHome(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.SKY_VSCODE_HOME;
  return override ? path.resolve(expandHome(override)) : path.join(os.homedir(), '.sky-vscode');
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(skyHome(env), 'config.yaml');
}

export function expandHome(p: string, home: string = os.homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}
