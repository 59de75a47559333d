/** Quotes one argument for a POSIX shell: nothing user-controlled reaches a remote shell unquoted. */
export function shellQuote(arg: string): string {
  if (arg === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) && !arg.startsWith('-')) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * A remote path for a shell command: a leading `~/` stays outside the quotes so the remote shell
 * expands it to the user's home, and the rest is quoted.
 */
export function remotePath(p: string): string {
  if (p === '~') return '~';
  if (p.startsWith('~/')) return `~/${shellQuote(p.slice(2))}`;
  return shellQuote(p);
}
