import * as vscode from 'vscode';
import { cursorContext } from '../engine/task/cursor';
import { descriptionAt, valuesAt } from '../engine/task/schemaNav';
import { isCloudUri, parseStoreUri } from '../engine/storage/uri';
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
