// The vscode tier: mocha inside a real VS Code extension host (code-server 4.100.3), launched through
// @vscode/test-electron's runTests() with the code-server shim as the VS Code executable.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from '../harness/codeServer';
import { closingLine, readTierResult } from '../harness/tierResult';
import { prepareTierEnvironment } from '../harness/tierEnvironment';
import { removeTestDir } from '../sandbox/proc';

async function main(): Promise<number> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-vscode-tier-'));
  const resultFile = path.join(work, 'result.json');
  // GCS (its fake) with S3 (RGW) and Azure (Azurite): the storage tests cover the three store APIs.
  const env = await prepareTierEnvironment(work, { s3: true, azure: true, gcs: true });
  // A multi-root workspace (one folder) rather than a bare folder: adding a bucket as a second
  // workspace folder (Open in Explorer) then keeps the extension host, and the tests, running.
  const workspaceFile = path.join(work, 'tier.code-workspace');
  fs.writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: env.workspace }] }));
  let code: number;
  try {
    code = await runTests({
      vscodeExecutablePath: path.join(REPO_ROOT, 'scripts', 'code-server-shim'),
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'src', 'test', 'vscode', 'index.js'),
      launchArgs: [
        workspaceFile,
        `--user-data-dir=${path.join(work, 'ud')}`,
        `--extensions-dir=${path.join(work, 'ext')}`,
      ],
      extensionTestsEnv: { ...env.vars, SKY_TIER_RESULT: resultFile },
    }).catch((err: unknown) => {
      process.stderr.write(`vscode tier: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    });
  } finally {
    await env.dispose();
  }
  const counts = readTierResult(resultFile);
  if (counts.failures?.length) process.stdout.write(`failures:\n  ${counts.failures.join('\n  ')}\n`);
  const ok = code === 0 && counts.failed === 0;
  // The tier's folder holds code-server's logs: a failed tier keeps it.
  removeTestDir(work, !ok);
  process.stdout.write(`${closingLine('vscode', counts)}\n`);
  return ok ? 0 : 1;
}

main().then(
  (c) => process.exit(c),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.stdout.write('vscode: 0 passed, 1 failed\n');
    process.exit(1);
  },
);
