import type { SshPool } from '../ssh/connect';
import { execChecked } from '../ssh/exec';
import { JobRecord, JobStatus, writeJob } from './jobs';
import { cancelCommand } from './scripts';

/** Cancels a job on every node: kills its process groups and records CANCELLED on the head. */
export async function cancelJob(
  pool: SshPool,
  nodes: string[],
  job: Pick<JobRecord, 'id'> & Partial<JobRecord>,
): Promise<void> {
  await Promise.all(
    nodes.map(async (a) =>
      execChecked((await pool.get(a)).client, cancelCommand(job.id), `Cancelling job ${job.id} on ${a}`),
    ),
  );
  if (job.taskId) {
    const head = (await pool.get(nodes[0])).client;
    const rec: JobRecord = {
      ...(job as JobRecord),
      status: 'CANCELLED' as JobStatus,
      endedAt: new Date().toISOString(),
    };
    await writeJob(head, rec);
  }
}
