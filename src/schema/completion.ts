import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import { cursorContext, CursorContext } from '../engine/task/cursor';
import { keysAt, snippetsAt, valuesAt } from '../engine/task/schemaNav';
import { parseTaskYaml } from '../engine/task/yamlDoc';
import { expandHome } from '../engine/config/paths';
import { isTaskDocument } from './taskFiles';
import { redHatServes } from './diagnostics';

/** Supplies bucket names (the Storage view knows them); must answer quickly and may reject. */
export type BucketNameProvider = () => Promise<string[]>;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A snippet body from the schema as YAML lines; `${1:x}` placeholders pass through unquoted. */
export function snippetYaml(body: unknown): string {
  return stringify(body, { lineWidth: 0 })
    .replace(/'(\$\{\d+[^']*\})'/g, '$1')
    .replace(/"(\$\{\d+[^"]*\})"/g, '$1')
    .replace(/\n$/, '');
}

function typeOf(s: Record<string, unknown>): string | undefined {
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s['x-sky-enum'])) return 'string';
  return undefined;
}

export class TaskCompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly buckets?: BucketNameProvider) {}

  async provideCompletionItems(
    doc: vscode.TextDocument,
    pos: vscode.Position,
  ): Promise<vscode.CompletionItem[]> {
    if (!isTaskDocument(doc)) return [];
    const text = doc.getText();
    const ctx = cursorContext(text, pos.line, pos.character);
    const lineText = doc.lineAt(pos.line).text.slice(0, pos.character);
    const dollar = /\$\{?([A-Za-z_][A-Za-z0-9_]*)?$/.exec(lineText);
    if (dollar && (ctx.path[0] === 'file_mounts' || ctx.path[0] === 'workdir'))
      return this.envNames(text, ctx, pos, dollar[0]);
    const schemaItems = !redHatServes(doc);
    return ctx.kind === 'key' ? this.keys(ctx, schemaItems) : this.values(doc, ctx, pos, schemaItems);
  }

  private keys(ctx: CursorContext, schemaItems: boolean): vscode.CompletionItem[] {
    const items: vscode.CompletionItem[] = [];
    const present = new Set(ctx.siblings);
    for (const k of schemaItems ? keysAt(ctx.path) : []) {
      if (present.has(k.key)) continue;
      const item = new vscode.CompletionItem(k.key, vscode.CompletionItemKind.Property);
      const t = typeOf(k.schema);
      const choices = valuesAt([...ctx.path, k.key]).map((v) => v.value);
      if (
        t === 'object' ||
        t === 'array' ||
        (t === undefined &&
          k.schema.anyOf === undefined &&
          k.schema.$ref === undefined &&
          k.key !== 'workdir')
      ) {
        item.insertText = new vscode.SnippetString(`${k.key}:\n  $0`);
      } else if (choices.length > 0 && t !== 'boolean') {
        item.insertText = new vscode.SnippetString(
          `${k.key}: \${1|${choices.map((c) => c.replace(/[,|]/g, '')).join(',')}|}`,
        );
      } else {
        item.insertText = new vscode.SnippetString(`${k.key}: $0`);
      }
      if (k.markdown) item.documentation = new vscode.MarkdownString(k.markdown);
      item.sortText = `1${k.key}`;
      items.push(item);
    }
    // Snippets: whole storage entries under file_mounts, a full task at an empty root.
    if (ctx.path.length === 1 && ctx.path[0] === 'file_mounts') {
      for (const s of snippetsAt(['file_mounts', '*'])) {
        const item = new vscode.CompletionItem(s.label, vscode.CompletionItemKind.Snippet);
        const body = snippetYaml(s.body).replace(/\$\{(\d+)/g, (_m, n: string) => `\${${Number(n) + 1}`);
        item.insertText = new vscode.SnippetString(`\${1:/mnt/data}:\n  ${body.split('\n').join('\n  ')}`);
        item.documentation = new vscode.MarkdownString('Insert a storage (bucket) mount.');
        item.sortText = `0${s.label}`;
        items.push(item);
      }
    }
    if (ctx.path.length === 0 && ctx.siblings.length === 0) {
      for (const s of snippetsAt([])) {
        const item = new vscode.CompletionItem(s.label, vscode.CompletionItemKind.Snippet);
        item.insertText = new vscode.SnippetString(snippetYaml(s.body));
        item.sortText = `0${s.label}`;
        items.push(item);
      }
    }
    return items;
  }

  private async values(
    doc: vscode.TextDocument,
    ctx: CursorContext,
    pos: vscode.Position,
    schemaItems: boolean,
  ): Promise<vscode.CompletionItem[]> {
    const items: vscode.CompletionItem[] = [];
    const start = pos.translate(0, -ctx.prefix.length);
    const replace = new vscode.Range(start, pos);
    for (const v of schemaItems ? valuesAt(ctx.path) : []) {
      const item = new vscode.CompletionItem(v.value, vscode.CompletionItemKind.EnumMember);
      item.range = replace;
      if (v.description) item.documentation = new vscode.MarkdownString(v.description);
      items.push(item);
    }
    const last = ctx.path.at(-1);
    const inMounts = ctx.path[0] === 'file_mounts';
    const pathValue =
      last === 'workdir' ||
      (inMounts &&
        (last === 'source' || (last === '*' && ctx.path.at(-2) === 'source') || ctx.path.length === 2));
    if (pathValue && !/^[a-z0-9]+:\/\//i.test(ctx.prefix) && doc.uri.scheme === 'file') {
      items.push(...this.localPaths(path.dirname(doc.uri.fsPath), ctx.prefix, pos, last === 'workdir'));
    }
    const provider = this.buckets;
    if (provider && inMounts && (last === 'name' || last === 'source' || ctx.path.length === 2)) {
      try {
        for (const b of await provider()) {
          const item = new vscode.CompletionItem(b, vscode.CompletionItemKind.Reference);
          item.detail = 'bucket';
          item.range = replace;
          items.push(item);
        }
      } catch {
        // The bucket list is a convenience: a failing provider must not break completion.
      }
    }
    return items;
  }

  private localPaths(
    baseDir: string,
    prefix: string,
    pos: vscode.Position,
    dirsOnly: boolean,
  ): vscode.CompletionItem[] {
    const typedDir = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
    const dir = path.resolve(baseDir, expandHome(typedDir || '.'));
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    const partial = prefix.slice(typedDir.length);
    const range = new vscode.Range(pos.translate(0, -partial.length), pos);
    return entries
      .filter((e) => (!dirsOnly || e.isDirectory()) && e.name !== '.git')
      .slice(0, 500)
      .map((e) => {
        const item = new vscode.CompletionItem(
          e.name,
          e.isDirectory() ? vscode.CompletionItemKind.Folder : vscode.CompletionItemKind.File,
        );
        item.range = range;
        item.detail = path.join(dir, e.name);
        return item;
      });
  }

  private envNames(
    text: string,
    ctx: CursorContext,
    pos: vscode.Position,
    typed: string,
  ): vscode.CompletionItem[] {
    const parsed = parseTaskYaml(text);
    const v = parsed.documents[ctx.document]?.value;
    const names = new Set<string>();
    if (isObj(v)) {
      for (const f of ['envs', 'secrets']) {
        const m = v[f];
        if (isObj(m)) for (const k of Object.keys(m)) if (!k.startsWith('secrets:')) names.add(k);
      }
    }
    const braced = typed.startsWith('${');
    const range = new vscode.Range(pos.translate(0, -typed.length), pos);
    return [...names].map((n) => {
      const item = new vscode.CompletionItem(`$${n}`, vscode.CompletionItemKind.Variable);
      item.insertText = braced ? `\${${n}}` : `$${n}`;
      item.filterText = typed + n;
      item.range = range;
      item.detail = 'from envs/secrets, substituted by SkyPilot';
      return item;
    });
  }
}
