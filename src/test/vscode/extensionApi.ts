// The extension's API as the vscode-tier tests reach it: activated, as a user's first command would.
import * as vscode from 'vscode';
import type { SkyExtensionApi } from '../../extension';

export async function api(): Promise<SkyExtensionApi> {
  return vscode.extensions.getExtension<SkyExtensionApi>('sky-vscode.sky-vscode')!.activate();
}
