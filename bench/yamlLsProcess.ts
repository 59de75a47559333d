// The anchor of bench/validateProcess.ts, run as its own fresh process: yaml-language-server's
// language service (what Red Hat YAML runs) with schemas/task.schema.json validates every file named
// on the command line, one after the other, and prints how many diagnostics it found.
import * as fs from 'fs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { yamlLanguageService } from './anchors';

async function main(): Promise<void> {
  const ls = yamlLanguageService();
  let diagnostics = 0;
  for (const file of process.argv.slice(2)) {
    const doc = TextDocument.create(`file://${file}`, 'yaml', 1, fs.readFileSync(file, 'utf8'));
    diagnostics += (await ls.doValidation(doc, false)).length;
  }
  process.stdout.write(`${process.argv.length - 2} files, ${diagnostics} diagnostics\n`);
}

void main();
