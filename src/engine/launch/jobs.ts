// Job records live on the cluster's head under ~/.sky-vscode/jobs/<id>/job.json, so `queue` and
// `logs` work from any machine and after the editor closed.
import * as crypto from 'crypto';
import type { Client } from 'ssh2';
import { exec, execChecked } from '../ssh/exec';
import { JOBS_DIR, jobDir, parseJobId } from './scripts';
import { SkyError } from '../util/errors';

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

/**
 * Submits a job in one round trip: reserves the next id (mkdir is atomic, so two launches never share one) and writes its first record.
 * The record goes up with a random placeholder where the id belongs (in `id` and in `taskId`, which
 * taskIdOf makes from an id), and the head replaces it with the id it got.
 */
export async function submitJob(
  head: Client,
  fields: Omit<JobRecord, 'id' | 'taskId'>,
  taskIdOf: (id: number | string) => string,
): Promise<JobRecord> {
  const token = `SKYJOBID${crypto.randomBytes(8).toString('hex').toUpperCase()}`;
  const draft = JSON.stringify({ id: token, taskId: taskIdOf(token), ...fields }, null, 2);
  const r = await execChecked(
    head,
    `mkdir -p ~/${JOBS_DIR} && cd ~/${JOBS_DIR} && n=$(ls -1 | grep -E '^[0-9]+$' | sort -n | tail -1); n=$(( \${n:-0} + 1 )); while ! mkdir "$n" 2>/dev/null; do n=$((n+1)); done; ` +
      `sed -e 's/"${token}"/'"$n"'/' -e 's/${token}/'"$n"'/' > "$n/job.json.tmp" && mv "$n/job.json.tmp" "$n/job.json" && echo $n`,
    'Submitting the job',
    { stdin: draft },
  );
  const id = parseJobId(r.stdout.trim(), `the head's reply when submitting the job`);
  return { id, taskId: taskIdOf(id), ...fields };
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
    `cd ~/${JOBS_DIR} 2>/dev/null || exit 0; for d in $(ls -1 | grep -E '^[0-9]+$' | sort -n); do [ -f "$d/job.json" ] || continue; printf '%s\\0%s\\0' "$d" "$(cat "$d/job.json")"; if [ -f "$d/cancelled" ]; then c=1; else c=0; fi; alive=0; for f in "$d"/*.pid; do [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && alive=1; done; printf '%s\\0%s\\0%s\\0%s\\0' "$c" "$alive" "$(cat "$d/driver.rc" 2>/dev/null || cat "$d/run.rc" 2>/dev/null)" "$(cat "$d/setup.rc" 2>/dev/null)"; done`,
  );
  const parts = r.stdout.split('\0');
  const jobs: JobRecord[] = [];
  for (let i = 0; i + 5 < parts.length; i += 6) {
    const [dir, text, cancelledFlag, aliveFlag, rc, setupRc] = parts.slice(i, i + 6);
    let job: JobRecord;
    try {
      job = JSON.parse(text) as JobRecord;
    } catch {
      continue; // a half-written record: skip
    }
    // The id read back goes into later commands on the nodes: it must be the number of its folder.
    const file = `~/${JOBS_DIR}/${dir}/job.json`;
    const id = parseJobId(job?.id, `${file} on the cluster's head`);
    if (String(id) !== dir)
      throw new SkyError('job-id', `${file} on the cluster's head says it is job ${id}, not job ${dir}.`, {
        hint: 'Fix or remove that job record on the head.',
      });
    job.id = id;
    if (cancelledFlag === '1') job.status = 'CANCELLED';
    else if (
      (job.status === 'RUNNING' || job.status === 'SETTING_UP' || job.status === 'PENDING') &&
      aliveFlag !== '1'
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
  }
  return jobs;
}
