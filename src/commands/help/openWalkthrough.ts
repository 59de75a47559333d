import * as vscode from 'vscode';
import { WALKTHROUGH_ID } from '../../walkthrough/progress';

/** Sky: Get Started: the walkthrough, in the editor area. */
export function openWalkthrough(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}
