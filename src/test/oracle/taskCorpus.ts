import { stringify } from 'yaml';

/**
 * Generated and mutated task files for the differential test against SkyPilot. The generator does not
 * label a file valid or invalid: SkyPilot's own verdict (the oracle) decides. Each field draws from a
 * pool of ordinary values and a pool of edge values (wrong units, out of range, wrong type, near-miss
 * names), so roughly half the files are invalid, each for a different reason.
 */

export interface CorpusFile {
  name: string;
  text: string;
}

/** mulberry32: small, deterministic, good enough to spread choices. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Pool = [ordinary: unknown[], edge: unknown[]];
type Obj = Record<string, unknown>;

const RESOURCES: Record<string, Pool> = {
  cpus: [
    [4, '4+', '2', 8, '0.5', '16+'],
    ['four', '4++', -2, 0, '0', '4x', '+4', true, [4], '2 +'],
  ],
  memory: [
    [16, '16+', '32GB', '1TB', '64GB+', '8x', '512MB'],
    ['lots', -4, 0, '16 GB', '2Tb+', '16GiB', '16x+', 'x2', '1PB', false],
  ],
  accelerators: [
    ['V100', 'V100:2', 'A100:8', { V100: 1 }, ['V100', 'A100:2'], 'H100:8', 'L4:1'],
    [
      'tpu-v3-8',
      'V100:0',
      'V100:-1',
      'A100:1.5',
      'V100:two',
      { A100: 0 },
      { A100: -2 },
      'V100:',
      7,
      ['V100:0'],
      'A100:0.5',
    ],
  ],
  disk_size: [
    [100, 256, 512, '256GB', '1TB', 1024],
    [0, -10, 10.5, 'big', '100 GB', '100GiB', '256gb', '2.5TB'],
  ],
  disk_tier: [
    ['best', 'BEST'],
    ['fast', 'slow', 3, 'premium', 'ultra'],
  ],
  network_tier: [
    ['standard', 'best', 'BEST'],
    ['fast', 'premium', 1],
  ],
  ports: [
    [8080, '8080', '8000-8010', [8080, 9090], '80,443', ['8000-8001', 22]],
    [0, 70000, '9000-8000', 'http', [1, 'a'], -1, '80-', '1-70000', 8080.5],
  ],
  use_spot: [
    [true, false],
    ['yes', 1, 'spot'],
  ],
  infra: [
    ['aws', 'gcp/us-central1', 'k8s', 'kubernetes', 'aws/us-east-1/us-east-1a', 'azure', '*/us-east-1'],
    ['nope/x', 'ssh', 'aws//x', 3, 'mars'],
  ],
  cloud: [
    ['aws', 'gcp', 'azure', 'kubernetes', 'Aws'],
    ['mars', 'amazon', 1],
  ],
  region: [['us-east-1'], [3]],
  instance_type: [['p3.2xlarge', 'n1-standard-8'], [5]],
  image_id: [
    ['docker:ubuntu:22.04', 'docker:nvcr.io/nvidia/pytorch:24.01-py3'],
    ['ami-0123456789', { 'us-east-1': 'ami-1' }, { 'us-east-1': 'ami-1', 'us-west-2': 'ami-2' }, 7],
  ],
  ephemeral_storage: [['10Gi'], ['10Gi', 100, 'big']],
  job_recovery: [
    ['FAILOVER', 'EAGER_NEXT_REGION', { strategy: 'FAILOVER', max_restarts_on_errors: 3 }, 'none'],
    ['bogus', { max_restarts_on_errors: -1 }, { strategy: 'slow' }, { strategy: 'FAILOVER', restarts: 2 }, 5],
  ],
  autostop: [
    [true, false, 10, '10m', '1h', { idle_minutes: 10 }, { idle_minutes: 10, down: true }],
    ['soon', -5, '10x', { idle_minutes: 'ten' }, { idle: 5 }, 1.5],
  ],
  labels: [
    [{ team: 'ml' }, { project: 'x', env: 'dev' }],
    [{ team: 3 }, ['team'], 'team=ml'],
  ],
  priority: [
    [0, 500, 1000],
    [-1, 1001, 'high', 1.5],
  ],
  max_hourly_cost: [
    [2, 10.5],
    [0, -1, 'cheap'],
  ],
};

