import * as vscode from 'vscode';
import { cursorContext } from '../engine/task/cursor';
import { descriptionAt, valuesAt } from '../engine/task/schemaNav';
import { isCloudUri, parseStoreUri } from '../engine/storage/uri';
import { loadConfig } from '../engine/config/config';
import { describeMount } from '../engine/mounts/describe';
import { readRecords } from '../engine/storage/records';
import { parseTask } from '../engine/task/model';
import { isTaskDocument } from './taskFiles';
import { redHatServes } from './diagnostics';

const KEY_VALUE = /^(\s*(?:-\s+)?)("[^"]*"|'[^']*'|[^\s#:'"][^:#]*?)(\s*:)(\s*)(.*?)\s*(#.*)?$/;

/** What a bucket URI resolves to, as markdown. */
export function describeUri(s: string): string | undefined {
  if (!isCloudUri(s)) return undefined;
  const r = parseStoreUri(s);
  if (!r.ok) return `**Invalid bucket URI**: ${r.error}`;
  const u = r.uri;
  const rows = [
    `**Store**: ${u.store}`,
    `**Bucket**: \`${u.bucket}\``,
    `**Prefix**: ${u.key ? `\`${u.key}\`` : '(bucket root)'}`,
  ];
  if (u.account) rows.push(`**Storage account**: \`${u.account}\``);
  if (u.region) rows.push(`**Region**: \`${u.region}\``);
  if (u.hfKind)
    rows.push(
      `**Hugging Face**: ${u.hfKind}${u.revision ? ` @ \`${u.revision}\`` : ''}${u.hfKind === 'bucket' ? '' : ' (read-only)'}`,
    );
  return rows.join('  \n');
}

export class TaskHoverProvider implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (!isTaskDocument(doc)) return undefined;
    const line = doc.lineAt(pos.line).text;
    const listItem = /^(\s*-\s+)(\S.*?)\s*$/.exec(line);
    const m = KEY_VALUE.exec(line);
    const text = doc.getText();
    if (m) {
      const keyStart = m[1].length;
      const keyEnd = keyStart + m[2].length;
      const valueStart = keyEnd + m[3].length + m[4].length;
      const ctx = cursorContext(text, pos.line, keyEnd + m[3].length + 1);
      const value = m[5].replace(/^["']|["']$/g, '');
      if (pos.character >= valueStart && value) {
        const uri = describeUri(value);
        const range = new vscode.Range(pos.line, valueStart, pos.line, valueStart + m[5].length);
        if (uri) return new vscode.Hover(new vscode.MarkdownString(uri), range);
        // An enum value (MOUNT, COPY, …): what it means, whatever case it is written in.
        const choice = valuesAt(ctx.path).find(
          (v) => v.value.toLowerCase() === value.toLowerCase() && v.description,
        );
        if (choice)
          return new vscode.Hover(
            new vscode.MarkdownString(`**${choice.value}**: ${choice.description}`),
            range,
          );
      }
      if (
        pos.character >= keyStart &&
        pos.character <= keyEnd &&
        ctx.path.length === 2 &&
        ctx.path[0] === 'file_mounts'
      ) {
        const mount = describeMountAt(doc, ctx.path[1], ctx.document);
        if (mount) return new vscode.Hover(mount, new vscode.Range(pos.line, keyStart, pos.line, keyEnd));
      }
      if (pos.character >= keyStart && pos.character <= keyEnd && !redHatServes(doc)) {
        const desc = descriptionAt(ctx.path);
        if (desc)
          return new vscode.Hover(
            new vscode.MarkdownString(desc),
            new vscode.Range(pos.line, keyStart, pos.line, keyEnd),
          );
      }
    } else if (listItem) {
      const uri = describeUri(listItem[2].replace(/^["']|["']$/g, ''));
      if (uri) return new vscode.Hover(new vscode.MarkdownString(uri));
    }
    return undefined;
  }
}

/** A file_mounts destination key: what launch will do there (create/upload/attach, mode, nodes). */
function describeMountAt(
  doc: vscode.TextDocument,
  dst: string,
  document: number,
): vscode.MarkdownString | undefined {
  const parsed = parseTask(doc.getText(), { file: doc.uri.fsPath });
  const task = parsed.tasks[document] ?? parsed.tasks[0];
  const m = task?.fileMounts.find((x) => x.dst === dst);
  if (!task || !m) return undefined;
  let defaultStore;
  let records;
  try {
    defaultStore = loadConfig().defaultStore;
    records = readRecords();
  } catch {
    // A broken config or records file only makes the hover less specific.
  }
  const d = describeMount(m, { nodes: task.numNodes, defaultStore, records });
  // Markdown punctuation in paths and names is escaped; spaces stay spaces (appendText would make them &nbsp;).
  const esc = (t: string) => t.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
  return new vscode.MarkdownString([`**On launch**: ${esc(d.summary)}`, ...d.details.map(esc)].join('  \n'));
}
