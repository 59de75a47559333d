/** Positions are 0-based, like LSP and VS Code. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information';

/** A text edit that fixes a diagnostic; the editor turns it into a quick fix as is. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  /** 0-based document index in a multi-document file. */
  document: number;
  /** RFC 6901 JSON Pointer to the offending node inside that document. */
  path: string;
  range: Range;
  /** Stable identifier of the rule, e.g. `unknown-key`, `storage-mode-config`. */
  code?: string;
  /** Data a quick fix needs: edits computed from the source text. */
  fix?: Fix;
}

/** RFC 6901 pointer from path segments. */
export function toPointer(segments: ReadonlyArray<string | number>): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
