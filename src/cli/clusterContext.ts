import { loadConfig } from '../engine/config/config';
import { poolFor } from '../engine/cluster/pool';
import { CancellationSource } from '../engine/util/cancellation';
import type { PromptUi } from '../engine/util/prompt';
import { refusingUi } from '../engine/util/prompt';
import { registerSecret } from '../engine/util/redact';
import { parseJobId } from '../engine/launch/scripts';
import { UsageError } from '../engine/util/errors';
import { stderrLog } from './output';

/** Ctrl-C cancels the running operation once; a second Ctrl-C exits at once. */
export function cancelOnSigint(): CancellationSource {
  const source = new CancellationSource();
  let count = 0;
  process.on('SIGINT', () => {
    count++;
    if (count > 1) process.exit(130);
    process.stderr.write('\nCancelling… (Ctrl-C again to exit now)\n');
    source.cancel();
  });
  return source;
}

/** The CLI asks nothing interactively: host keys follow strictHostKeyChecking ('ask' refuses unknown keys here). */
export function cliUi(yes: boolean): PromptUi {
  return { ...refusingUi, confirm: async () => yes };
}

export function clusterSession(yes = false) {
  const config = loadConfig();
  const ui = cliUi(yes);
  const { pool, inventory } = poolFor(config, { ui, log: stderrLog });
  return { config, ui, pool, inventory };
}

/**
 * `--env`/`--secret` KEY=VALUE items. Secret values are registered for redaction here, before the
 * task is read: a rule that quotes a substituted value must never print one.
 */
export function parseKeyValues(
  list: string[] | undefined,
  flag: '--env' | '--secret',
): Record<string, string> {
  const out: Record<string, string> = {};
  const secret = flag === '--secret';
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    if (secret) registerSecret(i >= 0 ? item.slice(i + 1) : item);
    if (i <= 0)
      throw new UsageError(
        `${flag} takes KEY=VALUE (got ${secret ? 'an item without a key' : `'${item}'`}).`,
      );
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

/** A job id typed on the command line: a positive integer, else a usage error. */
export function jobIdArgument(arg: string): number {
  try {
    return parseJobId(arg, 'the command line');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
