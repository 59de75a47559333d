// Whole-process validation: what a user (or CI) waits for. `sky-vscode validate FILE...` as a fresh
// process against yaml-language-server's language service with the same schema, also a fresh
// process (bench/yamlLsProcess.ts), on the same files in the same run: every file in examples/, the
// task files SkyPilot's package ships (when scripts/setup.sh installed it), generated task files
// from the oracle's corpus up to 592 files, and 20 files of 1,000 file_mounts each. The two take
// turns going first; every round is printed; medians are compared.
// `npx tsc -p . && npm run build && node out/bench/validateProcess.js [rounds]`
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateCorpus } from '../src/test/oracle/taskCorpus';
import { generateMountsTask } from './validate';

const ROOT = path.resolve(__dirname, '..', '..');
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? yamlFiles(path.join(dir, e.name))
        : /\.ya?ml$/.test(e.name)
          ? [path.join(dir, e.name)]
          : [],
    );
}

/** SkyPilot's own example task files inside the installed package (not its k8s manifests). */
function skypilotFiles(): string[] {
  const lib = path.join(ROOT, '.cache/skypilot-venv/lib');
  if (!fs.existsSync(lib)) return [];
  const site = fs
    .readdirSync(lib)
    .map((p) => path.join(lib, p, 'site-packages/sky'))
    .find((p) => fs.existsSync(p));
  return yamlFiles(site ?? '').filter((f) => {
    const t = fs.readFileSync(f, 'utf8');
    return (
      /^(run|setup|resources|file_mounts|pool|service):/m.test(t) && !/^kind:|^apiVersion:|^type:/m.test(t)
    );
  });
}

function corpus(dir: string): { files: string[]; what: string } {
  const examples = yamlFiles(path.join(ROOT, 'examples'));
  const sky = skypilotFiles();
  const generated: string[] = [];
  for (const f of generateCorpus(2000)) {
    if (examples.length + sky.length + generated.length >= 592) break;
    const p = path.join(dir, `gen-${generated.length}.yaml`);
    fs.writeFileSync(p, f.text);
    generated.push(p);
  }
  const big = Array.from({ length: 20 }, (_, i) => {
    const p = path.join(dir, `mounts-${i}.yaml`);
    fs.writeFileSync(p, generateMountsTask(1000));
    return p;
  });
  return {
    files: [...examples, ...sky, ...generated, ...big],
    what: `${examples.length} examples/, ${sky.length} from SkyPilot's package, ${generated.length} generated, 20 × 1,000 file_mounts`,
  };
}

function timed(cmd: string, args: string[]): { ms: number; status: number | null; out: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  return { ms, status: r.status, out: `${r.stdout}${r.stderr}` };
}

function main(): void {
  const rounds = Math.max(5, Number(process.argv[2] ?? 5));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sky-bench-validate-'));
  try {
    const { files, what } = corpus(dir);
    const cli = path.join(ROOT, 'dist', 'cli.js');
    if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: npm run build');
    const anchor = path.join(ROOT, 'out', 'bench', 'yamlLsProcess.js');
    const ours = () => timed(process.execPath, [cli, 'validate', '--no-local-checks', ...files]);
    const theirs = () => timed(process.execPath, [anchor, ...files]);
    console.log(`validate, whole process: ${files.length} files (${what}); node ${process.version}`);
    console.log(
      `load average: ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const first = i % 2 === 0 ? 'ours' : 'yaml-ls';
      let x, y;
      if (i % 2 === 0) {
        x = ours();
        y = theirs();
      } else {
        y = theirs();
        x = ours();
      }
      // sky-vscode validate exits 1 when a file is invalid (about half the generated ones are).
      if (x.status !== 0 && x.status !== 1)
        throw new Error(`sky-vscode validate exited ${x.status}: ${x.out.slice(-2000)}`);
      if (y.status !== 0)
        throw new Error(`yaml-language-server run exited ${y.status}: ${y.out.slice(-2000)}`);
      a.push(x.ms);
      b.push(y.ms);
      console.log(
        `round ${i + 1} (${first} first): sky-vscode ${(x.ms / 1000).toFixed(2)} s, yaml-language-server ${(y.ms / 1000).toFixed(2)} s (${y.out.trim()})`,
      );
    }
    const [ma, mb] = [median(a), median(b)];
    console.log('| what | sky-vscode | yaml-language-server | ratio |');
    console.log('|---|---|---|---|');
    console.log(
      `| validate ${files.length} files, one fresh process | ${(ma / 1000).toFixed(2)} s | ${(mb / 1000).toFixed(2)} s | ${(mb / ma).toFixed(1)}× faster |`,
    );
    console.log(
      `spread: sky-vscode ${(Math.min(...a) / 1000).toFixed(2)}–${(Math.max(...a) / 1000).toFixed(2)} s, yaml-ls ${(Math.min(...b) / 1000).toFixed(2)}–${(Math.max(...b) / 1000).toFixed(2)} s`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
