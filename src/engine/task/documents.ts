import type { Finding } from './context';
import { isObj, ptr } from './rules/common';

/** Keys a header document of a multi-document file may hold (pipeline name, job-group execution). */
export const HEADER_KEYS = ['name', 'execution'] as const;

/**
 * A multi-document file is a pipeline (optional first document with only `name`, then tasks) or a
 * job group (first document with `execution: parallel`, then named jobs).
 */
export function isHeaderDocument(value: unknown, docCount: number): boolean {
  if (docCount < 2 || !isObj(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => (HEADER_KEYS as readonly string[]).includes(k));
}

export interface CrossDocFinding extends Finding {
  document: number;
}

/** Header checks and cross-document rules (names unique in a job group, named jobs). */
export function checkDocuments(values: unknown[], headerIndex: number | undefined): CrossDocFinding[] {
  const out: CrossDocFinding[] = [];
  let parallel = false;
  const h = headerIndex !== undefined ? values[headerIndex] : undefined;
  if (headerIndex !== undefined && isObj(h)) {
    if (h.name !== undefined && typeof h.name !== 'string') {
      out.push({
        document: headerIndex,
        severity: 'error',
        pointer: ptr('name'),
        code: 'type',
        message: "The pipeline 'name' must be a string.",
      });
    }
    if (h.execution !== undefined) {
      if (h.execution === 'parallel') parallel = true;
      else if (h.execution !== 'serial') {
        out.push({
          document: headerIndex,
          severity: 'error',
          pointer: ptr('execution'),
          code: 'execution',
          message: `execution must be 'parallel' (a job group) or 'serial' (a pipeline); got '${String(h.execution)}'.`,
        });
      }
    }
  }
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    if (i === headerIndex || !isObj(v)) return;
    const name = v.name;
    if (parallel && typeof name !== 'string') {
      out.push({
        document: i,
        severity: 'error',
        pointer: '',
        code: 'job-name',
        message: 'Every job of a job group (execution: parallel) needs a name.',
      });
    }
    if (typeof name === 'string') {
      if (seen.has(name)) {
        out.push({
          document: i,
          severity: parallel ? 'error' : 'warning',
          pointer: ptr('name'),
          code: 'duplicate-name',
          message: `Task name '${name}' is already used by document ${seen.get(name)}; names in a ${parallel ? 'job group' : 'pipeline'} should be unique.`,
        });
      } else seen.set(name, i);
    }
  });
  return out;
}
