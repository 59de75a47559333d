// Entry point of the `sky-vscode` CLI: the same engine as the extension, for terminals and CI.
import { main } from './cli/main';

// The AWS SDK warns on every run that its 2027 releases need Node 22; that is about future
// upgrades, not this run, so it is kept out of the CLI's output. Other warnings still show.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!`${w.name} ${w.message}`.includes('NodeVersionSupportWarning'))
    process.stderr.write(`${w.name}: ${w.message}\n`);
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sky-vscode: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 2;
  },
);
