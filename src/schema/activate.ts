import * as vscode from 'vscode';
import type { LogSink } from '../engine/util/log';
import { registerCommand } from '../commands/register';
import { TaskCodeActionProvider } from './codeActions';
import { BucketNameProvider, TaskCompletionProvider } from './completion';
import { TaskDiagnostics } from './diagnostics';
import { TaskHoverProvider } from './hover';

export interface LanguageDeps {
  log: LogSink;
  /** Bucket names for completion: the Storage view's stores (none without it). */
  bucketNames?: BucketNameProvider;
}

export interface LanguageApi {
  /** Validates a document now and returns the number of errors and warnings (used by tests too). */
  validate(doc: vscode.TextDocument): { errors: number; warnings: number };
}

const SELECTOR: vscode.DocumentSelector = [
  { language: 'yaml', scheme: 'file' },
  { language: 'yaml', scheme: 'untitled' },
];

/** task.yaml language features: diagnostics, completion, hover, quick fixes and "Sky: Validate Task". */
export function activateLanguage(context: vscode.ExtensionContext, deps: LanguageDeps): LanguageApi {
  const diagnostics = new TaskDiagnostics(deps.log);
  const validate = (doc: vscode.TextDocument) => {
    const all = diagnostics.validateNow(doc, true);
    return {
      errors: all.filter((d) => d.severity === 'error').length,
      warnings: all.filter((d) => d.severity === 'warning').length,
    };
  };
  context.subscriptions.push(
    diagnostics,
    vscode.languages.registerCompletionItemProvider(
      SELECTOR,
      new TaskCompletionProvider(deps.bucketNames),
      ':',
      ' ',
      '$',
      '/',
      '{',
    ),
    vscode.languages.registerHoverProvider(SELECTOR, new TaskHoverProvider()),
    vscode.languages.registerCodeActionsProvider(SELECTOR, new TaskCodeActionProvider(), {
      providedCodeActionKinds: TaskCodeActionProvider.kinds,
    }),
  );
  // Through the shared wrapper: errors are logged and shown once, like every Sky command.
  registerCommand(context, 'sky.validateTask', async (uri?: vscode.Uri) => {
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
  });
  return {
    validate,
  };
}
