import * as fs from 'fs';
import * as path from 'path';
import type { SNode } from './sourceTree';
import type { RuleContext, Finding, FixRequest } from './context';
import type { Diagnostic, Fix, Range } from './diagnostic';
import { checkDocuments, isHeaderDocument } from './documents';
import { taskVars } from './envSubst';
import { TASK_RULES } from './rules';
import { checkJobGroup, isJobGroup } from './rules/jobGroup';
import { checkSchema } from './schemaCheck';
import { locate, ParsedTaskYaml, parseTaskYaml, rangeOf, targetOffsets } from './yamlDoc';
import { yamlProblems } from './yamlProblems';

export interface ValidateOptions {
  /** The task file path: relative local paths resolve against its folder. */
  file?: string;
  /** Filesystem checks (workdir and local sources exist); default true. */
  localChecks?: boolean;
  /** Overrides for envs/secrets, like `--env K=V` (used for `$VAR` substitution). */
  env?: Record<string, string>;
}

export interface ValidationResult {
  parsed: ParsedTaskYaml;
  diagnostics: Diagnostic[];
  /** Index of the pipeline/job-group header document, if any. */
  headerIndex?: number;
}

export function validateTaskText(text: string, opts: ValidateOptions = {}): Diagnostic[] {
  return validateTask(text, opts).diagnostics;
}

export function validateTaskFile(file: string, opts: Omit<ValidateOptions, 'file'> = {}): Diagnostic[] {
  return validateTaskText(fs.readFileSync(file, 'utf8'), { ...opts, file });
}

export function validateTask(text: string, opts: ValidateOptions = {}): ValidationResult {
  const parsed = parseTaskYaml(text);
  const diagnostics: Diagnostic[] = [];
  const baseDir = opts.file ? path.dirname(path.resolve(opts.file)) : process.cwd();
  const localChecks = opts.localChecks !== false;
  const broken = new Set<number>();

  for (const d of parsed.documents) {
    const yaml = yamlProblems(parsed, d);
    if (yaml.broken) broken.add(d.index);
    diagnostics.push(...yaml.diagnostics);
  }

  const values = parsed.documents.map((d) => d.value);
  const jobGroup = isJobGroup(values);
  const headerIndex = jobGroup || isHeaderDocument(values[0], values.length) ? 0 : undefined;

  const emit = (docIndex: number, f: Finding) => {
    const doc = parsed.documents[docIndex];
    const [s, e] = targetOffsets(doc, f.pointer, f.on ?? 'auto');
    const diag: Diagnostic = {
      severity: f.severity,
      message: f.message,
      document: docIndex,
      path: f.pointer,
      range: rangeOf(parsed, s, e),
      code: f.code,
    };
    if (f.fix) {
      const fix = buildFix(parsed, docIndex, f.pointer, f.fix);
      if (fix) diag.fix = fix;
    }
    diagnostics.push(diag);
  };

  for (const d of parsed.documents) {
    if (broken.has(d.index) || d.index === headerIndex) continue;
    const v = d.value;
    if (v === null || v === undefined) continue; // an empty document is an empty task
    if (typeof v !== 'object' || Array.isArray(v)) {
      emit(d.index, {
        severity: 'error',
        pointer: '',
        code: 'not-a-mapping',
        message: `A task must be a mapping of fields (name, resources, run, ...); this document is ${Array.isArray(v) ? 'a list' : `a ${typeof v}`}.`,
      });
      continue;
    }
    const vars = taskVars(v as Record<string, unknown>, opts.env);
    for (const issue of checkSchema(v, vars)) {
      const fix: FixRequest | undefined = issue.rename
        ? { kind: 'rename-key', to: issue.rename }
        : issue.canonical
          ? { kind: 'replace-value', to: issue.canonical }
          : undefined;
      emit(d.index, {
        severity: 'error',
        pointer: issue.pointer,
        message: issue.message,
        code: issue.code,
        on: issue.on,
        ...(fix ? { fix } : {}),
      });
    }
    const task = v as Record<string, unknown>;
    // `num_nodes: 2.0` reads as the number 2 here; SkyPilot (Python) keeps it a float and refuses it.
    const nn = typeof task.num_nodes === 'number' ? locate(d, '/num_nodes').node : undefined;
    if (nn && /[.eE]/.test(text.slice(nn.start, nn.end)))
      emit(d.index, {
        severity: 'error',
        pointer: '/num_nodes',
        code: 'num-nodes',
        message: `num_nodes must be a whole number of nodes (write ${String(task.num_nodes)}, not ${text.slice(nn.start, nn.end)}).`,
      });
    const ctx: RuleContext = {
      task,
      vars,
      baseDir,
      localChecks,
      report: (f) => emit(d.index, f),
    };
    for (const rule of TASK_RULES) rule(ctx);
  }
  const okValues = values.map((v, i) => (broken.has(i) ? undefined : v));
  for (const f of checkDocuments(okValues, headerIndex)) emit(f.document, f);
  if (jobGroup && !broken.has(0)) for (const f of checkJobGroup(okValues)) emit(f.document, f);

  diagnostics.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      a.document - b.document,
  );
  return { parsed, diagnostics, ...(headerIndex !== undefined ? { headerIndex } : {}) };
}

function nodeSlice(
  parsed: ParsedTaskYaml,
  n: SNode | null | undefined,
): { range: Range; text: string; start: number; end: number } | undefined {
  if (!n) return undefined;
  const [s, e] = [n.start, n.end];
  return { range: rangeOf(parsed, s, e), text: parsed.text.slice(s, e), start: s, end: e };
}

/** Turns a rule's fix request into concrete edits on the source text. */
export function buildFix(
  parsed: ParsedTaskYaml,
  docIndex: number,
  pointer: string,
  req: FixRequest,
): Fix | undefined {
  const loc = locate(parsed.documents[docIndex], pointer);
  if (loc.partial) return undefined;
  switch (req.kind) {
    case 'rename-key': {
      const k = nodeSlice(parsed, loc.pair?.key);
      return k ? { title: `Rename to '${req.to}'`, edits: [{ range: k.range, newText: req.to }] } : undefined;
    }
    case 'replace-value': {
      const v = nodeSlice(parsed, loc.node);
      if (!v || loc.node?.kind !== 'scalar') return undefined;
      const q = v.text[0] === '"' || v.text[0] === "'" ? v.text[0] : '';
      return {
        title: req.title ?? `Change to '${req.to}'`,
        edits: [{ range: v.range, newText: `${q}${req.to}${q}` }],
      };
    }
    case 'wrap-in-list': {
      const v = nodeSlice(parsed, loc.node);
      return v
        ? { title: 'Wrap the source in a list', edits: [{ range: v.range, newText: `[${v.text}]` }] }
        : undefined;
    }
    case 'remove-trailing-slash': {
      const n = req.target === 'key' ? loc.pair?.key : loc.node;
      const v = nodeSlice(parsed, n);
      if (!v || n?.kind !== 'scalar') return undefined;
      const m = /^(.*?)(\/+)(["']?)$/s.exec(v.text);
      if (!m || m[1] === '' || m[1] === '"' || m[1] === "'") return undefined;
      return { title: 'Remove the trailing /', edits: [{ range: v.range, newText: `${m[1]}${m[3]}` }] };
    }
  }
}
