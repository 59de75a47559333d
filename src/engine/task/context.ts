import type { Fix, Severity } from './diagnostic';

/** Where a rule's finding goes: a pointer inside the current document, underlining key or value. */
export interface Finding {
  severity: Severity;
  pointer: string;
  message: string;
  code: string;
  on?: 'key' | 'value' | 'auto';
  /** Builds the fix from the located node's source text (kept lazy: most findings never get one). */
  fix?: FixRequest;
}

export type FixRequest =
  | { kind: 'rename-key'; to: string }
  | { kind: 'replace-value'; to: string; title?: string }
  | { kind: 'wrap-in-list' }
  | { kind: 'remove-trailing-slash'; target: 'key' | 'value' };

export interface RuleContext {
  /** The document's plain value (already known to be a mapping). */
  task: Record<string, unknown>;
  /** Variables for `$VAR` substitution: envs plus dict-form secrets (non-null, as strings). */
  vars: Record<string, string>;
  /** Directory relative local paths resolve against (the task file's folder, or cwd). */
  baseDir: string;
  localChecks: boolean;
  report(f: Finding): void;
}

export type Rule = (ctx: RuleContext) => void;

export type { Fix };
