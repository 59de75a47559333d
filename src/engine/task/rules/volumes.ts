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

/**
 * `store: volume` in file_mounts is a GCP network disk made for the task (Task.from_yaml_config hands
 * it to Resources): it needs a name, and resources on GCP with a region or zone.
 */
export function storeVolumeRule(ctx: RuleContext): void {
  const fm = ctx.task.file_mounts;
  if (!isObj(fm)) return;
  const res = isObj(ctx.task.resources) ? ctx.task.resources : {};
  const infra = typeof res.infra === 'string' ? res.infra : undefined;
  const cloud = (
    infra?.split('/')[0] ?? (typeof res.cloud === 'string' ? res.cloud : undefined)
  )?.toLowerCase();
  const located =
    (infra !== undefined && infra.split('/').length > 1 && infra.split('/')[1] !== '*') ||
    typeof res.region === 'string' ||
    typeof res.zone === 'string';
  for (const [dst, spec] of Object.entries(fm)) {
    if (!isObj(spec) || spec.store !== 'volume') continue;
    const at = ptr('file_mounts', dst);
    const err = (pointer: string, message: string) =>
      ctx.report({ severity: 'error', pointer, code: 'store-volume', message });
    if (spec.name === undefined || spec.name === null || spec.name === '')
      err(at, `The volume at '${dst}' needs a name (store: volume makes a network disk).`);
    else if (cloud === undefined && (res.instance_type === undefined || res.instance_type === null))
      err(
        `${at}${ptr('store')}`,
        'store: volume needs a cloud: set resources.infra to gcp/<region> (volumes are GCP disks).',
      );
    else if (cloud !== undefined && cloud !== 'gcp')
      err(`${at}${ptr('store')}`, `store: volume is only supported on GCP, not ${cloud}.`);
    else if (cloud === 'gcp' && !located)
      err(
        `${at}${ptr('name')}`,
        'A named volume needs a region or zone: set resources.infra to gcp/<region>.',
      );
  }
}
