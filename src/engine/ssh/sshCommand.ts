// The `ssh` invocation that reaches a node from a terminal: as argv (the editor starts ssh with it,
// no shell in between) and as one POSIX shell line for the clipboard, every value single-quoted.
import * as fs from 'fs';
import type SSHConfig from 'ssh-config';
import { listAliases, parseSshConfig, resolveHost } from './config';
import { shellQuote } from './quote';

export interface SshTarget {
  /** The node's alias in `sshConfig` (the user's SSH config plus entries synthesized for pools/config). */
  alias: string;
  sshConfig: SSHConfig;
  /** The user's SSH config file (`ssh -F`). */
  sshConfigFile: string;
}

/** ssh's arguments (without `ssh` itself) to open a shell on the node. */
export function sshArgv(t: SshTarget): string[] {
  const args: string[] = [];
  const hasFile = fs.existsSync(t.sshConfigFile);
  if (hasFile) args.push('-F', t.sshConfigFile);
  // A node of the user's own SSH config is reached by its alias; one synthesized from a node pool or
  // our config is not in that file, so its address, port and key are spelled out.
  if (hasFile && listAliases(parseSshConfig(t.sshConfigFile)).includes(t.alias)) {
    args.push('--', t.alias);
    return args;
  }
  const h = resolveHost(t.alias, t.sshConfig);
  args.push('-p', String(h.port));
  if (h.identityFiles[0]) args.push('-i', h.identityFiles[0]);
  // `--` ends ssh's options: a destination starting with `-` is never read as one.
  args.push('--', `${h.user}@${h.hostName}`);
  return args;
}

/** `ssh ARGS…` for a POSIX shell: option letters as they are, every value single-quoted. */
export function sshShellLine(argv: string[]): string {
  return ['ssh', ...argv.map((a) => (/^-[A-Za-z]$|^--$/.test(a) ? a : shellQuote(a)))].join(' ');
}
