import type { RuleContext } from '../context';
import { substituteVars } from '../envSubst';
import { isObj, ptr } from './common';

/** `volumes` mount paths must be absolute or start with `~` (sky/task.py::_validate_mount_dest_is_absolute). */
export function volumesRule(ctx: RuleContext): void {
  const v = ctx.task.volumes;
  if (!isObj(v)) return;
  for (const key of Object.keys(v)) {
    const dst = substituteVars(key, ctx.vars);
    if (!dst.startsWith('/') && !dst.startsWith('~')) {
      ctx.report({
        severity: 'error',
        pointer: ptr('volumes', key),
        on: 'key',
        code: 'volume-path',
        message: `Volume mount path '${dst}' must be absolute (start with / or ~).`,
      });
    }
  }
}