const SERVICE: Record<string, Pool> = {
  readiness_probe: [
    ['/health', '/', { path: '/v1/models', initial_delay_seconds: 30 }, { path: '/h', timeout_seconds: 5 }],
    [
      'health',
      { path: 'x' },
      { initial_delay_seconds: 30 },
      5,
      { path: '/h', bogus: 1 },
      { path: '/h', initial_delay_seconds: -1 },
    ],
  ],
  replicas: [
    [1, 2, 3],
    [0, -1, 'two', 1.5],
  ],
  replica_policy: [
    [
      { min_replicas: 1, max_replicas: 3, target_qps_per_replica: 5 },
      { min_replicas: 1 },
      { min_replicas: 0, max_replicas: 2, target_qps_per_replica: 1 },
    ],
    [
      { min_replicas: 3, max_replicas: 1, target_qps_per_replica: 5 },
      { min_replicas: 1, max_replicas: 3 },
      { min_replicas: -1 },
      { max_replicas: 3, target_qps_per_replica: 2 },
      { min_replicas: 1, max_replicas: 3, target_qps_per_replica: 0 },
      { min_replicas: 1, upscale_delay_seconds: 'soon' },
    ],
  ],
  load_balancing_policy: [
    ['round_robin', 'least_load'],
    ['random', 'fastest', 3, 'instance_aware_least_load'],
  ],
  ports: [
    [8080, 8000],
    ['8080', 0, 'http'],
  ],
};

const STORE: Pool = [
  ['s3', 'gcs', 'r2', 'S3', '$STORE', '${STORE}'],
  ['dropbox', 3, '$NOT_SET', 'volume'],
];
const MODE: Pool = [
  ['MOUNT', 'COPY', 'MOUNT_CACHED', 'mount'],
  ['LINK', 2, '$MODE_X'],
];
const SOURCE: Pool = [
  ['s3://sky-bucket', 'gs://sky-bucket', 'hf://datasets/openai/gsm8k'],
  [
    's3://sky-bucket/sub/dir',
    'gs://sky-bucket/data',
    's3://',
    'ftp://host/x',
    ['s3://a', 's3://b'],
    's3://Bad_Bucket',
    4,
  ],
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function fromPool(r: () => number, p: Pool, edge: boolean): unknown {
  return structuredClone(pick(r, edge ? p[1] : p[0]));
}

function storageSpec(r: () => number, edge: () => boolean): Obj {
  const s: Obj = {};
  // Ordinary specs: a new named bucket (optionally with a store), or an existing bucket as source.
  const shape = edge() ? pick(r, ['both', 'named', 'source']) : pick(r, ['named', 'source']);
  if (shape !== 'source')
    s.name = pick(r, ['sky-bucket-1', 'my.data-2', '${BUCKET}-out', edge() ? 'Bad_Name' : 'abc']);
  if (shape !== 'named') s.source = fromPool(r, SOURCE, edge());
  if (shape === 'named' && r() < 0.7) s.store = fromPool(r, STORE, edge());
  else if (edge()) s.store = fromPool(r, STORE, true);
  if (r() < 0.6) s.mode = fromPool(r, MODE, edge());
  if (r() < 0.2) s.persistent = edge() ? 'yes' : pick(r, [true, false]);
  if (r() < 0.1) s._force_delete = true;
  if (edge()) s[pick(r, ['sotre', 'bucket', 'path'])] = pick(r, ['s3', null, 'x']);
  if (s.mode === 'MOUNT_CACHED' && r() < 0.3) s.config = { mount_cached: { transfers: 8 } };
  if (edge())
    s.config = pick(r, [
      { mount_cached: { sequential_upload: true } },
      { mount_cached: { transfers: 8 } },
      { bogus: 1 },
      { mount_cached: { transfers: 'many' } },
    ]);
  return s;
}

function resources(r: () => number, edge: () => boolean, depth = 0): Obj {
  const out: Obj = {};
  const keys = Object.keys(RESOURCES);
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const k = pick(r, keys);
    // SkyPilot wants one priority across any_of/ordered alternatives.
    if (depth > 0 && k === 'priority') continue;
    out[k] = fromPool(r, RESOURCES[k], edge());
  }
  if (depth === 0 && r() < 0.08) {
    const alt = [resources(r, edge, 1), resources(r, edge, 1)];
    out[pick(r, ['any_of', 'ordered'])] = alt;
  }
  return out;
}

function service(r: () => number, edge: () => boolean): Obj {
  const out: Obj = { readiness_probe: fromPool(r, SERVICE.readiness_probe, edge()) };
  // replicas and replica_policy exclude each other (only an edge case sets both).
  const scale = pick(r, ['replicas', 'replica_policy', 'none']);
  if (scale !== 'none') out[scale] = fromPool(r, SERVICE[scale], edge());
  const other = scale === 'replicas' ? 'replica_policy' : 'replicas';
  if (edge()) out[other] = fromPool(r, SERVICE[other], false);
  for (const k of ['load_balancing_policy', 'ports']) {
    if (r() < 0.4) out[k] = fromPool(r, SERVICE[k], edge());
  }
  if (edge() && r() < 0.2) delete out.readiness_probe;
  return out;
}

