// Host-key verification against OpenSSH known_hosts files: plain entries (comma lists, [host]:port,
// wildcards), hashed entries (|1|salt|hash), @revoked and @cert-authority markers.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SkyError } from '../util/errors';

export type HostKeyCheck =
  | { status: 'match'; file: string; line: number }
  | { status: 'mismatch'; file: string; line: number; expectedType: string }
  | { status: 'revoked'; file: string; line: number }
  | { status: 'unknown' };

/** How OpenSSH names a host in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function fingerprintSha256(key: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function globToRegExp(glob: string): RegExp {
  // Only * and ? are wildcards in known_hosts; brackets are literal ([host]:port).
  const esc = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${esc}$`, 'i');
}

function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const h = crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return h === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (globToRegExp(pattern.slice(1)).test(name)) return false;
    } else if (globToRegExp(pattern).test(name)) matched = true;
  }
  return matched;
}

/** The key type (ssh-ed25519, ssh-rsa, …) encoded at the start of an SSH public key blob. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return '';
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString();
}

/**
 * A known_hosts file's text; undefined when it does not exist. A file that exists but cannot be read
 * is an error: taken as empty, a key it holds (or revokes) would be "unknown" and then trusted anew.
 */
function readKnownHosts(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return undefined;
    const why =
      e.code === 'EISDIR' ? 'it is a folder' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new SkyError('ssh-known-hosts', `Cannot read the known_hosts file ${file}: ${why}.`, {
      cause: err,
      hint: 'Host keys cannot be checked without it: make it a readable file (or point the setting at another one).',
    });
  }
}

/**
 * Checks `key` for `names` (e.g. the alias's HostName with port) in the given files. A match of the same
 * key type with a different key is a mismatch (a changed host key), which callers must refuse.
 */
export function checkHostKey(files: string[], names: string[], key: Buffer): HostKeyCheck {
  const type = keyTypeOf(key);
  const b64 = key.toString('base64');
  let mismatch: HostKeyCheck | undefined;
  let matched: HostKeyCheck | undefined;
  for (const file of files) {
    const text = readKnownHosts(file);
    if (text === undefined) continue;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (!line || line.startsWith('#')) continue;
      const parts = line.split(/\s+/);
      let marker: string | undefined;
      if (parts[0].startsWith('@')) marker = parts.shift();
      if (marker === '@cert-authority') continue;
      const [hosts, ktype, kdata] = parts;
      if (!hosts || !ktype || !kdata) continue;
      if (!names.some((n) => hostFieldMatches(hosts, n))) continue;
      if (marker === '@revoked') {
        if (kdata === b64) return { status: 'revoked', file, line: i + 1 };
        continue;
      }
      if (kdata === b64) matched ??= { status: 'match', file, line: i + 1 };
      else if (ktype === type) mismatch ??= { status: 'mismatch', file, line: i + 1, expectedType: ktype };
    }
  }
  // A changed key is refused even if another line also lists the new key (OpenSSH does the same).
  return mismatch ?? matched ?? { status: 'unknown' };
}

/** Appends a host key the user accepted (accept-new / ask). */
export function appendKnownHost(file: string, name: string, key: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const sep = existing && !existing.endsWith('\n') ? '\n' : '';
  fs.appendFileSync(file, `${sep}${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}
