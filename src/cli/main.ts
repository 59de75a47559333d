import { Command, CommanderError } from 'commander';
import { EXIT_USAGE, reportError } from './output';
import { verbs } from './verbs';
import pkg from '../../package.json';

/** Each verb file registers its own subcommand and sets the exit code through `ctx.exit`. */
export interface CliContext {
  exit(code: number): void;
}

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
