import * as vscode from 'vscode';
import type { ProxySettings } from '../engine/net/proxy';

/**
 * VS Code's proxy settings for the engine's own HTTP clients. VS Code routes Node's http module
 * through its proxy itself, but the S3 object requests go over undici, which it does not see.
 * Undefined when no proxy is set here or proxy support is off (the environment's then apply).
 */
export function editorProxy(): ProxySettings | undefined {
  const http = vscode.workspace.getConfiguration('http');
  const url = http.get<string>('proxy');
  if (!url || http.get<string>('proxySupport') === 'off') return undefined;
  return { url, noProxy: http.get<string[]>('noProxy') ?? [] };
}
