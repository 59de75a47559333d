// Job records live on the cluster's head under ~/.sky-vscode/jobs/<id>/job.json, so `queue` and
// `logs` work from any machine and after the editor closed.
import type { Client } from 'ssh2';
import { exec, execChecked } from '../ssh/exec';
import { JOBS_DIR, jobDir } from './scripts';

export type JobStatus =
  'PENDING' | 'SETTING_UP' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'FAILED_SETUP' | 'CANCELLED';

export interface JobRecord {
  id: number;
  taskId: string;
  name: string;
  cluster: string;
  kind: 'launch' | 'exec';
  nodes: string[];
  status: JobStatus;
  submittedAt: string;
  startedAt?: string;
  endedAt?: string;
  exitCode?: number;
}

/** Reserves the next job id on the head (mkdir is atomic, so two launches never share an id). */
export async function reserveJobId(head: Client): Promise<number> {
  const r = await execChecked(
    head,
    `mkdir -p ~/${JOBS_DIR} && cd ~/${JOBS_DIR} && n=$(ls -1 | grep -E '^[0-9]+$' | sort -n | tail -1); n=$(( \${n:-0} + 1 )); while ! mkdir "$n" 2>/dev/null; do n=$((n+1)); done; echo $n`,
    'Reserving a job id',
  );
  return Number(r.stdout.trim());
}

export async function writeJob(client: Client, job: JobRecord): Promise<void> {
  await execChecked(
    client,
    `mkdir -p ${jobDir(job.id)} && cat > ${jobDir(job.id)}/job.json.tmp && mv ${jobDir(job.id)}/job.json.tmp ${jobDir(job.id)}/job.json`,
    'Writing the job record',
    {
      stdin: JSON.stringify(job, null, 2),
    },
  );
}

/** Every job on the head; a job whose process is gone without a final status is reported as it ended. */
export async function listJobs(head: Client): Promise<JobRecord[]> {
  const r = await exec(
    head,
    `cd ~/${JOBS_DIR} 2>/dev/null || exit 0; for d in $(ls -1 | grep -E '^[0-9]+$' | sort -n); do [ -f "$d/job.json" ] || continue; printf '%s\\0' "$(cat "$d/job.json")"; if [ -f "$d/cancelled" ]; then c=1; else c=0; fi; alive=0; for f in "$d"/*.pid; do [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && alive=1; done; printf '%s\\0%s\\0%s\\0%s\\0' "$c" "$alive" "$(cat "$d/driver.rc" 2>/dev/null || cat "$d/run.rc" 2>/dev/null)" "$(cat "$d/setup.rc" 2>/dev/null)"; done`,
  );
  const parts = r.stdout.split('\0');
  const jobs: JobRecord[] = [];
  for (let i = 0; i + 4 < parts.length; i += 5) {
    try {
      const job = JSON.parse(parts[i]) as JobRecord;
      const cancelled = parts[i + 1] === '1';
      const alive = parts[i + 2] === '1';
      const rc = parts[i + 3];
      const setupRc = parts[i + 4];
      if (cancelled) job.status = 'CANCELLED';
      else if (
        (job.status === 'RUNNING' || job.status === 'SETTING_UP' || job.status === 'PENDING') &&
        !alive
      ) {
        // Nothing of the job runs and no final status was written (the driver writes one unless the
        // head went down, or it left it to a launcher that then went away): the exit codes on the
        // head tell how it ended — the driver's (every node's) when there was one, else the head's run.
        if (rc !== '') {
          job.status = Number(rc) === 0 ? 'SUCCEEDED' : 'FAILED';
          job.exitCode = Number(rc);
        } else if (setupRc !== '' && Number(setupRc) !== 0) {
          job.status = 'FAILED_SETUP';
          job.exitCode = Number(setupRc);
        }
      }
      jobs.push(job);
    } catch {
      /* a half-written record: skip */
    }
  }
  return jobs;
}
