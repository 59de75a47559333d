// Loaded by VS Code as extensionTestsPath: runs every compiled src/test/vscode/**/*.test.js in the host.
import * as path from 'path';
import { findCompiled, runMochaInHost } from '../harness/mochaInHost';

export async function run(): Promise<void> {
  await runMochaInHost('vscode', findCompiled(path.resolve(__dirname), '.test.js'), 60_000);
}