function envs(r: () => number, edge: () => boolean): Obj {
  const e: Obj = { BUCKET: 'sky-data', STORE: 's3', MODEL: 'llama' };
  if (r() < 0.3) e.SIZE = pick(r, [7, 13, true]);
  if (edge()) e[pick(r, ['RUN_ID', 'TOKEN'])] = null;
  if (edge() && r() < 0.3) e[pick(r, ['1BAD', 'bad-name', 'has space'])] = 'x';
  if (edge() && r() < 0.3) {
    const all = ['SKYPILOT_DOCKER_USERNAME', 'SKYPILOT_DOCKER_PASSWORD', 'SKYPILOT_DOCKER_SERVER'];
    for (const k of all.slice(0, 1 + Math.floor(r() * 3))) e[k] = 'u';
  }
  return e;
}

function secrets(r: () => number, edge: () => boolean): unknown {
  if (edge())
    return pick(r, [
      ['HF_TOKEN'],
      { 'secrets:HF_TOKEN': 'x' },
      [3],
      'HF_TOKEN',
      { HF_TOKEN: null, WANDB: null },
      ['secrets:HF_TOKEN', 'secrets:team.KEY'],
    ]);
  return pick(r, [
    { HF_TOKEN: 'hf_x' },
    { HF_TOKEN: null },
    ['secrets:HF_TOKEN'],
    { 'secrets:HF_TOKEN': null },
  ]);
}

function config(r: () => number, edge: () => boolean): Obj {
  if (edge())
    return pick(r, [
      { kubernetes: { enable_docker: 'yes' } },
      { kubernetes: { enable_docker: { mode: 'dind' } } },
      { api_server: { endpoint: 'http://x' } },
      { allowed_clouds: ['aws'] },
      { jobs: { controller: { resources: { cpus: 2 } } } },
      { docker: { run_options: 3 } },
      { db: 'x' },
      { kubernetes: { provision_timeout: 'soon' } },
      { hooks: 'x' },
    ]);
  return pick(r, [
    { kubernetes: { enable_docker: true } },
    { kubernetes: { enable_docker: { mode: 'BUILD' } } },
    { kubernetes: { enable_docker: 'ALL' } },
    { docker: { run_options: ['--cap-add=SYS_ADMIN'] } },
    { kubernetes: { pod_config: { spec: { runtimeClassName: 'nvidia' } } } },
    { nvidia_gpus: { disable_ecc: true } },
    { aws: { labels: { team: 'x' } } },
  ]);
}

function workdir(r: () => number, edge: () => boolean): unknown {
  if (edge())
    return pick(r, [
      { url: 'ftp://github.com/x/y' },
      { url: 'github.com/x/y' },
      { ref: 'main' },
      { url: 'https://github.com/x/y', branch: 'main' },
      { url: 'https://github.com/x/y', ref: 3 },
      5,
    ]);
  return pick(r, [
    '.',
    { url: 'https://github.com/skypilot-org/skypilot', ref: 'master' },
    { url: 'git@github.com:skypilot-org/skypilot.git' },
    { url: 'ssh://git@github.com/x/y.git', ref: 'v1.0' },
    { url: 'https://gitlab.com/x/y.git' },
  ]);
}

function volumes(r: () => number, edge: () => boolean): unknown {
  if (edge())
    return pick(r, [
      { '/mnt/v': 3 },
      ['/mnt/v'],
      { '/mnt/v': { size: 'big' } },
      { '/mnt/v': { name: 'v', bogus: 1 } },
      { 'mnt/v': 'vol-1' },
      { '/mnt/v': null },
    ]);
  return pick(r, [{ '/mnt/v': 'vol-1' }, { '/mnt/a': 'vol-a', '/mnt/b': 'vol-b' }]);
}

function fileMounts(r: () => number, edge: () => boolean): Obj {
  const fm: Obj = {};
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const dst = pick(r, ['/data', '/ckpt', '~/out', '/models/llama-${SIZE}b', `/mnt/m${i}`, '/data/$MODEL']);
    if (r() < 0.35)
      fm[dst] = pick(r, ['s3://sky-bucket/x', 'gs://b/p', 'hf://datasets/openai/gsm8k', 's3://$BUCKET/sub']);
    else fm[dst] = storageSpec(r, edge);
  }
  if (edge() && r() < 0.2) fm[pick(r, ['/data/', 's3://x'])] = 's3://sky-bucket';
  return fm;
}

