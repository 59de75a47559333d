/** What every verb file gets: each registers its own subcommand and sets the exit code through `exit`. */
export interface CliContext {
  exit(code: number): void;
}
