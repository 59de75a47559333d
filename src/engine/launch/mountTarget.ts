/** Where a local file_mount lands (reference §3.3): ~/ and /tmp/ directly; other absolute paths via ~/.sky/file_mounts + a symlink. */
export function mountTarget(dst: string): { path: string; symlinkFrom?: string } {
  if (dst.startsWith('~/') || dst === '~' || dst.startsWith('/tmp/') || !dst.startsWith('/'))
    return { path: dst };
  return { path: `~/.sky/file_mounts${dst}`, symlinkFrom: dst };
}
