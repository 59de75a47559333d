import * as assert from 'assert';
import { validateTaskText } from '../../../engine/task/validate';
import type { Diagnostic } from '../../../engine/task/diagnostic';

export function check(
  yaml: string,
  opts: { file?: string; localChecks?: boolean; env?: Record<string, string> } = {},
): Diagnostic[] {
  return validateTaskText(yaml, { localChecks: false, ...opts });
}

/** Exactly one diagnostic with this code at this pointer; returns it. */
export function expectOne(
  yaml: string,
  code: string,
  path: string,
  opts: { file?: string; localChecks?: boolean } = {},
): Diagnostic {
  const ds = check(yaml, opts);
  const hits = ds.filter((d) => d.code === code && d.path === path);
  assert.strictEqual(
    hits.length,
    1,
    `expected one ${code} at ${path}, got:\n${ds.map((d) => `  ${d.code} ${d.path} ${d.message}`).join('\n')}`,
  );
  return hits[0];
}

export function expectNone(
  yaml: string,
  code?: string,
  opts: { file?: string; localChecks?: boolean; env?: Record<string, string> } = {},
): void {
  const ds = check(yaml, opts).filter((d) => (code ? d.code === code : d.severity === 'error'));
  assert.deepStrictEqual(
    ds.map((d) => `${d.code} ${d.path} ${d.message}`),
    [],
  );
}

/** The text a diagnostic underlines. */
export function underlined(yaml: string, d: Diagnostic): string {
  const lines = yaml.split('\n');
  if (d.range.start.line !== d.range.end.line)
    return `${lines[d.range.start.line].slice(d.range.start.character)}…`;
  return lines[d.range.start.line].slice(d.range.start.character, d.range.end.character);
}
