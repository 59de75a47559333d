import * as fs from 'fs';
import { Command } from 'commander';
import type { CliContext } from './context';
import { secretValues } from '../engine/task/model';
import { validateTask } from '../engine/task/validate';
import { redact, registerSecret } from '../engine/util/redact';
import type { Diagnostic } from '../engine/task/diagnostic';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, printJson } from './output';

interface FileResult {
  file: string;
  diagnostics: Diagnostic[];
  /** Only when the file could not be read (exit code 2). */
  error?: string;
}

/** `sky-vscode validate [--json] [--no-local-checks] FILE...` — exit 0 no errors, 1 errors, 2 usage/IO. */
export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('Validate SkyPilot task YAML files (schema and SkyPilot rules).')
    .argument('<files...>', 'task YAML files')
    .option('--json', 'print one JSON array of {file, diagnostics} on stdout')
    .option('--no-local-checks', 'skip filesystem checks (workdir and local sources exist)')
    .action((files: string[], opts: { json?: boolean; localChecks: boolean }) => {
      const results: FileResult[] = [];
      let io = false;
      for (const file of files) {
        let text: string;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch (err) {
          io = true;
          const msg =
            (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
          results.push({ file, diagnostics: [], error: msg });
          process.stderr.write(`${file}: error: cannot read: ${msg}\n`);
          continue;
        }
        // Diagnostics only: building the task model (what a launch needs) would double the time.
        const checked = validateTask(text, { file, localChecks: opts.localChecks });
        // A rule may quote a value substituted from the task's secrets: those never reach the output.
        for (const v of secretValues(checked.parsed.documents.map((d) => d.value))) registerSecret(v);
        const diagnostics = checked.diagnostics.map((d) => ({ ...d, message: redact(d.message) }));
        // The JSON contract: fix edits are editor data, not part of it.
        results.push({ file, diagnostics: diagnostics.map(({ fix: _fix, ...d }) => d) });
        if (!opts.json) {
          for (const d of diagnostics) {
            const doc = d.document > 0 ? ` (document ${d.document})` : '';
            process.stderr.write(
              `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message}${doc}${d.code ? ` [${d.code}]` : ''}\n`,
            );
          }
        }
      }
      const errors = results.reduce(
        (n, r) => n + r.diagnostics.filter((d) => d.severity === 'error').length,
        0,
      );
      if (opts.json) printJson(results);
      else {
        const warnings = results.reduce(
          (n, r) => n + r.diagnostics.filter((d) => d.severity === 'warning').length,
          0,
        );
        process.stderr.write(`${files.length} file(s): ${errors} error(s), ${warnings} warning(s)\n`);
      }
      ctx.exit(io ? EXIT_USAGE : errors > 0 ? EXIT_FAILURE : EXIT_OK);
    });
}
