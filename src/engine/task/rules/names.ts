import type { RuleContext } from '../context';
import { ptr } from './common';

/** sky/task.py::_VALID_NAME_REGEX: alphanumeric runs joined by one or two of `.`, `_`, `-`. */
export const TASK_NAME_RE = /^[a-zA-Z0-9]+(?:[._-]{1,2}[a-zA-Z0-9]+)*$/;

export function taskNameRule(ctx: RuleContext): void {
  const name = ctx.task.name;
  if (typeof name !== 'string') return;
  if (!TASK_NAME_RE.test(name)) {
    ctx.report({
      severity: 'error',
      pointer: ptr('name'),
      code: 'task-name',
      message: `Invalid task name '${name}': use letters and digits separated by at most two of '.', '_' or '-', starting and ending with a letter or digit.`,
    });
  }
}
