// Whole-process mode of bench/sync.ts: what a user waits for. `sky-vscode exec` of `run: "true"`
// as a fresh process (start-up, connect, submit, sync, run, exit code) against SkyPilot's workdir
// sync alone, `rsync -Pavz --filter='dir-merge,- .gitignore'`, as a fresh process, on the same
// sandbox node in the same run (the one-node rows on a one-node cluster, as the anchor reaches one). Rules kept here: the two take turns going first, at least 5 rounds
// per case, every round printed, medians compared; the synced trees are checked identical
// (`diff -r` against rsync's copy); the machine's load is printed with the spread of the rounds.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Sandbox } from '../src/test/sandbox';

interface Round {
  ours: number;
  rsync: number;
  /** From `--timings`: what the job itself added after the sync (start, run, finish). */
  job?: number;
  phases?: string;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function cliPath(): string {
  // SKY_BENCH_CLI: another build (e.g. main's, for before/after figures).
  if (process.env.SKY_BENCH_CLI) return path.resolve(process.env.SKY_BENCH_CLI);
  const root = path.join(__dirname, '..', '..');
  const dist = path.join(root, 'dist', 'cli.js');
  const built = path.join(root, 'out', 'src', 'cli.js');
  // The bundle is what users run; the tsc output when the bundle is missing or older.
  if (fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= fs.statSync(built).mtimeMs) return dist;
  return built;
}

/** Sums the phases of a `Timings:` line after `sync` (the job's own cost beyond the sync). */
function jobPart(stderr: string): { job?: number; phases?: string } {
  const line = stderr.split('\n').find((l) => l.startsWith('Timings: '));
  if (!line) return {};
  const phases = [...line.matchAll(/([a-z -]+?) (\d+) ms/g)].map((m) => ({
    name: m[1].trim(),
    ms: Number(m[2]),
  }));
  const i = phases.findIndex((p) => p.name === 'sync');
  const job = phases
    .slice(i + 1)
    .filter((p) => p.name !== 'total')
    .reduce((a, p) => a + p.ms, 0);
  return { job, phases: line.slice('Timings: '.length) };
}

export async function processMode(sb: Sandbox, src: string, rounds: number): Promise<void> {
  const env = sb.env();
  sb.writeSkyConfig();
  const cli = cliPath();
  const work = path.dirname(src);
  const task = (nodes: number) => {
    const f = path.join(work, `task-${nodes}.yaml`);
    fs.writeFileSync(f, `num_nodes: ${nodes}\nworkdir: ${JSON.stringify(src)}\nrun: "true"\n`);
    return f;
  };
  const tasks = { 1: task(1), 2: task(2) };
  const home = sb.ssh!.nodes[0].home;
  const help = spawnSync(process.execPath, [cli, 'exec', '--help'], { encoding: 'utf8' }).stdout;
  const timings = help.includes('--timings') ? ['--timings'] : [];
  // The one-node rows run on a one-node cluster, the head alone (as the anchor's rsync reaches one
  // node): `exec` syncs the workdir to every node of its cluster, as SkyPilot's does. A second Host
  // block for the head, named like a SkyPilot cluster, is such a cluster.
  const sshConfig = sb.ssh!.sshConfigPath;
  const headBlock = /^Host sky-sbx\n(?:[ \t]+.*\n?)+/m.exec(fs.readFileSync(sshConfig, 'utf8'))?.[0];
  if (!headBlock) throw new Error(`no Host sky-sbx block in ${sshConfig}`);
  fs.appendFileSync(sshConfig, `\n${headBlock.replace(/^Host sky-sbx/, 'Host sky-one').trimEnd()}\n`);
  const exec = (nodes: 1 | 2): { ms: number; stderr: string } => {
    const cluster = nodes === 1 ? 'sky-one' : 'sky-sbx';
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [cli, 'exec', '-c', cluster, ...timings, tasks[nodes]], {
      env,
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`sky-vscode exec failed (${r.status}): ${r.stderr}`);
    return { ms, stderr: r.stderr };
  };
  const rsync = (): number => {
    const t = process.hrtime.bigint();
    execFileSync(
      'rsync',
      [
        '-Pavz',
        '--filter=dir-merge,- .gitignore',
        '-e',
        `ssh -F ${sb.ssh!.sshConfigPath}`,
        `${src}/`,
        'sky-sbx:bench-rsync/',
      ],
      { stdio: 'ignore' },
    );
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  // Files created soon after a deletion cost several times the CPU on this ext4 disk (inode reuse,
  // see docs/performance.md): the first-sync rounds start 35 s after the last round's trees went.
  const clean = () => {
    for (const d of ['sky_workdir', 'bench-rsync'])
      fs.rmSync(path.join(home, d), { recursive: true, force: true });
    execFileSync('sync');
    execFileSync('sleep', ['35']);
  };
  // Between the two tools of a round: the first one's writes are flushed before the second starts,
  // so neither pays for the other's writeback.
  const settle = () => execFileSync('sync');
  let touched = 0;
  const change10 = () => {
    for (let k = 0; k < 10; k++, touched++) {
      const i = (touched * 2 + 1) % 1000;
      fs.appendFileSync(path.join(src, `d${i % 20}`, `s${i % 7}`, `f${i}.txt`), `changed ${touched}\n`);
    }
  };
  const cases: { name: string; goal: string; before?: () => void; nodes: 1 | 2 }[] = [
    { name: 'first sync', goal: '≤ 1.0×', before: clean, nodes: 1 },
    { name: 'nothing changed', goal: '≤ 1.5×', nodes: 1 },
    { name: '10 files changed', goal: '≤ 1.5×', before: change10, nodes: 1 },
    { name: 'nothing changed, 2-node cluster', goal: '—', nodes: 2 },
  ];
  const load0 = os.loadavg()[0];
  // Warm-up (page cache, sshd, the CLI's files): one untimed round of each.
  clean();
  exec(1);
  rsync();
  const results: { name: string; goal: string; rounds: Round[] }[] = [];
  for (const c of cases) {
    const rs: Round[] = [];
    if (c.name !== 'first sync') {
      exec(c.nodes);
      rsync();
    }
    for (let i = 0; i < rounds; i++) {
      c.before?.();
      let ours!: { ms: number; stderr: string };
      let theirs!: number;
      if (i % 2 === 0) {
        ours = exec(c.nodes);
        settle();
        theirs = rsync();
      } else {
        theirs = rsync();
        settle();
        ours = exec(c.nodes);
      }
      const round = { ours: ours.ms, rsync: theirs, ...jobPart(ours.stderr) };
      rs.push(round);
      process.stdout.write(
        `${c.name} round ${i + 1}: exec ${secs(round.ours)}, rsync ${secs(round.rsync)}; ${round.phases ?? ''}\n`,
      );
    }
    results.push({ name: c.name, goal: c.goal, rounds: rs });
  }
  // Same tree on the node as rsync's copy (rsync -a keeps more metadata: contents and names only).
  const diff = spawnSync('diff', ['-r', path.join(home, 'sky_workdir'), path.join(home, 'bench-rsync')], {
    encoding: 'utf8',
  });
  process.stdout.write(
    diff.status === 0
      ? 'diff -r ~/sky_workdir ~/bench-rsync: identical\n'
      : `DIFFERENT:\n${diff.stdout.slice(0, 2000)}\n`,
  );
  process.stdout.write(
    `\nWhole process (${path.relative(process.cwd(), cli)}; ${rounds} rounds, medians; load average ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)\n\n` +
      '| case | sky-vscode exec | rsync -Pavz | exec/rsync | goal | job after sync (median) | exec spread (min–max) |\n|---|---|---|---|---|---|---|\n',
  );
  for (const r of results) {
    const o = median(r.rounds.map((x) => x.ours));
    const t = median(r.rounds.map((x) => x.rsync));
    const jobs = r.rounds.map((x) => x.job).filter((x): x is number => x !== undefined);
    const all = r.rounds.map((x) => x.ours);
    process.stdout.write(
      `| ${r.name} | ${secs(o)} | ${secs(t)} | ${(o / t).toFixed(2)}× | ${r.goal} | ${jobs.length ? `${Math.round(median(jobs))} ms` : '—'} | ${secs(Math.min(...all))}–${secs(Math.max(...all))} |\n`,
    );
  }
  if (diff.status !== 0) throw new Error('the synced trees differ');
}
