import type { Client } from 'ssh2';
import { exec } from '../ssh/exec';
import { remotePath } from '../ssh/quote';

export interface RemoteEntry {
  /** `dir` joined with the entry's name. */
  path: string;
  isDir: boolean;
  size: number;
}

/** The entries of a folder on a node, folders first, then by name; none when it is missing. */
export async function listRemoteDir(client: Client, dir: string): Promise<RemoteEntry[]> {
  const r = await exec(
    client,
    `cd ${remotePath(dir)} 2>/dev/null && find . -mindepth 1 -maxdepth 1 -printf '%y\\t%s\\t%P\\0'`,
  );
  return r.stdout
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [type, size, ...name] = line.split('\t');
      return { path: `${dir}/${name.join('\t')}`, isDir: type === 'd', size: Number(size) };
    })
    .sort((a, b) => (a.isDir === b.isDir ? a.path.localeCompare(b.path) : a.isDir ? -1 : 1));
}
