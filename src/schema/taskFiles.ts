import * as path from 'path';
import type * as vscode from 'vscode';

/**
 * Which YAML files are SkyPilot tasks. Two ways in (documented in the README):
 * 1. the path matches TASK_FILE_GLOBS, the globs of the package.json `yamlValidation` contribution
 *    that also hands our schema to Red Hat YAML: any `task.yaml`, any `*.sky.yaml`, and `*.yaml` in a
 *    folder named `sky`;
 * 2. or its content looks like a task: a top-level `run`, `setup`, `resources`, `file_mounts`,
 *    `num_nodes` or `workdir` key, and none of the top-level keys that mark other YAML families
 *    (Kubernetes `apiVersion`/`kind`, Compose `services`, CI `jobs`/`on`/`steps`/`stages`, Ansible).
 */
export const TASK_FILE_GLOBS = ['**/task.yaml', '**/*.sky.yaml', '**/sky/*.yaml'];

const TASK_KEY = /^(run|setup|resources|file_mounts|num_nodes|workdir)\s*:/m;
const OTHER_FAMILY = /^(apiVersion|kind|services|jobs|on|steps|stages|hosts|tasks)\s*:/m;

/** True when Red Hat YAML gets our schema for this file through `yamlValidation`. */
export function isTaskFileName(file: string): boolean {
  const norm = file.replace(/\\/g, '/');
  const base = path.posix.basename(norm);
  return (
    base === 'task.yaml' ||
    base.endsWith('.sky.yaml') ||
    (/\.yaml$/.test(base) && path.posix.basename(path.posix.dirname(norm)) === 'sky')
  );
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
