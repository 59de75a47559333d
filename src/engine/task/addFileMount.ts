// "Add as file_mount…": a bucket URI inserted under `file_mounts` of a task file as a YAML edit
// (the `yaml` library's document API), returned as the smallest text change so that the rest of
// the file — comments, quoting, order — stays as it was.
import { isMap, isScalar, parseDocument, stringify, YAMLMap } from 'yaml';
import { SkyError } from '../util/errors';

export type FileMountMode = 'MOUNT' | 'MOUNT_CACHED' | 'COPY';
/** SkyPilot's `type` presets, valid with MOUNT_CACHED only. */
export const MOUNT_CACHED_TYPES = [
  'MODEL_CHECKPOINT_RO',
  'MODEL_CHECKPOINT_RW',
  'DATASET_RO',
  'DATASET_RW',
] as const;
export type MountCachedType = (typeof MOUNT_CACHED_TYPES)[number];

export interface FileMountEntry {
  /** The path on the nodes (absolute, or ~/…). */
  path: string;
  source: string;
  mode: FileMountMode;
  type?: MountCachedType;
}

export interface TextChange {
  /** Offset and length of the replaced text in the original, and what replaces it. */
  offset: number;
  length: number;
  text: string;
  /** The whole new file. */
  result: string;
}

export function addFileMount(text: string, entry: FileMountEntry): TextChange {
  if (!/^(\/|~\/)/.test(entry.path))
    throw new SkyError('usage', `The mount path '${entry.path}' must be absolute (/…) or start with ~/.`);
  if (entry.type && entry.mode !== 'MOUNT_CACHED')
    throw new SkyError('usage', 'A type preset goes with mode MOUNT_CACHED only.');
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length)
    throw new SkyError('task-yaml', `The task file does not parse: ${doc.errors[0].message}`, {
      hint: 'Fix the YAML first, then add the file mount.',
    });
  if (text.split(/^---\s*$/m).filter((d) => d.trim()).length > 1)
    throw new SkyError('usage', 'This task file has several YAML documents: add the file mount by hand.');
  if (doc.contents !== null && !isMap(doc.contents))
    throw new SkyError('task-yaml', 'The task file is not a mapping of task fields.');
  const mounts = doc.get('file_mounts', true);
  const value = {
    source: entry.source,
    mode: entry.mode,
    ...(entry.type ? { type: entry.type } : {}),
  };
  // The entry as YAML (quoting as needed); a string value would mean COPY, so the mode is spelled out.
  const block = (indent: string) =>
    stringify({ [entry.path]: value }, { lineWidth: 0 })
      .trimEnd()
      .split('\n')
      .map((l) => indent + l)
      .join('\n');
  const change = (offset: number, length: number, insert: string): TextChange => ({
    offset,
    length,
    text: insert,
    result: text.slice(0, offset) + insert + text.slice(offset + length),
  });
  if (mounts === undefined) {
    // No file_mounts yet: a new section at the end of the file.
    const sep = text.length === 0 || text.endsWith('\n') ? '' : '\n';
    return change(text.length, 0, `${sep}file_mounts:\n${block('  ')}\n`);
  }
  if (isMap(mounts) && mounts.has(entry.path))
    throw new SkyError('file-mount-exists', `file_mounts already has ${entry.path}.`, {
      hint: 'Pick another mount path, or edit that entry.',
    });
  if (isMap(mounts) && !mounts.flow && mounts.items.length) {
    // After the last entry's line, at the first entry's indentation: nothing else moves.
    const first = mounts.items[0].key as { range?: [number, number, number] };
    const last = mounts.items[mounts.items.length - 1];
    const lastNode = (last.value ?? last.key) as { range?: [number, number, number] };
    if (first.range && lastNode.range) {
      const lineStart = text.lastIndexOf('\n', first.range[0] - 1) + 1;
      const indent = text.slice(lineStart, first.range[0]);
      if (/^[ ]*$/.test(indent)) {
        const eol = text.indexOf('\n', Math.max(lastNode.range[1] - 1, 0));
        const at = eol < 0 ? text.length : eol;
        return change(at, 0, `\n${block(indent)}`);
      }
    }
  }
  if (mounts !== null && !isMap(mounts) && !(isScalar(mounts) && mounts.value === null))
    throw new SkyError('task-yaml', '`file_mounts` in the task file is not a mapping.');
  // An empty or flow-style section: rewritten by the document API, the smallest change kept.
  const target = isMap(mounts) ? mounts : new YAMLMap();
  target.set(doc.createNode(entry.path), doc.createNode(value));
  if (!isMap(mounts)) doc.set('file_mounts', target);
  const result = doc.toString({ lineWidth: 0 });
  let start = 0;
  while (start < text.length && start < result.length && text[start] === result[start]) start++;
  let end = 0;
  while (
    end < text.length - start &&
    end < result.length - start &&
    text[text.length - 1 - end] === result[result.length - 1 - end]
  )
    end++;
  return change(start, text.length - start - end, result.slice(start, result.length - end));
}
