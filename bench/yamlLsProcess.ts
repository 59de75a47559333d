// The anchor of bench/validateProcess.ts, run as its own fresh process: yaml-language-server's
// language service (what Red Hat YAML runs) with schemas/task.schema.json validates every file named
// on the command line, one after the other, and prints how many diagnostics it found.
import * as fs from 'fs';
import { getLanguageService } from 'yaml-language-server';
import { TextDocument } from 'vscode-languageserver-textdocument';
import taskSchema from '../schemas/task.schema.json';

async function main(): Promise<void> {
  const ls = getLanguageService({
    schemaRequestService: () => Promise.reject(new Error('no remote schemas in the benchmark')),
    workspaceContext: { resolveRelativePath: (rel, res) => new URL(rel, res).toString() },
  });
  ls.configure({
    validate: true,
    completion: false,
    hover: false,
    schemas: [
      {
        uri: 'file:///schemas/task.schema.json',
        fileMatch: ['*.yaml', '*.yml'],
        schema: taskSchema as never,
      },
    ],
  });
  let diagnostics = 0;
  for (const file of process.argv.slice(2)) {
    const doc = TextDocument.create(`file://${file}`, 'yaml', 1, fs.readFileSync(file, 'utf8'));
    diagnostics += (await ls.doValidation(doc, false)).length;
  }
  process.stdout.write(`${process.argv.length - 2} files, ${diagnostics} diagnostics\n`);
}

void main();
