import type { RuleContext } from '../context';
import { hasPendingVar, substituteVars } from '../envSubst';
import { isObj, ptr } from './common';
import { unknownVars } from './fileMounts';
import { pathKind, resolveLocalPath } from './localPaths';

const GIT_URL = /^(?:https?:\/\/|ssh:\/\/|git:\/\/|file:\/\/|[\w.-]+@[\w.-]+:)/;

/** workdir: a local directory (checked when local checks are on) or a git repository {url, ref}. */
export function workdirRule(ctx: RuleContext): void {
  const w = ctx.task.workdir;
  if (typeof w === 'string') {
    unknownVars(ctx, w, ptr('workdir'), 'value');
    const s = substituteVars(w, ctx.vars);
    if (!ctx.localChecks || hasPendingVar(s, ctx.task)) return;
    const abs = resolveLocalPath(s, ctx.baseDir);
    const kind = pathKind(abs);
    if (kind !== 'dir') {
      ctx.report({
        severity: 'error',
        pointer: ptr('workdir'),
        code: 'workdir',
        message:
          kind === 'missing'
            ? `Workdir must be a valid directory (or a symlink to a directory). ${abs} not found.`
            : `Workdir must be a valid directory (or a symlink to a directory). ${abs} is a file.`,
      });
    }
  } else if (isObj(w) && typeof w.url === 'string') {
    const url = substituteVars(w.url, ctx.vars);
    if (!GIT_URL.test(url)) {
      ctx.report({
        severity: 'warning',
        pointer: ptr('workdir', 'url'),
        code: 'git-url',
        message: `'${url}' does not look like a git URL (https://…, ssh://… or git@host:org/repo.git).`,
      });
    }
  }
}