const UNKNOWN_TOP = ['resource', 'envs_', 'runn', 'setup_cmd', 'foo', 'file_mount', 'nodes'];

/**
 * One task document: random fields with ordinary values, except where `edge()` says so. A mutated
 * file gets exactly one edge value (the n-th call of edge()), so SkyPilot's one reported error and our
 * first error concern the same node.
 */
function task(r: () => number, edge: () => boolean): Obj {
  const t: Obj = {};
  if (r() < 0.6)
    t.name = edge()
      ? pick(r, ['bad name', '-x', 'a___b', 3, 'x'.repeat(70)])
      : pick(r, ['train', 'job-1', 'a.b_c']);
  if (r() < 0.3) t.num_nodes = edge() ? pick(r, [0, -1, 'two', 2.0001, '2']) : pick(r, [1, 2, 4]);
  if (r() < 0.7) t.resources = resources(r, edge);
  if (r() < 0.5) t.envs = envs(r, edge);
  if (r() < 0.2) t.secrets = secrets(r, edge);
  if (r() < 0.45) {
    t.file_mounts = fileMounts(r, edge);
    // The ordinary mounts use $BUCKET, $STORE, $MODEL and ${SIZE}: declare them.
    if (!t.envs) t.envs = { BUCKET: 'sky-data', STORE: 's3', MODEL: 'llama', SIZE: 7 };
    else (t.envs as Obj).SIZE ??= 7;
  }
  if (r() < 0.2) t.service = service(r, edge);
  if (r() < 0.15) t.workdir = workdir(r, edge);
  if (r() < 0.12) t.volumes = volumes(r, edge);
  if (r() < 0.15) t.config = config(r, edge);
  if (r() < 0.5) t.setup = edge() ? pick(r, [['pip install x'], 3]) : 'pip install -r requirements.txt';
  t.run = edge() && r() < 0.2 ? pick(r, [['echo a'], 5, { cmd: 'x' }]) : 'python train.py';
  // A pool and a service exclude each other: only an edge case sets both.
  if (r() < 0.05 && (t.service === undefined || edge()))
    t.pool = edge() ? { workers: 'many' } : { workers: 2 };
  if (edge() && r() < 0.15) t[pick(r, UNKNOWN_TOP)] = pick(r, [null, 'x', 1]);
  if (edge() && r() < 0.1 && typeof t.resources === 'object')
    (t.resources as Obj)[pick(r, ['cpu', 'gpus', 'bogus'])] = pick(r, [null, 2]);
  return t;
}

/** YAML 1.1, as SkyPilot reads it: the string 'yes' is written quoted, not as a boolean. */
function dump(v: unknown): string {
  return stringify(v, { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' });
}

/** A deterministic corpus of `count` task files (single tasks, pipelines, job groups). */
export function generateCorpus(count: number, seed = 20261203): CorpusFile[] {
  const out: CorpusFile[] = [];
  for (let i = 0; i < count; i++) {
    const r = rng(seed + i * 7919);
    // About half the files are mutated once: the n-th edge() call of the file returns true.
    const target = r() < 0.55 ? 1 + Math.floor(r() * 10) : 0;
    let calls = 0;
    const edge = () => target > 0 && ++calls === target;
    const kind = r();
    let text: string;
    if (kind < 0.85) {
      const t = task(r, edge);
      // A float node count as Python reads it (`2.0`): JavaScript would print `2`.
      const floatNodes = target === 0 && r() < 0.06;
      if (floatNodes) delete t.num_nodes;
      text = dump(t);
      if (floatNodes) text += pick(r, ['num_nodes: 2.0\n', 'num_nodes: 1.0\n']);
    } else if (kind < 0.93) {
      const docs: unknown[] = [{ name: pick(r, ['pipe', 'p-1']) }];
      if (r() < 0.2) (docs[0] as Obj).execution = pick(r, ['serial', 'sometimes']);
      for (let j = 0; j < 2; j++) docs.push({ ...task(r, edge), name: `step-${j}` });
      text = docs.map(dump).join('---\n');
    } else {
      const header: Obj = { name: 'group', execution: 'parallel' };
      if (r() < 0.3) header.primary_tasks = ['job-0'];
      if (r() < 0.2) header.termination_delay = pick(r, ['30s', 30, '1m']);
      if (r() < 0.1) header.bogus = 1;
      const docs: unknown[] = [header];
      for (let j = 0; j < 2; j++) {
        const t = task(r, edge);
        if (r() > 0.05) t.name = `job-${j}`;
        else delete t.name;
        docs.push(t);
      }
      text = docs.map(dump).join('---\n');
    }
    out.push({ name: `gen-${String(i).padStart(5, '0')}.yaml`, text });
  }
  return out;
}
