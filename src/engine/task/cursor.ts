/**
 * Where the cursor is in a (possibly half-typed) task YAML, worked out from indentation so that it
 * also works while the document does not parse. Used by completion and hover.
 */
export interface CursorContext {
  /** 'key': typing a key in a mapping; 'value': after `key:` on the same line (or a list item). */
  kind: 'key' | 'value';
  /** Keys from the document root to the mapping (key) or to the value (value); '*' for list items. */
  path: string[];
  /** Text already typed at the cursor (the word being completed). */
  prefix: string;
  /** Keys already present in the same mapping (for key completion). */
  siblings: string[];
  /** Indentation of the mapping the key belongs to. */
  indent: number;
  /** 0-based document index (counting `---` separators above). */
  document: number;
}

const KEY_LINE = /^(\s*)(?:-\s+)?("[^"]*"|'[^']*'|[^\s#:'"][^:#]*?)\s*:(?:\s|$)/;

function unquote(k: string): string {
  return k.replace(/^["']|["']$/g, '');
}

function indentOf(line: string): number {
  const m = /^(\s*)(-\s+)?/.exec(line);
  return m ? m[1].length + (m[2]?.length ?? 0) : 0;
}

export function cursorContext(text: string, line: number, character: number): CursorContext {
  const lines = text.split('\n');
  let docStart = 0;
  let document = 0;
  for (let i = 0; i < line && i < lines.length; i++) {
    if (/^---(\s|$)/.test(lines[i])) {
      docStart = i + 1;
      document++;
    }
  }
  const cur = (lines[line] ?? '').replace(/\r$/, '');
  const before = cur.slice(0, character);
  let kind: 'key' | 'value';
  let prefix: string;
  let indent: number;
  let ownKey: string | undefined;
  const valueMatch =
    /^(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s#:'"][^:#]*?)\s*:\s+(.*)$/.exec(before) ??
    /^(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s#:'"][^:#]*?):$/.exec(before);
  const listValue = /^(\s*)-\s+([^:]*)$/.exec(before);
  if (valueMatch && !/^\s*$/.test(valueMatch[3])) {
    kind = 'value';
    indent = valueMatch[1].length + (valueMatch[2]?.length ?? 0);
    ownKey = unquote(valueMatch[3]);
    prefix = (valueMatch[4] ?? '').replace(/^["']/, '');
  } else if (listValue && /[/.~$]/.test(listValue[2])) {
    // `- ./path` inside a list: a value of the parent key's list.
    kind = 'value';
    indent = listValue[1].length;
    ownKey = '*';
    prefix = listValue[2];
  } else {
    kind = 'key';
    const m = /^(\s*)(-\s+)?(\S*)$/.exec(before);
    indent = m ? m[1].length + (m[2]?.length ?? 0) : before.length;
    prefix = m ? m[3] : '';
  }
  // Walk up: each line with a smaller indentation that ends in `key:` is a parent.
  const path: string[] = [];
  let want = indent;
  const isListItem = /^\s*-\s/.test(cur);
  if (isListItem && kind === 'key') path.unshift('*');
  for (let i = line - 1; i >= docStart && want > 0; i--) {
    const l = lines[i].replace(/\r$/, '');
    if (/^\s*(#|$)/.test(l)) continue;
    const ind = indentOf(l);
    const rawInd = /^(\s*)/.exec(l)?.[1].length ?? 0;
    if (rawInd < want) {
      const m = KEY_LINE.exec(l);
      const dash = /^\s*-\s/.test(l);
      if (m && ind < want) {
        path.unshift(unquote(m[2]));
        if (dash) path.unshift('*');
        want = rawInd;
      } else if (dash) {
        path.unshift('*');
        want = rawInd;
      } else want = rawInd;
    }
  }
  if (kind === 'value' && ownKey !== undefined) path.push(ownKey);
  // Siblings: keys at the same indentation in the same block.
  const siblings: string[] = [];
  if (kind === 'key') {
    for (const dir of [-1, 1]) {
      for (let i = line + dir; i >= docStart && i < lines.length; i += dir) {
        const l = lines[i].replace(/\r$/, '');
        if (/^---(\s|$)/.test(l)) break;
        if (/^\s*(#|$)/.test(l)) continue;
        const rawInd = /^(\s*)/.exec(l)?.[1].length ?? 0;
        if (rawInd < indent && !(rawInd + 2 === indent && /^\s*-\s/.test(l))) break;
        const m = KEY_LINE.exec(l);
        if (m && indentOf(l) === indent) siblings.push(unquote(m[2]));
        if (/^\s*-\s/.test(l) && rawInd + 2 === indent) break;
      }
    }
  }
  return { kind, path, prefix, siblings, indent, document };
}
