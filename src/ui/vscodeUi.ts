import * as vscode from 'vscode';
import type { OverwriteAnswer, PickItem, PromptUi } from '../engine/util/prompt';

/** The engine's PromptUi over VS Code dialogs. Tests swap it for a ScriptedUi through the extension API. */
export const vscodeUi: PromptUi = {
  async confirm(message, options) {
    const label = options?.confirmLabel ?? (options?.destructive ? 'Delete' : 'Continue');
    const choice = await vscode.window.showWarningMessage(
      message,
      { modal: true, detail: options?.detail },
      label,
    );
    return choice === label;
  },
  async confirmByTyping(message, expected) {
    const value = await vscode.window.showInputBox({
      title: message,
      prompt: `Type '${expected}' to confirm.`,
      ignoreFocusOut: true,
      validateInput: (v) => (v === expected ? undefined : `Type '${expected}' exactly.`),
    });
    return value === expected;
  },
  async pick<T>(title: string, items: PickItem<T>[]): Promise<T | undefined> {
    const chosen = await vscode.window.showQuickPick(
      items.map((i) => ({ label: i.label, description: i.description, detail: i.detail, item: i })),
      { title, ignoreFocusOut: true, matchOnDescription: true },
    );
    return chosen?.item.value;
  },
  async input(prompt, options) {
    return vscode.window.showInputBox({
      prompt,
      password: options?.password,
      value: options?.value,
      ignoreFocusOut: true,
      validateInput: options?.validate,
    });
  },
  async overwrite(path): Promise<OverwriteAnswer> {
    const answers: Record<string, OverwriteAnswer> = {
      Yes: 'yes',
      'Yes to all': 'yesToAll',
      No: 'no',
      'No to all': 'noToAll',
    };
    const choice = await vscode.window.showWarningMessage(
      `'${path}' already exists. Overwrite it?`,
      { modal: true },
      'Yes',
      'Yes to all',
      'No',
      'No to all',
    );
    return choice ? answers[choice] : 'noToAll';
  },
};
