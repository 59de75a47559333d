import { loadConfig } from '../engine/config/config';
import { poolFor } from '../engine/launch/run';
import { CancellationSource } from '../engine/util/cancellation';
import type { PromptUi } from '../engine/util/prompt';
import { refusingUi } from '../engine/util/prompt';
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

export function parseKeyValues(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    if (i <= 0) throw new Error(`${flag} takes KEY=VALUE (got '${item}')`);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
