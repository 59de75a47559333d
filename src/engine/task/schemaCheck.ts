import type { ErrorObject, ValidateFunction } from 'ajv';
import taskSchema from '../../../schemas/task.schema.json';
import { didYouMean } from './didYouMean';
import { toPointer } from './diagnostic';
import { substituteVars } from './envSubst';

/** A schema problem before it is placed in the text: pointer plus whether to underline key or value. */
export interface SchemaIssue {
  pointer: string;
  message: string;
  on: 'key' | 'value' | 'auto';
  code: string;
  /** For unknown keys: the suggested replacement key. */
  rename?: string;
  /** For case-insensitive enums written in an odd case: the canonical value. */
  canonical?: string;
}

type Json = Record<string, unknown>;
const root = taskSchema as unknown as Json;

let compiled: ValidateFunction | undefined;

/**
 * The schema's validator, compiled ahead of time by scripts/gen-validator.js (ajv standalone, same
 * options: allErrors, verbose). Compiling it at start-up was a third of a fresh `validate`'s time.
 * Loaded on first use: the CLI's other verbs never pay for it.
 */
export function taskValidator(): ValidateFunction {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  compiled ??= require('./generated/taskValidator') as ValidateFunction;
  return compiled;
}

export function taskSchemaJson(): Json {
  return root;
}

/**
 * SkyPilot validates the task, `resources`, `service` and each storage entry separately and drops top-level
 * null values of each before validating (`key:` with nothing after it). Mirror that. A null under a key
 * the schema does not know is kept: SkyPilot's schema check skips it, but the task, resources and
 * storage constructors then refuse the leftover key ("Invalid task args"), so it is still an error.
 */
export function prepareForSchema(value: unknown, vars: Record<string, string> = {}): unknown {
  if (!isObj(value)) return value;
  const defs = root.definitions as Record<string, Json>;
  const out = dropNulls(value, root);
  // SkyPilot checks these after it has put the envs in (Task.from_yaml_config): `store: $STORE` is a
  // store once STORE is set. Keys are left as written so the pointers still lead to the text.
  for (const k of ['file_mounts', 'service', 'workdir', 'volumes']) {
    if (out[k] !== undefined) out[k] = substituteValues(out[k], vars);
  }
  if (isObj(out.resources)) out.resources = dropNulls(out.resources, defs.resources);
  if (isObj(out.service)) out.service = dropNulls(out.service);
  if (isObj(out.file_mounts)) {
    const fm: Json = {};
    for (const [k, v] of Object.entries(out.file_mounts)) fm[k] = isObj(v) ? dropNulls(v, defs.storage) : v;
    out.file_mounts = fm;
  }
  return out;
}

function substituteValues(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return substituteVars(v, vars);
  if (Array.isArray(v)) return v.map((x) => substituteValues(x, vars));
  if (isObj(v)) {
    const o: Json = {};
    for (const [k, x] of Object.entries(v)) o[k] = substituteValues(x, vars);
    return o;
  }
  return v;
}

