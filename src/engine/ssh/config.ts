// Resolves a host alias the way `ssh` would, through the ssh-config package, with Include expanded
// (SkyPilot adds `Include ~/.sky/generated/ssh/*` to ~/.ssh/config for its clusters).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import SSHConfig from 'ssh-config';
import { expandHome } from '../config/paths';

export interface ResolvedHost {
  alias: string;
  hostName: string;
  port: number;
  user: string;
  identityFiles: string[];
  identitiesOnly: boolean;
  proxyJump?: string;
  connectTimeoutMs?: number;
  userKnownHostsFiles: string[];
  strictHostKeyChecking?: 'ask' | 'yes' | 'accept-new' | 'no';
  identityAgent?: string;
  /** True when some Host block (other than `*`) named this alias. */
  configured: boolean;
}

function globFiles(pattern: string, baseDir: string): string[] {
  const abs = path.isAbsolute(expandHome(pattern)) ? expandHome(pattern) : path.join(baseDir, pattern);
  const dir = path.dirname(abs);
  const base = path.basename(abs);
  if (!/[*?]/.test(base)) return fs.existsSync(abs) ? [abs] : [];
  const re = new RegExp(
    `^${base
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => re.test(f))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

/** The config text with every Include replaced by the files it names (depth-limited like OpenSSH). */
export function expandIncludes(file: string, depth = 0): string {
  if (depth > 16) return '';
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const userDir = path.join(os.homedir(), '.ssh');
  return text
    .split('\n')
    .map((line) => {
      const m = /^\s*Include\s+(.+)$/i.exec(line);
      if (!m) return line;
      return m[1]
        .trim()
        .split(/\s+/)
        .flatMap((p) => globFiles(p.replace(/^"|"$/g, ''), userDir))
        .map((f) => expandIncludes(f, depth + 1))
        .join('\n');
    })
    .join('\n');
}

function first(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length ? String(v[0]) : undefined;
  return v === undefined ? undefined : String(v);
}

export function parseSshConfig(configFile: string): SSHConfig {
  return SSHConfig.parse(expandIncludes(configFile));
}

/** Every concrete Host alias in the config (no wildcards), in file order. */
export function listAliases(config: SSHConfig): string[] {
  const out: string[] = [];
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    const values = Array.isArray(line.value)
      ? line.value.map((v) => (typeof v === 'string' ? v : v.val))
      : [line.value];
    for (const v of values) if (typeof v === 'string' && !/[*?!]/.test(v)) out.push(v);
  }
  return out;
}

export function resolveHost(alias: string, config: SSHConfig | undefined): ResolvedHost {
  const c = (config?.compute(alias) ?? {}) as Record<string, unknown>;
  const configured = !!config && listAliases(config).includes(alias);
  const ids = (Array.isArray(c.IdentityFile) ? c.IdentityFile : c.IdentityFile ? [c.IdentityFile] : []).map(
    (f) => expandHome(String(f)),
  );
  const strict = first(c.StrictHostKeyChecking)?.toLowerCase();
  const timeout = first(c.ConnectTimeout);
  return {
    alias,
    hostName: first(c.HostName) ?? alias,
    port: Number(first(c.Port) ?? 22),
    user: first(c.User) ?? os.userInfo().username,
    identityFiles: ids,
    identitiesOnly: first(c.IdentitiesOnly)?.toLowerCase() === 'yes',
    proxyJump:
      first(c.ProxyJump) && first(c.ProxyJump)!.toLowerCase() !== 'none' ? first(c.ProxyJump) : undefined,
    connectTimeoutMs: timeout ? Number(timeout) * 1000 : undefined,
    userKnownHostsFiles: (first(c.UserKnownHostsFile) ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((f) => expandHome(f)),
    strictHostKeyChecking:
      strict === 'yes'
        ? 'yes'
        : strict === 'accept-new'
          ? 'accept-new'
          : strict === 'no' || strict === 'off'
            ? 'no'
            : strict === 'ask'
              ? 'ask'
              : undefined,
    identityAgent: first(c.IdentityAgent),
    configured,
  };
}
