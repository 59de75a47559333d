import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { PromptUi } from '../../engine/util/prompt';

/**
 * The templates are the project's own `examples/` task files (shipped in the .vsix), so the
 * template a user starts from is the one the tests validate against SkyPilot's rules.
 */
export const TASK_TEMPLATES = [
  {
    id: 'single-node',
    label: 'Single node',
    detail: 'One machine: resources, workdir, setup and run.',
    file: 'examples/single-node/task.yaml',
  },
  {
    id: 'multi-node',
    label: 'Multi-node',
    detail: 'num_nodes with SkyPilot’s SKYPILOT_NODE_RANK / SKYPILOT_NODE_IPS environment.',
    file: 'examples/multi-node/task.yaml',
  },
  {
    id: 'storage-modes',
    label: 'Buckets: MOUNT, MOUNT_CACHED and COPY',
    detail: 'A dataset copied to disk, a streamed mount and a cached output bucket.',
    file: 'examples/storage-modes/task.yaml',
  },
  {
    id: 'envs-secrets',
    label: 'Envs and secrets',
    detail: 'envs with defaults, secrets given at launch (--secret), $VAR substitution.',
    file: 'examples/envs-secrets/task.yaml',
  },
  {
    id: 'serve',
    label: 'SkyServe service',
    detail: 'A service section: readiness probe and replicas.',
    file: 'examples/serve/service.yaml',
  },
] as const;

/** Where the new file goes: task.yaml in the folder, or NAME.sky.yaml when task.yaml is taken. */
function defaultTarget(folder: string, id: string): string {
  const plain = path.join(folder, 'task.yaml');
  return fs.existsSync(plain) ? path.join(folder, `${id}.sky.yaml`) : plain;
}

/** Sky: New Task from Template… — pick a template, name the file, write it (never over a file), open it. */
export async function newTaskFromTemplate(
  extensionRoot: string,
  ui: PromptUi,
): Promise<vscode.Uri | undefined> {
  const template = await ui.pick(
    'New SkyPilot task from a template',
    TASK_TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, value: t })),
  );
  if (!template) return undefined;
  const folder =
    vscode.window.activeTextEditor?.document.uri.scheme === 'file'
      ? (vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri)?.uri.fsPath ??
        vscode.workspace.workspaceFolders?.[0]?.uri.fsPath)
      : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('Open a folder first: the new task file is created in it.');
  const answer = await ui.input('File for the new task (task.yaml and *.sky.yaml are recognised as tasks)', {
    value: path.relative(folder, defaultTarget(folder, template.id)),
    validate: (v) => (/\.ya?ml$/i.test(v.trim()) ? undefined : 'A task file ends in .yaml or .yml'),
  });
  if (!answer) return undefined;
  const target = path.resolve(folder, answer.trim());
  const text = await fs.promises.readFile(path.join(extensionRoot, template.file), 'utf8');
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  // 'wx': an existing file is never replaced; the user picks another name.
  await fs.promises.writeFile(target, text, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') throw new Error(`${target} already exists; choose another file name.`);
    throw err;
  });
  const uri = vscode.Uri.file(target);
  await vscode.window.showTextDocument(uri);
  return uri;
}