/** Drops null values; with `known`, only those under keys its schema declares. */
function dropNulls(o: Json, known?: Json): Json {
  const props = known && isObj(known.properties) ? known.properties : undefined;
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (v !== null || (props && !(k in props))) out[k] = v;
  }
  return out;
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What each pattern in the schema expects, in words (keyed by a distinctive part of the pattern). */
const PATTERN_HINTS: Array<[RegExp, string]> = [
  [/\(m\|h\|d\|w/, 'Expected minutes (10) or a duration with m, h, d or w (10m, 2h, 1d).'],
  [/kb\|ki\|mb/, 'Expected a size like 256, 256GB or 1TB.'],
  [/\(b\|k\|m\|g\|t\|p/, 'Expected an rclone size like 64M or 10G.'],
  [/ms\|\[smhdwMy\]/, 'Expected an rclone duration like 1s, 5m or 1h30m.'],
  [
    /k8s/,
    'Expected cloud[/region[/zone]] (aws, aws/us-east-1), * wildcards (*/us-east-1), k8s[/context] or ssh/<pool>.',
  ],
];

function resolve(s: unknown): Json {
  if (isObj(s) && typeof s.$ref === 'string' && s.$ref.startsWith('#/definitions/')) {
    const defs = root.definitions as Json;
    return resolve(defs[s.$ref.slice('#/definitions/'.length)]);
  }
  return isObj(s) ? s : {};
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(schemaType: unknown, v: unknown): boolean {
  if (schemaType === undefined) return true;
  const types = Array.isArray(schemaType) ? schemaType : [schemaType];
  const t = jsonType(v);
  return types.some((s) => s === t || (s === 'number' && t === 'integer'));
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
};

function describeTypes(types: string[]): string {
  const uniq = [...new Set(types)];
  const names = uniq.map((t) => TYPE_NAMES[t] ?? t);
  return names.length <= 1
    ? (names[0] ?? 'a different value')
    : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

function branchTypes(branch: unknown): string[] {
  const b = resolve(branch);
  if (b.type === undefined && Array.isArray(b.anyOf)) return b.anyOf.flatMap(branchTypes);
  if (b.type === undefined) return [];
  return Array.isArray(b.type) ? (b.type as string[]) : [b.type as string];
}

function fieldName(pointer: string): string {
  const segs = pointer.split('/');
  const last = segs.at(-1) ?? '';
  return last.replace(/~1/g, '/').replace(/~0/g, '~') || 'document';
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function enumIssue(pointer: string, data: unknown, values: string[]): SchemaIssue {
  const field = fieldName(pointer);
  if (typeof data === 'string') {
    const hit = values.find((v) => v.toLowerCase() === data.toLowerCase());
    if (hit)
      return {
        pointer,
        message: `'${data}' should be written '${hit}'.`,
        on: 'value',
        code: 'enum-case',
        canonical: hit,
      };
    const guess = didYouMean(data, values);
    return {
      pointer,
      message: `Invalid ${field} '${data}'. Expected one of: ${values.join(', ')} (case-insensitive).${guess ? ` Did you mean '${guess}'?` : ''}`,
      on: 'value',
      code: 'enum',
      ...(guess ? { canonical: guess } : {}),
    };
  }
  return {
    pointer,
    message: `'${field}' must be one of: ${values.join(', ')}; got ${show(data)}.`,
    on: 'value',
    code: 'enum',
  };
}

function unknownKey(parentPointer: string, key: string, parentSchema: Json): SchemaIssue {
  const pointer = `${parentPointer}${toPointer([key])}`;
  const fm = /^\/file_mounts\/([^/]+)$/.exec(parentPointer);
  const where =
    parentPointer === ''
      ? 'the task'
      : fm
        ? `the storage spec of '${fieldName(parentPointer)}'`
        : `'${fieldName(parentPointer)}'`;
  if (
    parentPointer === '/envs' ||
    (isObj(parentSchema.patternProperties) && parentPointer.endsWith('/envs'))
  ) {
    return {
      pointer,
      message: `Invalid environment variable name '${key}': must match ^[a-zA-Z_][a-zA-Z0-9_]*$ (letters, digits and '_', not starting with a digit).`,
      on: 'key',
      code: 'env-name',
    };
  }
  if (key === 'hooks' && parentPointer === '/resources') {
    return {
      pointer,
      message: 'hooks are not supported under resources; move them to config.hooks.',
      on: 'key',
      code: 'unknown-key',
    };
  }
  const props = isObj(parentSchema.properties) ? parentSchema.properties : {};
  const candidates = Object.keys(props).filter((k) => !k.startsWith('_') && !(props[k] as Json).doNotSuggest);
  const guess = didYouMean(key, candidates);
  if (guess) {
    return {
      pointer,
      message: `Unknown field '${key}' in ${where}. Did you mean '${guess}'?`,
      on: 'key',
      code: 'unknown-key',
      rename: guess,
    };
  }
  return {
    pointer,
    message: `Unknown field '${key}' in ${where}. Valid fields: ${candidates.join(', ')}.`,
    on: 'key',
    code: 'unknown-key',
  };
}

function simpleIssue(e: ErrorObject): SchemaIssue | undefined {
  const pointer = e.instancePath;
  const field = fieldName(pointer);
  const parent = (e.parentSchema ?? {}) as Json;
  switch (e.keyword) {
    case 'additionalProperties':
      return unknownKey(pointer, (e.params as { additionalProperty: string }).additionalProperty, parent);
    case 'type':
      return {
        pointer,
        message: `'${field}' must be ${describeTypes(Array.isArray(e.schema) ? (e.schema as string[]) : [e.schema as string])}, got ${TYPE_NAMES[jsonType(e.data)] ?? jsonType(e.data)}${typeof e.data === 'object' ? '' : ` (${show(e.data)})`}.`,
        on: 'value',
        code: 'type',
      };
    case 'enum':
      return enumIssue(pointer, e.data, (e.schema as unknown[]).map(String));
    case 'required':
      return {
        pointer,
        message: `Missing required field '${(e.params as { missingProperty: string }).missingProperty}' in '${field}'.`,
        on: 'key',
        code: 'required',
      };
    case 'pattern': {
      const hint = PATTERN_HINTS.find(([re]) => re.test(String(e.schema)))?.[1];
      const desc = hint ?? (typeof parent.description === 'string' ? parent.description : '');
      return {
        pointer,
        message: `Invalid ${field} '${show(e.data)}'.${desc ? ` ${desc}` : ''}`,
        on: 'value',
        code: 'pattern',
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        pointer,
        message: `'${field}' ${e.message ?? 'is out of range'}; got ${show(e.data)}.`,
        on: 'value',
        code: 'range',
      };
    case 'minItems':
      return { pointer, message: `'${field}' must not be an empty list.`, on: 'auto', code: 'min-items' };
    case 'maxProperties':
      return {
        pointer,
        message: `'${field}' ${e.message ?? 'has too many entries'}.`,
        on: 'auto',
        code: 'max-properties',
      };
    case 'uniqueItems':
      return { pointer, message: `'${field}' must not contain duplicates.`, on: 'value', code: 'unique' };
    case 'if':
    case 'then':
    case 'else':
      return undefined;
    default:
      return { pointer, message: `'${field}' ${e.message ?? 'is invalid'}.`, on: 'value', code: e.keyword };
  }
}

/** Schema issues for one document value, each at the node it concerns, combinators explained. */
export function checkSchema(value: unknown, vars: Record<string, string> = {}): SchemaIssue[] {
  const validate = taskValidator();
  if (validate(prepareForSchema(value, vars))) return [];
  const errors = validate.errors ?? [];
  const suppressed = new Set<number>();
  const issues: SchemaIssue[] = [];
  const order = errors
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.e.instancePath.length - b.e.instancePath.length);
  for (const { e, i } of order) {
    if (suppressed.has(i)) continue;
    suppressed.add(i);
    const parent = (e.parentSchema ?? {}) as Json;
    const atSameNode = (f: ErrorObject) => f.instancePath === e.instancePath;
    if (Array.isArray(parent['x-sky-enum'])) {
      errors.forEach((f, j) => {
        if (atSameNode(f)) suppressed.add(j);
      });
      issues.push(enumIssue(e.instancePath, e.data, parent['x-sky-enum'] as string[]));
      continue;
    }
    const branches = (e.schema as unknown[]) ?? [];
    const matching = branches.filter((b) => {
      const rb = resolve(b);
      return rb.type !== undefined
        ? typeMatches(rb.type, e.data)
        : branchTypes(rb).length === 0 || typeMatches(branchTypes(rb), e.data);
    });
    errors.forEach((f, j) => {
      if (atSameNode(f) && (f.keyword === 'type' || f.keyword === 'anyOf' || f.keyword === 'oneOf'))
        suppressed.add(j);
    });
    // A branch written for another type says nothing about this value (an object is not wrong
    // for failing the string branch's enum): drop everything that branch reported.
    branches.forEach((b, bi) => {
      if (matching.includes(b)) return;
      const prefix = `${e.schemaPath}/${bi}/`;
      errors.forEach((f, j) => {
        if (f.schemaPath.startsWith(prefix) && f.instancePath.startsWith(e.instancePath)) suppressed.add(j);
      });
    });
    if (matching.length === 0) {
      issues.push({
        pointer: e.instancePath,
        message: `'${fieldName(e.instancePath)}' must be ${describeTypes(branches.flatMap(branchTypes))}, got ${TYPE_NAMES[jsonType(e.data)] ?? jsonType(e.data)}.`,
        on: 'value',
        code: 'type',
      });
    }
  }
  errors.forEach((e, j) => {
    if (suppressed.has(j)) return;
    const issue = simpleIssue(e);
    if (issue) issues.push(issue);
  });
  // One message per node and text is enough (several branches can report the same thing).
  const seen = new Set<string>();
  return issues.filter((x) => {
    const k = `${x.pointer}\0${x.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
