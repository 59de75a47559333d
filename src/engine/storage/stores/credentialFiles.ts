// Reading the files SkyPilot and the cloud SDKs keep credentials in: AWS-style INI files (also
// Cloudflare's, CoreWeave's, VAST Data's and OCI's), JSON and YAML. Read synchronously: they are
// small, and the Storage view asks which stores exist on every refresh.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { SkyError } from '../../util/errors';

/** `~/…` shown as is (what the user knows the file as); an absolute path otherwise. */
export function displayPath(file: string): string {
  const home = os.homedir();
  return file.startsWith(home + path.sep) ? `~/${path.relative(home, file)}` : file;
}

export function homePath(rel: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.HOME || os.homedir(), rel);
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new SkyError('store-credentials', `Cannot read ${displayPath(file)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export type IniFile = Map<string, Record<string, string>>;

/**
 * An INI file as Python's configparser and botocore read it: `[section]`, `key = value` or
 * `key: value`, `#`/`;` comments, indented continuation lines (AWS's nested `s3 =` blocks).
 * A line that is none of these makes the file unusable to SkyPilot too: an error naming the line.
 */
export function parseIni(text: string, file: string): IniFile {
  const out: IniFile = new Map();
  let current: Record<string, string> | undefined;
  let lastKey: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\s+$/, '');
    if (!line.trim() || /^\s*[#;]/.test(line)) return;
    if (/^\s/.test(line) && current && lastKey) {
      current[lastKey] = `${current[lastKey]}\n${line.trim()}`;
      return;
    }
    const section = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      current = out.get(section[1]) ?? {};
      out.set(section[1], current);
      lastKey = undefined;
      return;
    }
    const kv = /^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    if (kv && current) {
      lastKey = kv[1].trim();
      current[lastKey] = kv[2].trim();
      return;
    }
    throw new SkyError(
      'store-credentials',
      `${displayPath(file)} line ${i + 1} cannot be parsed${current ? '' : ' (a key before any [section])'}.`,
      { hint: `Fix or remove that line of ${displayPath(file)}.` },
    );
  });
  return out;
}

/** The INI file, or undefined when it does not exist. */
export function readIni(file: string): IniFile | undefined {
  const text = readText(file);
  return text === undefined ? undefined : parseIni(text, file);
}

/** A profile's section: `[name]` in a credentials file, `[profile name]` (or `[default]`) in a config file. */
export function iniProfile(ini: IniFile | undefined, profile: string, configStyle = false) {
  if (!ini) return undefined;
  if (configStyle && profile !== 'default') return ini.get(`profile ${profile}`) ?? ini.get(profile);
  return ini.get(profile);
}

export function readJson(file: string): Record<string, unknown> | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new SkyError('store-credentials', `${displayPath(file)} is not a JSON object.`, {
    hint: `Fix ${displayPath(file)} (or write it again with the tool that made it).`,
  });
}

export function readYaml(file: string): Record<string, unknown> | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = parseYaml(text) as unknown;
  } catch (err) {
    throw new SkyError(
      'store-credentials',
      `${displayPath(file)} cannot be parsed: ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  }
  if (v == null) return {};
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new SkyError('store-credentials', `${displayPath(file)} is not a YAML mapping.`);
}

export function exists(file: string): boolean {
  return fs.existsSync(file);
}

/** SkyPilot's own config file (`~/.sky/config.yaml`, or `SKYPILOT_CONFIG`), which names e.g. Azure's storage account. */
export function skyPilotConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.SKYPILOT_CONFIG ? path.resolve(env.SKYPILOT_CONFIG) : homePath('.sky/config.yaml', env);
}

/** A nested key of SkyPilot's config (`azure.storage_account`), or undefined. */
export function skyPilotConfigValue(
  keys: string[],
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  let v: unknown = readYaml(skyPilotConfigFile(env));
  for (const k of keys) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'string' && v ? v : undefined;
}
