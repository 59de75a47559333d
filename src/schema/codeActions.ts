import * as vscode from 'vscode';
import { validateTaskText } from '../engine/task/validate';
import { toRange } from './convert';
import { isTaskDocument } from './taskFiles';

/**
 * Quick fixes from the engine's fix data: did-you-mean rename, enum case, wrap a single-file
 * source in a list, remove a trailing '/'. Offered for every finding at the cursor, including the
 * schema ones that Red Hat YAML displays instead of us.
 */
export class TaskCodeActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(
    doc: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    if (!isTaskDocument(doc)) return [];
    const findings = validateTaskText(doc.getText(), {
      ...(doc.uri.scheme === 'file' ? { file: doc.uri.fsPath } : {}),
      localChecks: doc.uri.scheme === 'file',
    });
    const actions: vscode.CodeAction[] = [];
    for (const f of findings) {
      if (!f.fix) continue;
      const r = toRange(f.range);
      if (!r.intersection(range) && !r.contains(range.start)) continue;
      const action = new vscode.CodeAction(f.fix.title, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      for (const e of f.fix.edits) action.edit.replace(doc.uri, toRange(e.range), e.newText);
      action.diagnostics = context.diagnostics.filter((d) => d.range.isEqual(r));
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }
}
