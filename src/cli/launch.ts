import { Command } from 'commander';
import type { CliContext } from './context';
import { loadConfig } from '../engine/config/config';
import { launchTask } from '../engine/launch/run';
import { LaunchRequest } from '../engine/launch/plan';
import { renderPreview } from '../engine/launch/previewText';
import { createStorageMounter } from '../engine/mounts/attach';
import { UsageError } from '../engine/util/errors';
import { EXIT_FAILURE, printJson, reportError, stderrLog, stderrProgress } from './output';
import { PhaseClock } from '../engine/util/timings';
import { cancelOnSigint, cliUi, collect, parseKeyValues } from './clusterContext';

interface Opts {
  cluster: string;
  workdir?: string;
  env?: string[];
  secret?: string[];
  setup?: boolean;
  dryRun?: boolean;
  offline?: boolean;
  yes?: boolean;
  withFileMounts?: boolean;
  delete?: boolean;
  json?: boolean;
  forceMounts?: boolean;
  timings?: boolean;
}

async function runVerb(kind: 'launch' | 'exec', file: string, opts: Opts, ctx: CliContext): Promise<void> {
  // Origin 0 is the process start: the first phase is what Node and the CLI's own loading cost.
  const clock = opts.timings ? new PhaseClock() : undefined;
  clock?.mark('start-up');
  try {
    const req: LaunchRequest = {
      kind,
      taskFile: file,
      cluster: opts.cluster,
      workdir: opts.workdir,
      env: parseKeyValues(opts.env, '--env'),
      secrets: parseKeyValues(opts.secret, '--secret'),
      noSetup: opts.setup === false,
      withFileMounts: opts.withFileMounts,
      dryRun: opts.dryRun,
      offline: opts.offline,
      syncDelete: opts.delete,
    };
    if (!req.cluster) throw new UsageError('-c/--cluster is required');
    if (opts.offline && !opts.dryRun) throw new UsageError('--offline goes with --dry-run');
    const source = cancelOnSigint();
    const config = loadConfig();
    let multi = false;
    const ui = cliUi(!!opts.yes);
    const result = await launchTask(req, {
      config,
      ui,
      // No prompts for mounts on the CLI: an ambiguous store or a non-empty mount path fails with the choices.
      mountStorage: createStorageMounter({
        config,
        force: opts.forceMounts,
        cluster: req.cluster,
        command: `sky-vscode ${kind} -c ${req.cluster} ${file}`,
      }),
      log: stderrLog,
      progress: stderrProgress(),
      token: source.token,
      timings: clock,
      onJob: (job) => {
        multi = job.nodes.length > 1;
        process.stderr.write(`Job ${job.id} (${job.taskId}) submitted on ${job.cluster}.\n`);
      },
      output: (node, line) => process.stdout.write(`${multi ? `(${node}) ` : ''}${line}\n`),
    });
    if (opts.dryRun && result.preview) {
      if (opts.json) printJson(result.preview);
      else process.stderr.write(renderPreview(result.preview));
      return ctx.exit(0);
    }
    process.stderr.write(`Job ${result.job?.id} ${result.job?.status} (exit code ${result.exitCode}).\n`);
    if (clock) process.stderr.write(`${clock.render()}\n`);
    ctx.exit(
      result.exitCode === 0
        ? 0
        : result.exitCode > 0 && result.exitCode < 256
          ? result.exitCode
          : EXIT_FAILURE,
    );
  } catch (err) {
    ctx.exit(reportError(err));
  }
}

/** Options launch and exec share. */
function withCommonOptions(cmd: Command): Command {
  return cmd
    .argument('<task>', 'task YAML file')
    .requiredOption('-c, --cluster <name>', 'cluster (from ~/.ssh/config, SSH Node Pools or the config)')
    .option('--workdir <dir>', 'override the task workdir')
    .option('--env <K=V>', 'set or override an env var (repeatable)', collect)
    .option('--secret <K=V>', 'set or override a secret (repeatable; never printed)', collect)
    .option('--delete', 'remove files on the nodes that were deleted locally')
    .option(
      '--dry-run',
      'show what would be sent, excluded, deleted and done to buckets, and exit (changes nothing)',
    )
    .option(
      '--offline',
      'with --dry-run: do not ask the nodes or stores (every local file counts as to be sent)',
    )
    .option('--json', 'with --dry-run: the plan as JSON (its shape: docs/reference.md)')
    .option('--force-mounts', 'mount buckets over non-empty directories (their files are kept, hidden)')
    .option('-y, --yes', 'trust unknown host keys when strictHostKeyChecking is ask')
    .option(
      '--timings',
      'print how long each phase took (start-up, connect, submit, sync, run, …) on stderr',
    );
}

export function registerLaunch(program: Command, ctx: CliContext): void {
  withCommonOptions(
    program
      .command('launch')
      .description(
        'Sync the workdir and file_mounts to every node of an SSH cluster, run setup, then run (like sky launch).',
      ),
  )
    .option('--no-setup', 'skip setup')
    .action((file: string, opts: Opts) => runVerb('launch', file, opts, ctx));
  withCommonOptions(
    program
      .command('exec')
      .description('Sync the workdir and run the task on an existing cluster (no setup; like sky exec).'),
  )
    .option('--with-file-mounts', 'also sync local file_mounts (SkyPilot skips them on exec)')
    .action((file: string, opts: Opts) => runVerb('exec', file, opts, ctx));
}
