import * as vscode from 'vscode';

/**
 * A "Download here" folder picker that starts where the previous download went. The Storage and
 * Clusters views share one, so both remember the same last folder.
 */
let lastFolder: vscode.Uri | undefined;

export async function pickDownloadFolder(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    defaultUri: lastFolder,
    openLabel: 'Download here',
  });
  lastFolder = picked?.[0] ?? lastFolder;
  return picked?.[0];
}
