import type { RuleContext } from '../context';
import { isObj, ptr } from './common';

const SECRET_REF = /^secrets:(?:[A-Za-z0-9_-]+\.)?[A-Za-z0-9_.-]+$/;

/** envs with null values (required at launch) and the two forms of secrets (sky/task.py). */
export function envsRule(ctx: RuleContext): void {
  const envs = ctx.task.envs;
  if (isObj(envs)) {
    for (const [k, v] of Object.entries(envs)) {
      // SkyPilot refuses to load a task with a null env unless --env gives it (Task.from_yaml_config).
      if (v === null && !Object.prototype.hasOwnProperty.call(ctx.vars, k)) {
        ctx.report({
          severity: 'error',
          pointer: ptr('envs', k),
          on: 'key',
          code: 'env-null',
          message: `Environment variable '${k}' is None: give it at launch (--env ${k}=...) or set it here (${k}: "" for empty).`,
        });
      }
    }
  }
  const secrets = ctx.task.secrets;
  if (isObj(secrets)) {
    for (const [k, v] of Object.entries(secrets)) {
      if (k.startsWith('secrets:')) {
        if (!SECRET_REF.test(k)) {
          ctx.report({
            severity: 'error',
            pointer: ptr('secrets', k),
            on: 'key',
            code: 'secret-ref',
            message: `Invalid secret reference '${k}': expected secrets:NAME or secrets:scope.NAME.`,
          });
        } else if (v !== null) {
          ctx.report({
            severity: 'error',
            pointer: ptr('secrets', k),
            on: 'value',
            code: 'secret-ref-value',
            message: `Secret reference '${k}' must not have a value: the managed secret provides it (leave it empty).`,
          });
        }
      } else if (v === null) {
        ctx.report({
          severity: 'warning',
          pointer: ptr('secrets', k),
          on: 'key',
          code: 'secret-null',
          message: `Secret '${k}' has no value: it must be given at launch (--secret ${k}=...).`,
        });
      }
    }
  } else if (Array.isArray(secrets)) {
    secrets.forEach((s, i) => {
      if (typeof s === 'string' && !SECRET_REF.test(s)) {
        ctx.report({
          severity: 'error',
          pointer: ptr('secrets', i),
          code: 'secret-ref',
          message: `In the list form of secrets every item must reference a managed secret: 'secrets:NAME' (got '${s}').`,
        });
      }
    });
  }
}
