import type { RuleContext } from '../context';
import { isObj, ptr, Obj } from './common';

const ACCEL_STRING = /^\s*[^:,\s]+(?::\s*[0-9]*\.?[0-9]+)?\s*$/;

function checkOne(ctx: RuleContext, r: Obj, base: Array<string | number>): void {
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
  const acc = r.accelerators;
  const accs = typeof acc === 'string' ? [acc] : [];
  if (Array.isArray(acc)) acc.forEach((a) => typeof a === 'string' && accs.push(a));
  accs.forEach((a, i) => {
    const parts = a.replace(/^[[{]|[\]}]$/g, '').split(',');
    if (parts.some((p) => p.trim() !== '' && !ACCEL_STRING.test(p))) {
      ctx.report({
        severity: 'error',
        pointer: typeof acc === 'string' ? ptr(...base, 'accelerators') : ptr(...base, 'accelerators', i),
        code: 'accelerators',
        message: `Invalid accelerators '${a}': expected NAME or NAME:COUNT, e.g. A100:8.`,
      });
    }
  });
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
    if (Array.isArray(list)) list.forEach((r, i) => isObj(r) && checkOne(ctx, r, ['resources', k, i]));
  }
}
