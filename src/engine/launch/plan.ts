// The launch plan: the request, the task it reads and checks, and the steps it will take on which
// nodes, in SkyPilot's order (reference §3.8), before any node is touched.
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from 'ssh2';
import type { SkyConfig } from '../config/config';
import type { Cluster, ClusterNode } from '../cluster/clusters';
import type { SshPool } from '../ssh/connect';
import { describeMount } from '../mounts/describe';
import { parseTask } from '../task/model';
import type { Task, FileMount } from '../task/model';
import type { CancellationToken } from '../util/cancellation';
import { SkyError, UsageError } from '../util/errors';
import type { LogSink } from '../util/log';
import type { PromptUi } from '../util/prompt';
import type { ProgressSink } from '../util/progress';
import type { JobRecord } from './jobs';
import { registerSecret } from '../util/redact';

export const REMOTE_WORKDIR = '~/sky_workdir';

export interface LaunchRequest {
  kind: 'launch' | 'exec';
  taskFile: string;
  cluster: string;
  workdir?: string;
  env?: Record<string, string>;
  secrets?: Record<string, string>;
  noSetup?: boolean;
  withFileMounts?: boolean;
  dryRun?: boolean;
  /** With dryRun: do not connect to the nodes or the stores (every local file counts as to be sent). */
  offline?: boolean;
  /** Remove files on the nodes that were deleted locally (opt-in, SkyPilot #8096). */
  syncDelete?: boolean;
}

export interface LaunchDeps {
  config: SkyConfig;
  ui?: PromptUi;
  log?: LogSink;
  progress?: ProgressSink;
  token?: CancellationToken;
  /** One line of job output from a node (already redacted). */
  output?: (node: string, line: string) => void;
  pool?: SshPool;
  /** Called as soon as the job id is known (the UI shows it, cancel needs it). */
  onJob?: (job: JobRecord) => void;
  /** Attaches cloud-storage file_mounts (uri/storage entries); absent → such mounts are refused. */
  mountStorage?: MountStorage;
  /** Told as each phase of the launch ends (for `--timings` and the extension's log). */
  timings?: { mark(phase: string): void };
}

/**
 * Extension point for storage mounts (reference §3.3 order: after local file_mounts, before
 * setup). The mounts engine fills it in two steps: first, before any node is touched, it resolves
 * the mounts on this machine (store, credentials, bucket checks and uploads) and returns the
 * second step, which launch calls with the connected nodes.
 */
export type MountStorage = (
  mounts: Exclude<FileMount, { kind: 'local' }>[],
  ctx: { task: Task; token: CancellationToken; progress: ProgressSink; log: LogSink },
) => Promise<AttachStorage>;

export type AttachStorage = (nodes: { node: ClusterNode; client: Client }[]) => Promise<{
  flush(say: (node: string, line: string) => void, token: CancellationToken): Promise<void>;
} | void>;

export interface PlannedStep {
  phase: string;
  detail: string;
  nodes: string[];
}

export interface LaunchPlan {
  cluster: Cluster;
  allNodes: ClusterNode[];
  runNodes: ClusterNode[];
  workdir?: string;
  mounts: FileMount[];
  storageMounts: Exclude<FileMount, { kind: 'local' }>[];
  plan: PlannedStep[];
}

/** The task file, read and checked, with its final env values (secrets registered for redaction). */
export function readTask(req: LaunchRequest): {
  task: Task;
  envs: Record<string, string>;
  secrets: Record<string, string>;
} {
  const task = loadTask(req);
  return { task, ...resolveEnv(task, req) };
}

