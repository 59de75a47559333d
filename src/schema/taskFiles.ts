import * as path from 'path';
import type * as vscode from 'vscode';

/**
 * Which YAML files are SkyPilot tasks. Two ways in, documented in the README:
 * 1. the file name matches TASK_FILE_GLOBS (the same globs the package.json `yamlValidation`
 *    contribution gives Red Hat YAML): `*.sky.yaml`, `sky*.yaml`, `*task*.yaml` (and .yml);
 * 2. or its content looks like a task: a top-level `run`, `setup`, `resources`, `file_mounts`,
 *    `num_nodes` or `workdir` key, and none of the top-level keys that mark other YAML families
 *    (Kubernetes `apiVersion`/`kind`, Compose `services`, CI `jobs`/`on`/`steps`/`stages`).
 */
export const TASK_FILE_GLOBS = [
  '**/*.sky.yaml',
  '**/*.sky.yml',
  '**/sky*.yaml',
  '**/sky*.yml',
  '**/*task*.yaml',
  '**/*task*.yml',
];

const NAME_RE = /(?:\.sky|^sky[^/]*|task[^/]*)\.ya?ml$/i;
const TASK_KEY = /^(run|setup|resources|file_mounts|num_nodes|workdir)\s*:/m;
const OTHER_FAMILY = /^(apiVersion|kind|services|jobs|on|steps|stages|hosts|tasks)\s*:/m;

export function isTaskFileName(file: string): boolean {
  return NAME_RE.test(path.basename(file));
}

export function looksLikeTask(text: string): boolean {
  const head = text.length > 200_000 ? text.slice(0, 200_000) : text;
  return TASK_KEY.test(head) && !OTHER_FAMILY.test(head);
}

export function isYamlDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.fileName);
}

export function isTaskDocument(doc: vscode.TextDocument): boolean {
  if (!isYamlDocument(doc) || doc.uri.scheme === 'output' || doc.uri.scheme === 'git') return false;
  return isTaskFileName(doc.fileName) || looksLikeTask(doc.getText());
}
