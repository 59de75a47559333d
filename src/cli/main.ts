import { Command, CommanderError } from 'commander';
import { EXIT_USAGE, reportError } from './output';
import { verbs } from './verbs';
import type { CliContext } from './context';
import pkg from '../../package.json';

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const ctx: CliContext = { exit: (c) => (exitCode = c) };
  const program = new Command()
    .name('sky-vscode')
    .description(
      'SkyPilot tasks from the terminal: validate task YAML, manage buckets, launch on SSH clusters.',
    )
    .version(pkg.version, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  for (const register of verbs) register(program, ctx);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return EXIT_USAGE;
    }
    return reportError(err);
  }
  return exitCode;
}
