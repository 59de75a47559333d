import type * as vscode from 'vscode';

/** Sky: Show Output: the Sky log channel. */
export function showOutput(output: vscode.OutputChannel): void {
  output.show(true);
}
