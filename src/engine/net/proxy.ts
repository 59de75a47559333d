// Which HTTP proxy a request goes through, read the way curl, the AWS CLI and rclone read it:
// HTTPS_PROXY for https URLs, HTTP_PROXY for http ones (either case), ALL_PROXY for both, and
// NO_PROXY's hosts and domains going direct. The extension passes VS Code's own `http.proxy` and
// `http.noProxy` instead, which take precedence. Proxy URLs may carry credentials: never log them.
import { SkyError } from '../util/errors';
import { registerSecret } from '../util/redact';

/** A proxy chosen by the editor (VS Code's settings); the environment applies when absent. */
export interface ProxySettings {
  url: string;
  noProxy?: string[];
}

/** The lower-case name first, as curl reads them. */
function envVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
}

/** True when NO_PROXY-style `entries` send `url` direct: '*', a host, a domain (.example.com), host:port. */
export function bypassesProxy(url: URL, entries: string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return entries.some((raw) => {
    let entry = raw.trim().toLowerCase();
    let entryPort: string | undefined;
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:]+):(\d+)$/.exec(entry);
    if (m) [, entry, entryPort] = m;
    if (!entry || (entryPort && entryPort !== port)) return false;
    if (entry === '*') return true;
    entry = entry.replace(/^\*/, '');
    if (entry.startsWith('.')) return host.endsWith(entry) || host === entry.slice(1);
    return host === entry || host.endsWith(`.${entry}`);
  });
}

/**
 * The proxy URL for a request to `url`, or undefined to go direct. Only http:// and https:// proxies
 * (what both the SDK's agents and undici's ProxyAgent speak); a password in it is masked wherever an
 * error or log line would show it.
 */
export function proxyFor(
  url: URL,
  settings?: ProxySettings,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const via = chosenProxy(url, settings, env);
  if (via) checkProxy(via, url);
  return via;
}

function chosenProxy(
  url: URL,
  settings: ProxySettings | undefined,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (settings?.url) return bypassesProxy(url, settings.noProxy ?? []) ? undefined : settings.url;
  const proxy =
    (url.protocol === 'https:' ? envVar(env, 'https_proxy') : envVar(env, 'http_proxy')) ??
    envVar(env, 'all_proxy');
  if (!proxy) return undefined;
  const noProxy = (envVar(env, 'no_proxy') ?? '').split(/[\s,]+/);
  return bypassesProxy(url, noProxy) ? undefined : proxy;
}

function checkProxy(via: string, target: URL): void {
  let proxy: URL | undefined;
  try {
    proxy = new URL(via);
  } catch {
    // Reported below, without the text (it may hold a password).
  }
  if (proxy?.protocol !== 'http:' && proxy?.protocol !== 'https:')
    throw new SkyError(
      'store-proxy',
      `The proxy set for ${target.host} is not an http:// or https:// URL${proxy ? ` (${proxy.protocol})` : ''}.`,
      { hint: "Set HTTPS_PROXY / HTTP_PROXY (or VS Code's http.proxy) to http://host:port." },
    );
  registerSecret(proxy.password && decodeURIComponent(proxy.password));
}
