// SkyPilot's environment for setup and run (reference §3.9).
import * as os from 'os';

export interface NodeEnvInput {
  cluster: string;
  taskId: string;
  jobId: number;
  rank: number;
  ips: string[];
  numNodes: number;
  gpusPerNode: number;
  phase: 'setup' | 'run';
  user?: string;
}

/** `sky-YYYY-MM-DD-HH-MM-SS-ffffff`, SkyPilot's run timestamp. */
export function runTimestamp(d = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `sky-${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}-${p(d.getMilliseconds() * 1000, 6)}`;
}

/** SkyPilot's `<timestamp>_<cluster>_<job id>` (the id may be submitJob's placeholder). */
export function taskIdFor(cluster: string, jobId: number | string, d = new Date()): string {
  return `${runTimestamp(d)}_${cluster}_${jobId}`;
}

export function skypilotEnv(i: NodeEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    SKYPILOT_TASK_ID: i.taskId,
    SKYPILOT_CLUSTER_INFO: JSON.stringify({
      cluster_name: i.cluster,
      cloud: 'SSH',
      region: null,
      zone: null,
    }),
    SKYPILOT_USER: i.user ?? os.userInfo().username,
    SKYPILOT_NUM_NODES: String(i.numNodes),
  };
  if (i.phase === 'setup') {
    env.SKYPILOT_SETUP_NODE_RANK = String(i.rank);
    env.SKYPILOT_SETUP_NODE_IPS = i.ips.join('\n');
    env.SKYPILOT_SETUP_NUM_GPUS_PER_NODE = String(i.gpusPerNode);
  } else {
    env.SKYPILOT_NODE_RANK = String(i.rank);
    env.SKYPILOT_NODE_IPS = i.ips.join('\n');
    env.SKYPILOT_NUM_GPUS_PER_NODE = String(i.gpusPerNode);
    env.SKYPILOT_INTERNAL_JOB_ID = String(i.jobId);
  }
  return env;
}

/** Accelerator count per node from resources.accelerators ("A100:2", {A100: 2}, or a list), ceil'd. */
export function gpusPerNode(resources: Record<string, unknown>): number {
  const acc = resources.accelerators;
  const count = (v: unknown): number => {
    if (typeof v === 'string') {
      const m = /:(\d+(?:\.\d+)?)$/.exec(v);
      return m ? Math.ceil(Number(m[1])) : 1;
    }
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const n = Object.values(v as Record<string, unknown>)[0];
      return n == null ? 1 : Math.ceil(Number(n));
    }
    if (Array.isArray(v) && v.length) return count(v[0]);
    return 0;
  };
  return count(acc);
}

/** `export K='v'` lines, values single-quoted so nothing in them is interpreted by the shell. */
export function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`)
    .join('\n');
}
