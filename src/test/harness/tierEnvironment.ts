// What the vscode and e2e tiers give the extension under test: a workspace (a copy of examples/), a
// private SKY_VSCODE_HOME, and a sandbox cluster (real sshd nodes) written into its config.
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './codeServer';
import { startSandbox, type Sandbox } from '../sandbox';

export interface TierEnvironment {
  workspace: string;
  skyHome: string;
  sandbox: Sandbox;
  vars: Record<string, string>;
  dispose(): Promise<void>;
}

export async function prepareTierEnvironment(
  work: string,
  parts: { s3?: boolean; azure?: boolean; gcs?: boolean } = {},
): Promise<TierEnvironment> {
  const workspace = path.join(work, 'workspace');
  fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
  const sandbox = await startSandbox({
    ssh: true,
    s3: parts.s3,
    azure: parts.azure,
    gcs: parts.gcs,
    dir: path.join(work, 'sandbox'),
  });
  sandbox.writeSkyConfig();
  const env = sandbox.env();
  const vars: Record<string, string> = {
    SKY_VSCODE_HOME: sandbox.skyHome,
    SKY_TEST_WORKSPACE: workspace,
    SKY_SANDBOX_JSON: path.join(sandbox.dir, 'sandbox.json'),
  };
  for (const k of ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE']) if (env[k]) vars[k] = env[k]!;
  return {
    workspace,
    skyHome: sandbox.skyHome,
    sandbox,
    vars,
    async dispose() {
      await sandbox.stop();
    },
  };
}
