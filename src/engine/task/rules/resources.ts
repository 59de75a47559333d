import type { RuleContext } from '../context';
import { isObj, ptr, Obj } from './common';
import { checkResourceValues } from './resourceValues';

const MEMORY_ACCEL = /^[0-9]+[GgMmTt][Bb]\+?$/;
const NUMBER = /^\s*[0-9]*\.?[0-9]+\s*$/;
const INTEGER = /^\s*[0-9]+\s*$/;

/**
 * Why SkyPilot would reject an accelerator string (Resources._parse_accelerators_from_str, then the
 * NAME:COUNT split): `A100`, `A100:8`, `80GB+`, `24GB+:2`, `nvidia:24GB`, `nvidia:24GB+:1` are fine.
 */
export function acceleratorProblem(a: string): string | undefined {
  const parts = a.split(':');
  if (parts.length > 3) return 'too many ":" parts';
  if (parts.length === 3) {
    if (!MEMORY_ACCEL.test(parts[1]))
      return 'with a manufacturer, the middle part must be a memory size like 24GB or 40GB+';
    return INTEGER.test(parts[2]) ? undefined : 'the count must be an integer';
  }
  if (parts.length === 2) {
    if (MEMORY_ACCEL.test(parts[0]))
      return INTEGER.test(parts[1]) && Number(parts[1]) > 0
        ? undefined
        : 'the count must be a positive integer';
    if (MEMORY_ACCEL.test(parts[1])) return undefined;
    if (parts[0].trim() === '') return 'the accelerator name is empty';
    if (!NUMBER.test(parts[1])) return 'the count must be a number';
    return Number(parts[1]) > 0 ? undefined : 'the count must be positive';
  }
  return a.trim() === '' ? 'the accelerator name is empty' : undefined;
}

function checkOne(ctx: RuleContext, r: Obj, base: Array<string | number>): void {
  checkResourceValues(ctx, r, base);
  if (r.infra !== undefined && r.infra !== null) {
    for (const k of ['cloud', 'region', 'zone']) {
      if (r[k] !== undefined && r[k] !== null) {
        ctx.report({
          severity: 'error',
          pointer: ptr(...base, k),
          on: 'key',
          code: 'infra-and-cloud',
          message: `Cannot specify both 'infra' and '${k}': put everything in infra (cloud/region/zone).`,
        });
      }
    }
  }
  if (r.gpus !== undefined && r.accelerators !== undefined) {
    ctx.report({
      severity: 'error',
      pointer: ptr(...base, 'gpus'),
      on: 'key',
      code: 'gpus-and-accelerators',
      message: 'Cannot specify both gpus and accelerators in config (gpus is an alias of accelerators).',
    });
  }
  const field = r.accelerators !== undefined ? 'accelerators' : 'gpus';
  const acc = r[field];
  const check = (a: string, pointer: string) => {
    // A set written as a string, "{A100:1, V100:1}", is split like a list.
    for (const part of a.replace(/^\s*[[{]|[\]}]\s*$/g, '').split(',')) {
      const why = part.trim() === '' && a.includes(',') ? undefined : acceleratorProblem(part.trim());
      if (why) {
        ctx.report({
          severity: 'error',
          pointer,
          code: 'accelerators',
          message: `Invalid accelerators '${a}': ${why} (e.g. A100:8, {H100: 8}, 80GB+).`,
        });
        return;
      }
    }
  };
  if (typeof acc === 'string') check(acc, ptr(...base, field));
  else if (Array.isArray(acc))
    acc.forEach((a, i) => typeof a === 'string' && check(a, ptr(...base, field, i)));
  else if (isObj(acc)) {
    for (const [k, v] of Object.entries(acc))
      check(v === null ? k : `${k}:${String(v)}`, ptr(...base, field, k));
  }
  const autostop = r.autostop;
  if (isObj(autostop)) {
    for (const k of ['hook', 'hook_timeout']) {
      if (autostop[k] !== undefined) {
        ctx.report({
          severity: 'warning',
          pointer: ptr(...base, 'autostop', k),
          on: 'key',
          code: 'deprecated',
          message: `resources.autostop.${k} is deprecated (removed after v0.15.0): use config.hooks with events: [stop].`,
        });
      }
    }
  }
}

/** Resource rules SkyPilot checks in code (Resources.from_yaml_config) rather than in the schema. */
export function resourcesRule(ctx: RuleContext): void {
  const res = ctx.task.resources;
  if (
    ctx.task.service !== undefined &&
    ctx.task.service !== null &&
    ctx.task.pool !== undefined &&
    ctx.task.pool !== null
  ) {
    ctx.report({
      severity: 'error',
      pointer: ptr('pool'),
      on: 'key',
      code: 'service-and-pool',
      message: 'A task cannot have both service and pool.',
    });
  }
  if (!isObj(res)) return;
  checkOne(ctx, res, ['resources']);
  if (res.any_of !== undefined && res.ordered !== undefined) {
    ctx.report({
      severity: 'error',
      pointer: ptr('resources', 'ordered'),
      on: 'key',
      code: 'any-of-and-ordered',
      message: 'Cannot specify both any_of and ordered in resources.',
    });
  }
  for (const k of ['any_of', 'ordered']) {
    const list = res[k];
    if (!Array.isArray(list)) continue;
    list.forEach((r, i) => {
      if (!isObj(r)) return;
      checkOne(ctx, r, ['resources', k, i]);
      // Each alternative is merged over the base resources: infra there conflicts with cloud/region/zone here.
      if (res.infra !== undefined && res.infra !== null && (r.infra === undefined || r.infra === null)) {
        for (const c of ['cloud', 'region', 'zone']) {
          if (r[c] !== undefined && r[c] !== null)
            ctx.report({
              severity: 'error',
              pointer: ptr('resources', k, i, c),
              on: 'key',
              code: 'infra-and-cloud',
              message: `Cannot combine '${c}' here with resources.infra: each ${k} entry is merged over the base resources; put it in infra.`,
            });
        }
      }
      if (
        r.infra !== undefined &&
        r.infra !== null &&
        ['cloud', 'region', 'zone'].some((c) => res[c] != null)
      )
        ctx.report({
          severity: 'error',
          pointer: ptr('resources', k, i, 'infra'),
          on: 'key',
          code: 'infra-and-cloud',
          message: `Cannot combine infra here with cloud/region/zone in resources: each ${k} entry is merged over the base resources.`,
        });
    });
  }
}
