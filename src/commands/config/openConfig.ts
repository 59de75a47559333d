import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { configPath, expandHome } from '../../engine/config/paths';
import { allStores } from '../../engine/storage/stores/registry';

const TEMPLATE = `# sky-vscode configuration (read by the extension and the sky-vscode CLI).
# Every key is optional; unknown keys are errors. Credentials otherwise come from each SDK's chain.
# stores:
${allStores()
  .map((d) => `#   ${`${d.kind}:`.padEnd(10)} ${d.example}\n`)
  .join('')}# ssh:
#   configFile: ~/.ssh/config
#   knownHostsFile: ~/.ssh/known_hosts
#   strictHostKeyChecking: ask          # ask | yes | accept-new
# nodePoolsFile: ~/.sky/ssh_node_pools.yaml
`;

/** Sky: Open Config — creates the config file with a commented template if missing, then opens it. */
export async function openConfig(): Promise<vscode.Uri> {
  const setting = vscode.workspace.getConfiguration('sky').get<string>('configFile');
  // The setting may start with ~ (as the views read it); a missing file is created here.
  const file = setting?.trim() ? expandHome(setting.trim()) : configPath();
  if (!fs.existsSync(file)) {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises
      .writeFile(file, TEMPLATE, { mode: 0o600, flag: 'wx' })
      .catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
  }
  const uri = vscode.Uri.file(file);
  await vscode.window.showTextDocument(uri);
  return uri;
}
