// `sky-vscode storage mkdir URI`: a folder (its marker object) on any store, as Create Folder… in the
// Storage view does.
import type { Command } from 'commander';
import { loadConfig } from '../engine/config/config';
import { createFolderUri } from '../engine/storage/createFolder';
import { printJson } from './output';

export function registerMkdir(storage: Command, run: (fn: () => Promise<number>) => void): void {
  storage
    .command('mkdir')
    .description(
      'Create a folder: a zero-byte marker object whose key ends in / (refused if the folder exists).',
    )
    .argument('<uri>', 'folder URI (s3://b/a/b/, gs://…, https://acct.blob.core.windows.net/c/a/, oci://…)')
    .option('--json', 'machine-readable output on stdout')
    .action((uri: string, opts: { json?: boolean }) =>
      run(async () => {
        const r = await createFolderUri(loadConfig(), uri);
        if (opts.json) printJson(r);
        else process.stderr.write(`Created folder ${r.uri}\n`);
        return 0;
      }),
    );
}