function loadTask(req: LaunchRequest): Task {
  let text: string;
  try {
    text = fs.readFileSync(req.taskFile, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read ${req.taskFile}: ${(err as Error).message}`);
  }
  // Secrets are masked before anything can quote them: a rule's message may hold a substituted value.
  for (const v of Object.values(req.secrets ?? {})) registerSecret(v);
  const overrides = { ...(req.env ?? {}), ...(req.secrets ?? {}) };
  const parsed = parseTask(text, { file: req.taskFile, env: overrides });
  for (const t of parsed.tasks) for (const v of Object.values(t.secrets)) registerSecret(v);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const first = errors
      .slice(0, 5)
      .map((d) => `${req.taskFile}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`)
      .join('\n');
    throw new SkyError('task-invalid', `The task is invalid (${errors.length} error(s)):\n${first}`);
  }
  if (parsed.tasks.length !== 1)
    throw new UsageError(
      `${req.taskFile} has ${parsed.tasks.length} tasks; launch takes a single task (pipelines are not supported here).`,
    );
  return parsed.tasks[0];
}

/** Final env values: task envs/secrets with --env/--secret overrides; a null left over is an error (SkyPilot's "required" envs). */
function resolveEnv(
  task: Task,
  req: LaunchRequest,
): { envs: Record<string, string>; secrets: Record<string, string> } {
  const envs: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(task.envs)) {
    const value = req.env?.[k] ?? v;
    if (value === null || value === undefined)
      throw new UsageError(`Environment variable '${k}' is None. Please set a value with --env ${k}=VALUE.`);
    envs[k] = String(value);
  }
  for (const [k, v] of Object.entries(req.env ?? {})) envs[k] = v;
  for (const [k, v] of Object.entries(task.secrets)) {
    const value = req.secrets?.[k] ?? v;
    if (value === null || value === undefined)
      throw new UsageError(`Secret '${k}' is None. Please set a value with --secret ${k}=VALUE.`);
    secrets[k] = String(value);
  }
  for (const [k, v] of Object.entries(req.secrets ?? {})) secrets[k] = v;
  for (const v of Object.values(secrets)) registerSecret(v);
  return { envs, secrets };
}

/**
 * What a launch will do on which nodes, worked out before anything is connected: the workdir, the
 * file_mounts (storage ones only when a mounter is given), setup and run.
 */
export function planLaunch(
  req: LaunchRequest,
  task: Task,
  cluster: Cluster,
  opts: { config: SkyConfig; mountsStorage: boolean },
): LaunchPlan {
  if (task.numNodes > cluster.nodes.length) {
    throw new UsageError(
      `The task needs ${task.numNodes} nodes but cluster ${cluster.name} has ${cluster.nodes.length} (${cluster.nodes.map((n) => n.alias).join(', ')}).`,
    );
  }
  const allNodes = cluster.nodes;
  const runNodes = allNodes.slice(0, task.numNodes);
  const workdir = req.workdir
    ? path.resolve(req.workdir)
    : task.workdir?.kind === 'local'
      ? task.workdir.localPath
      : undefined;
  if (task.workdir?.kind === 'git' && !req.workdir)
    throw new UsageError(
      'Git workdirs ({url, ref}) are not supported on SSH clusters yet; use a local workdir or --workdir.',
    );
  if (workdir && !fs.statSync(workdir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(
      `Workdir must be a valid directory (or a symlink to a directory). ${workdir} not found.`,
    );
  }
  const syncMounts = req.kind === 'launch' || !!req.withFileMounts;
  const mounts = syncMounts ? task.fileMounts : [];
  const storageMounts = mounts.filter((m): m is Exclude<FileMount, { kind: 'local' }> => m.kind !== 'local');
  const unsupported = opts.mountsStorage ? [] : storageMounts;
  if (unsupported.length) {
    throw new SkyError(
      'mounts-unsupported',
      `This version syncs local file_mounts only; ${unsupported.map((m) => `${m.dst} (${m.kind})`).join(', ')} cannot be attached on SSH clusters yet.`,
      { hint: 'Remove those entries or mount the bucket from your run script.' },
    );
  }
  const names = allNodes.map((n) => n.alias);
  const plan: PlannedStep[] = [];
  if (workdir)
    plan.push({ phase: 'Syncing workdir', detail: `${workdir} → ${REMOTE_WORKDIR}`, nodes: names });
  for (const m of mounts)
    plan.push({
      phase: m.kind === 'local' ? 'File mounts' : 'Storage mounts',
      detail:
        m.kind === 'local'
          ? `${m.localPath} → ${m.remotePath}`
          : describeMount(m, { nodes: allNodes.length, defaultStore: opts.config.defaultStore }).summary,
      nodes: names,
    });
  if (req.kind === 'launch' && task.setup && !req.noSetup)
    plan.push({ phase: 'Setup', detail: 'setup script', nodes: names });
  if (task.run) plan.push({ phase: 'Running', detail: 'run script', nodes: runNodes.map((n) => n.alias) });
  return { cluster, allNodes, runNodes, workdir, mounts, storageMounts, plan };
}
