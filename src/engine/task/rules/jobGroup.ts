import type { CrossDocFinding } from '../documents';
import { isObj, ptr } from './common';

/**
 * A job group (sky/utils/dag_utils.py::_load_job_group): two or more documents whose first one sets
 * `execution: parallel`. Its header may hold only these keys (others are ignored with a warning).
 */
export const JOB_GROUP_HEADER_KEYS = [
  'name',
  'execution',
  'primary_tasks',
  'termination_delay',
  'inter_connection',
];

const SAFE_NAME = /^[A-Za-z0-9_-]+$/;
const DURATION = /^\d+[smhdw]?$/i;

export function isJobGroup(values: unknown[]): boolean {
  return values.length >= 2 && isObj(values[0]) && values[0].execution === 'parallel';
}

/** The header and job rules SkyPilot checks when it loads a job group. */
export function checkJobGroup(values: unknown[]): CrossDocFinding[] {
  const out: CrossDocFinding[] = [];
  const h = values[0];
  if (!isObj(h)) return out;
  const err = (document: number, pointer: string, code: string, message: string) =>
    out.push({ document, severity: 'error', pointer, code, message, on: 'key' });
  for (const k of Object.keys(h)) {
    if (!JOB_GROUP_HEADER_KEYS.includes(k))
      out.push({
        document: 0,
        severity: 'warning',
        pointer: ptr(k),
        on: 'key',
        code: 'unknown-key',
        message: `Unknown field '${k}' in the job group header (SkyPilot ignores it). Valid fields: ${JOB_GROUP_HEADER_KEYS.join(', ')}.`,
      });
  }
  if (h.name === undefined || h.name === null)
    err(0, '', 'job-group-name', 'A job group header needs a name.');
  else if (typeof h.name !== 'string' || !SAFE_NAME.test(h.name))
    err(
      0,
      ptr('name'),
      'job-group-name',
      `Invalid job group name '${String(h.name)}': use letters, digits, '-' and '_' only.`,
    );
  const names = new Set<string>();
  values.slice(1).forEach((v, i) => {
    if (!isObj(v)) return;
    const doc = i + 1;
    if (typeof v.name !== 'string') return; // reported by checkDocuments
    if (!SAFE_NAME.test(v.name))
      err(
        doc,
        ptr('name'),
        'job-name',
        `Invalid job name '${v.name}': use letters, digits, '-' and '_' only.`,
      );
    names.add(v.name);
  });
  const pt = h.primary_tasks;
  if (pt !== undefined && pt !== null) {
    if (!Array.isArray(pt))
      err(0, ptr('primary_tasks'), 'primary-tasks', 'primary_tasks must be a list of job names.');
    else
      pt.forEach((n, i) => {
        if (typeof n !== 'string' || !names.has(n))
          err(
            0,
            ptr('primary_tasks', i),
            'primary-tasks',
            `primary_tasks names an unknown job '${String(n)}'; jobs: ${[...names].join(', ')}.`,
          );
      });
  }
  const td = h.termination_delay;
  const badDelay = (x: unknown) =>
    !((typeof x === 'string' || typeof x === 'number') && DURATION.test(String(x)));
  if (td !== undefined && td !== null) {
    if (isObj(td)) {
      for (const [k, v] of Object.entries(td)) {
        if (k !== 'default' && !names.has(k))
          err(
            0,
            ptr('termination_delay', k),
            'termination-delay',
            `termination_delay names an unknown job '${k}'.`,
          );
        else if (badDelay(v))
          err(
            0,
            ptr('termination_delay', k),
            'termination-delay',
            `Invalid termination_delay '${String(v)}': use seconds (30) or 30s, 5m, 1h.`,
          );
      }
    } else if (badDelay(td))
      err(
        0,
        ptr('termination_delay'),
        'termination-delay',
        `Invalid termination_delay '${String(td)}': use seconds (30) or 30s, 5m, 1h.`,
      );
  }
  return out;
}
