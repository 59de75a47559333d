import * as vscode from 'vscode';
import type { LogSink } from '../engine/util/log';
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

/** task.yaml language features: diagnostics, completion, hover and quick fixes (Sky: Validate Task calls `validate`). */
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
  return {
    validate,
  };
}
