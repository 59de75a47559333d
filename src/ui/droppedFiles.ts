import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

/**
 * The local paths a drop carries: `text/uri-list` (the Explorer) and file items (the OS, VS Code's
 * `files` transfer). A dropped file without a local path (e.g. from the browser's OS in a remote
 * window) is written to a temp folder under its own name; `cleanup` removes that folder.
 */
export async function droppedPaths(data: vscode.DataTransfer): Promise<{ paths: string[]; cleanup(): void }> {
  const paths = new Set<string>();
  let tmp: string | undefined;
  const list = await data.get('text/uri-list')?.asString();
  for (const line of (list ?? '').split(/\r?\n/))
    if (line && !line.startsWith('#')) paths.add(vscode.Uri.parse(line.trim()).fsPath);
  const files: vscode.DataTransferFile[] = [];
  data.forEach((item) => {
    const f = item.asFile();
    if (f) files.push(f);
  });
  for (const f of files) {
    if (f.uri?.scheme === 'file') {
      paths.add(f.uri.fsPath);
      continue;
    }
    tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'sky-drop-'));
    // The name only: a dropped name must not place the file outside the temp folder.
    const target = path.join(tmp, path.basename(f.name) || 'dropped');
    fs.writeFileSync(target, await f.data());
    paths.add(target);
  }
  return {
    paths: [...paths],
    cleanup: () => {
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
