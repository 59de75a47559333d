/**
 * Validation speed: our validator vs yaml-language-server 1.19.2 (in-process language service, same
 * schema) on a generated task.yaml with 1,000 file_mounts and on every file under examples/.
 * Run after `npx tsc -p .`: `node out/bench/validate.js [iterations]`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { yamlLanguageService } from './anchors';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { validateTaskText } from '../src/engine/task/validate';

const ROOT = path.resolve(__dirname, '../..');

/** 1,000 file_mounts: string URIs, local paths and storage objects of every mode, mixed. */
export function generateMountsTask(n = 1000): string {
  const lines = [
    'name: bench-1000-mounts',
    'resources:',
    '  infra: aws',
    '  cpus: 4+',
    'envs:',
    '  BUCKET: bench-bucket',
    'file_mounts:',
  ];
  const modes = ['MOUNT', 'COPY', 'MOUNT_CACHED'];
  for (let i = 0; i < n; i++) {
    switch (i % 5) {
      case 0:
        lines.push(`  /data/s3-${i}: s3://bench-bucket-${i}/prefix/${i}`);
        break;
      case 1:
        lines.push(`  /data/local-${i}: ./data/file-${i}.txt`);
        break;
      case 2:
        lines.push(`  /data/gcs-${i}: gs://$BUCKET-${i}/x`);
        break;
      default: {
        const mode = modes[i % 3];
        lines.push(
          `  /mnt/bucket-${i}:`,
          `    name: bench-bucket-${i}`,
          '    store: s3',
          `    mode: ${mode}`,
        );
        if (i % 2 === 0 || mode === 'COPY') lines.push('    source: ./data');
        if (mode === 'MOUNT_CACHED')
          lines.push(
            '    config:',
            '      mount_cached:',
            '        transfers: 8',
            '        vfs_cache_max_size: 10G',
          );
      }
    }
  }
  lines.push('run: echo done', '');
  return lines.join('\n');
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

async function time(iterations: number, fn: (i: number) => unknown): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < Math.min(5, iterations); i++) await fn(-1 - i); // warm-up (compilation, schema load)
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

const yamlLs = yamlLanguageService;

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 30);
  const ls = yamlLs();
  const cases: Array<{ label: string; text: string; file: string; iterations: number }> = [
    {
      label: '1,000 file_mounts',
      text: generateMountsTask(1000),
      file: path.join(ROOT, 'bench/generated-task.yaml'),
      iterations,
    },
  ];
  const walk = (d: string): string[] =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory() ? walk(path.join(d, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(d, e.name)] : [],
      );
  const examples = walk(path.join(ROOT, 'examples')).sort();
  cases.push({
    label: `all examples/ (${examples.length} files)`,
    text: '',
    file: '',
    iterations: iterations * 3,
  });
  console.log(
    `node ${process.version}, ${iterations} iterations (examples: ${iterations * 3}), after warm-up; times in ms`,
  );
  console.log(
    ['case', 'ours p50', 'ours p95', 'yaml-ls p50', 'yaml-ls p95', 'p50 ratio (yaml-ls / ours)'].join(' | '),
  );
  let version = 0;
  for (const c of cases) {
    const texts = c.text
      ? [{ file: c.file, text: c.text }]
      : examples.map((f) => ({ file: f, text: fs.readFileSync(f, 'utf8') }));
    let ourCount = 0;
    let lsCount = 0;
    const ours = await time(c.iterations, () => {
      for (const t of texts)
        ourCount += validateTaskText(t.text, { file: t.file, localChecks: false }).length;
    });
    const theirs = await time(c.iterations, async () => {
      for (const t of texts) {
        // A new version each time: the language service caches parsed documents by URI and version.
        const doc = TextDocument.create(
          `file://${t.file.replace(/\.ya?ml$/, '')}-${version++}.yaml`,
          'yaml',
          1,
          t.text,
        );
        lsCount += (await ls.doValidation(doc, false)).length;
      }
    });
    console.log(
      [
        c.label,
        ours.p50.toFixed(2),
        ours.p95.toFixed(2),
        theirs.p50.toFixed(2),
        theirs.p95.toFixed(2),
        `${(theirs.p50 / ours.p50).toFixed(1)}x`,
      ].join(' | '),
    );
    if (process.env.BENCH_DEBUG) console.log(`  diagnostics: ours ${ourCount}, yaml-ls ${lsCount}`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
