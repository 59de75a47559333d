import * as vscode from 'vscode';

export type ValidateDocument = (doc: vscode.TextDocument) => { errors: number; warnings: number };

/** Sky: Validate Task: the Explorer's file or the active editor, with the counts and the Problems panel. */
export async function validateTask(uri: unknown, validate: ValidateDocument) {
  const doc =
    uri instanceof vscode.Uri
      ? await vscode.workspace.openTextDocument(uri)
      : vscode.window.activeTextEditor?.document;
  if (!doc) {
    void vscode.window.showWarningMessage('Sky: open a task YAML file to validate it.');
    return undefined;
  }
  const r = validate(doc);
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  const name = vscode.workspace.asRelativePath(doc.uri);
  if (r.errors === 0 && r.warnings === 0)
    void vscode.window.showInformationMessage(`Sky: ${name} is a valid task.`);
  else
    void vscode.window.showWarningMessage(
      `Sky: ${name}: ${r.errors} error(s), ${r.warnings} warning(s). See the Problems panel.`,
    );
  return r;
}
