import * as path from 'path';
import { isCloudUri, parseStoreUri } from '../../storage/uri';
import type { RuleContext } from '../context';
import { hasPendingVar, referencedVars, substituteVars } from '../envSubst';
import { isObj, ptr } from './common';
import { pathKind, resolveLocalPath } from './localPaths';
import { storageRule } from './storage';

/** The remote workdir on every node; a file mount may not replace it when workdir is set. */
export const REMOTE_WORKDIR = '~/sky_workdir';

/** String and storage file_mounts (sky/task.py::expand_and_validate_file_mounts, _validate_mount_path). */
export function fileMountsRule(ctx: RuleContext): void {
  const fm = ctx.task.file_mounts;
  if (!isObj(fm)) return;
  const hasWorkdir = ctx.task.workdir !== undefined && ctx.task.workdir !== null;
  for (const [key, raw] of Object.entries(fm)) {
    const p = ptr('file_mounts', key);
    unknownVars(ctx, key, p, 'key');
    const dst = substituteVars(key, ctx.vars);
    if (dst.length > 1 && dst.endsWith('/')) {
      ctx.report({
        severity: 'error',
        pointer: p,
        on: 'key',
        code: 'trailing-slash',
        message: `Mount paths cannot end with a slash (try replacing '${dst}' with '${dst.replace(/\/+$/, '')}').`,
        fix: { kind: 'remove-trailing-slash', target: 'key' },
      });
    }
    if (isCloudUri(dst)) {
      ctx.report({
        severity: 'error',
        pointer: p,
        on: 'key',
        code: 'dst-cloud',
        message: `File mount destination '${dst}' cannot be a cloud storage URI: it is a path on the nodes.`,
      });
    }
    if (hasWorkdir && path.posix.normalize(dst).replace(/\/+$/, '') === REMOTE_WORKDIR) {
      ctx.report({
        severity: 'error',
        pointer: p,
        on: 'key',
        code: 'dst-workdir',
        message: `Cannot mount to '${REMOTE_WORKDIR}' when workdir is set: the workdir is synced there.`,
      });
    }
    if (typeof raw === 'string') {
      unknownVars(ctx, raw, p, 'value');
      stringMount(ctx, p, substituteVars(raw, ctx.vars));
    } else if (isObj(raw)) {
      storageRule(ctx, p, raw);
    }
  }
}

function stringMount(ctx: RuleContext, p: string, src: string): void {
  if (src.length > 1 && src.endsWith('/')) {
    ctx.report({
      severity: 'error',
      pointer: p,
      code: 'trailing-slash',
      message: `Mount paths cannot end with a slash (try replacing '${src}' with '${src.replace(/\/+$/, '')}').`,
      fix: { kind: 'remove-trailing-slash', target: 'value' },
    });
  }
  if (isCloudUri(src)) {
    const r = parseStoreUri(src);
    if (!r.ok) ctx.report({ severity: 'error', pointer: p, code: 'uri', message: r.error });
    return;
  }
  if (!ctx.localChecks || src.startsWith('skypilot:') || hasPendingVar(src, ctx.task)) return;
  const abs = resolveLocalPath(src, ctx.baseDir);
  if (pathKind(abs) === 'missing') {
    ctx.report({
      severity: 'error',
      pointer: p,
      code: 'local-missing',
      message: `File mount source '${src}' does not exist locally (${abs}). To fix: check if it exists, and correct the path.`,
    });
  }
}

/** `$NAME` that neither envs nor secrets define stays literal in SkyPilot: worth a hint. */
export function unknownVars(ctx: RuleContext, s: string, p: string, on: 'key' | 'value'): void {
  const envs = isObj(ctx.task.envs) ? ctx.task.envs : {};
  const secrets = isObj(ctx.task.secrets) ? ctx.task.secrets : {};
  for (const name of referencedVars(s)) {
    if (!(name in envs) && !(name in secrets) && !(name in ctx.vars)) {
      ctx.report({
        severity: 'information',
        pointer: p,
        on,
        code: 'unknown-var',
        message: `'$${name}' is not defined in envs or secrets, so it is left as written.`,
      });
    }
  }
}
