// The scripts a job runs on each node: SkyPilot's wrapper (bashrc, PYTHONUNBUFFERED, cd ~/sky_workdir,
// exported envs) around the user's setup or run, started detached so the job outlives the editor.
import { exportLines } from './env';
import { shellQuote } from '../ssh/quote';
import { SkyError } from '../util/errors';

export const JOBS_DIR = '.sky-vscode/jobs';

/**
 * A job id as a positive integer, or a clear error naming where it came from. Job ids go into
 * every remote command of a job (its folder), so anything else is refused where it is read.
 */
export function parseJobId(value: unknown, from: string): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const id = /^[1-9][0-9]{0,14}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id))
    throw new SkyError(
      'job-id',
      `Invalid job id ${JSON.stringify(typeof value === 'string' || typeof value === 'number' ? value : String(value))} from ${from}: a job id is a positive integer.`,
    );
  return id;
}

export function jobDir(jobId: number): string {
  return `~/${JOBS_DIR}/${parseJobId(jobId, 'the job record')}`;
}

/** The user script wrapped like SkyPilot's make_task_bash_script; secrets come from the 0600 env file. */
export function wrapScript(userScript: string, publicEnv: Record<string, string>): string {
  return [
    '#!/bin/bash',
    'source ~/.bashrc >/dev/null 2>&1 || true',
    'export PYTHONUNBUFFERED=1',
    'mkdir -p ~/sky_workdir && cd ~/sky_workdir',
    exportLines(publicEnv),
    // User envs and secrets: sourced from a file only the user can read, never on a command line.
    'set -a; . "$SKY_JOB_DIR/env"; set +a',
    userScript,
    '',
  ].join('\n');
}

/** Where a job's per-node logs are kept on the head: SkyPilot's `~/sky_logs/<run>/tasks/`. */
export function headLogDir(taskId: string): string {
  return `~/sky_logs/${shellQuote(taskId.split('_')[0])}/tasks`;
}

/**
 * Starts `<phase>.sh` detached in its own session (setsid: its own process group, so cancel can kill
 * everything it started), writing `<phase>.log`, `<phase>.pid` and, when it ends, `<phase>.rc`; then
 * appends the phase's name to `started`, which a follow waiting for the start blocks on.
 * The wrapper holds an exclusive flock on `<phase>.lock` from before it starts until it exits (also
 * when killed): waiters block on it instead of polling (see phaseEndedCommand). The user's script
 * does not inherit the lock, so a daemon it leaves behind does not hold the phase open.
 */
export function startDetachedCommand(jobId: number, phase: string): string {
  const d = jobDir(jobId);
  return [
    `cd ${d}`,
    // A cancel touches `cancelled` first: a start that arrives after it (from the driver) does nothing.
    '[ -f cancelled ] && exit 0',
    `rm -f ${phase}.rc`,
    // Taken here, before the wrapper exists, so no waiter can see the lock free before the phase ran.
    `if command -v flock > /dev/null; then exec 9> ${phase}.lock && flock 9; fi`,
    `SKY_JOB_DIR=$PWD setsid nohup bash -c 'bash ./${phase}.sh 9>&- > ./${phase}.log 2>&1; echo $? > ./${phase}.rc.tmp; mv ./${phase}.rc.tmp ./${phase}.rc' > /dev/null 2>&1 < /dev/null &`,
    'exec 9>&-',
    // Written whole (tmp + mv): a follow waiting for the phase to start never reads an empty pid.
    `echo $! > ${phase}.pid.tmp && mv ${phase}.pid.tmp ${phase}.pid`,
    `echo ${phase} >> started`,
    `cat ${phase}.pid`,
  ].join('\n');
}

/**
 * Blocks until `<phase>` has ended on this node (`$pid` holds its pid): a shared flock on its lock
 * is granted the moment the wrapper exits. A phase started without a lock (by an older version, or
 * on a node without flock) is polled as before.
 */
export function phaseEndedCommand(phase: string): string {
  return [
    `if [ -f ${phase}.lock ] && command -v flock > /dev/null; then flock -s ${phase}.lock true`,
    `else ${pollEnd(phase)}; fi`,
  ].join('\n');
}

function pollEnd(phase: string): string {
  return `while [ ! -f ${phase}.rc ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.5; done`;
}

/**
 * Streams `<phase>.log` until the phase ends, then prints a marker line with its exit code. With
 * `waitStart` (the driver starts the phase) it first waits up to 2 minutes for the phase to start;
 * a phase that never starts there ends with exit 3. Nothing here sleeps on a fixed interval: the
 * start is seen through `started` (tail -f, inotify), the end through the phase's lock, and tail is
 * woken (touch) the moment its writer is gone, so it prints the rest of the log and exits at once.
 */
export function followCommand(jobId: number, phase: string, fromStart = true, waitStart = false): string {
  const d = jobDir(jobId);
  const from = fromStart ? '+1' : '0';
  return [
    `cd ${d} || exit 3`,
    ...(waitStart
      ? [
          'touch started',
          `timeout 120 tail -n +1 -f started 2>/dev/null | grep -qxm1 -e ${phase} -e cancelled`,
          `[ -f ${phase}.pid ] || [ -f cancelled ] || exit 3`,
        ]
      : []),
    `pid=$(cat ${phase}.pid 2>/dev/null)`,
    `touch ${phase}.log`,
    `if [ -f ${phase}.lock ] && command -v flock > /dev/null; then`,
    `  flock -s ${phase}.lock true & w=$!`,
    `  tail -n ${from} -F --pid="$w" ${phase}.log 2>/dev/null & t=$!`,
    `  wait "$w"; touch ${phase}.log; wait "$t"`,
    `elif [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then tail -n ${from} -F --pid="$pid" ${phase}.log 2>/dev/null`,
    `  ${pollEnd(phase)}`,
    `else cat ${phase}.log; fi`,
    `printf '\\n__SKY_RC__%s\\n' "$(cat ${phase}.rc 2>/dev/null || echo 137)"`,
  ].join('\n');
}

/** Exits 0 when the phase was started on this node (its pid file is there). */
export function phaseStartedCommand(jobId: number, phase: 'setup' | 'run'): string {
  return `[ -f ${jobDir(jobId)}/${phase}.pid ]`;
}

/** The phase's log so far (nothing when there is none). */
export function phaseLogCommand(jobId: number, phase: 'setup' | 'run'): string {
  return `cat ${jobDir(jobId)}/${phase}.log 2>/dev/null`;
}

/** Kills every process group the job started on this node (TERM, then KILL). */
export function cancelCommand(jobId: number): string {
  const d = jobDir(jobId);
  return [
    `cd ${d} 2>/dev/null || exit 0`,
    // First, so the driver never starts a next phase once the cancel began.
    'touch cancelled',
    // Wakes a follow that waits for a phase to start.
    'echo cancelled >> started',
    'for f in *.pid; do [ -f "$f" ] || continue; p=$(cat "$f"); kill -TERM -- -"$p" 2>/dev/null; done',
    'sleep 1',
    'for f in *.pid; do [ -f "$f" ] || continue; p=$(cat "$f"); kill -KILL -- -"$p" 2>/dev/null; done',
    'for f in *.pid; do ph=${f%.pid}; [ -f "$ph.rc" ] || echo 143 > "$ph.rc"; done',
  ].join('\n');
}
