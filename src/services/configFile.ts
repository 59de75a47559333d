import * as fs from 'fs';
import * as vscode from 'vscode';
import { configPath, expandHome } from '../engine/config/paths';
import { SkyError } from '../engine/util/errors';

/**
 * The config file the extension reads: the `sky.configFile` setting (with `~` expanded) or the CLI's
 * default. A file the user named that does not exist is an error: reading it as an empty config
 * would hide every store and cluster without saying why.
 */
export function configFileFromSettings(): string {
  const setting = vscode.workspace.getConfiguration('sky').get<string>('configFile')?.trim();
  if (!setting) return configPath();
  const file = expandHome(setting);
  if (!fs.existsSync(file))
    throw new SkyError('config-missing', `The config file ${file} does not exist.`, {
      hint: 'Fix or clear the sky.configFile setting (empty means the sky-vscode CLI default).',
    });
  return file;
}
