// What the vscode and e2e tiers give the extension under test: a workspace (a copy of examples/) and a
// private SKY_VSCODE_HOME. Tiers that need servers extend `vars` here (e.g. sandbox endpoints).
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './codeServer';

export interface TierEnvironment {
  workspace: string;
  skyHome: string;
  vars: Record<string, string>;
  dispose(): Promise<void>;
}

export async function prepareTierEnvironment(work: string): Promise<TierEnvironment> {
  const workspace = path.join(work, 'workspace');
  fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
  const skyHome = path.join(work, 'sky-vscode-home');
  fs.mkdirSync(skyHome, { recursive: true });
  return {
    workspace,
    skyHome,
    vars: { SKY_VSCODE_HOME: skyHome, SKY_TEST_WORKSPACE: workspace },
    async dispose() {},
  };
}
