// SkyPilot's own records (~/.sky/state.db) made through SkyPilot's Python API — the calls `sky launch`,
// `sky storage` and `sky stop` make — by the real SkyPilot that scripts/setup.sh installs into
// .cache/skypilot-venv, in an isolated HOME. Tests never write SkyPilot's database themselves.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const SKY_VENV_BIN = path.join(REPO_ROOT, '.cache', 'skypilot-venv', 'bin');

export function skyPilotInstalled(): boolean {
  return fs.existsSync(path.join(SKY_VENV_BIN, 'sky'));
}

export interface SkyPilotRecords {
  /** Buckets: name, SkyPilot store types (S3, GCS, …; none for a bucket whose creation failed), status. */
  storage?: { name: string; stores: string[]; status: 'INIT' | 'INIT_FAILED' | 'UPLOAD_FAILED' | 'READY' }[];
  clusters?: { name: string; status: 'INIT' | 'UP' | 'STOPPED'; nodes: number }[];
}

const SCRIPT = `
import json, sys
import sky
from sky import global_user_state, resources as resources_lib
from sky.backends import cloud_vm_ray_backend
from sky.data import storage as storage_lib
from sky.utils import status_lib
spec = json.loads(sys.argv[1])
for s in spec.get('storage', []):
    stores = {storage_lib.StoreType(t): storage_lib.AbstractStore.StoreMetadata(
        name=s['name'], source=None, region=None, is_sky_managed=True) for t in s['stores']}
    md = storage_lib.Storage.StorageMetadata(storage_name=s['name'], source=None, sky_stores=stores)
    global_user_state.add_or_update_storage(s['name'], md, status_lib.StorageStatus[s['status']])
for c in spec.get('clusters', []):
    r = resources_lib.Resources(cloud=sky.AWS(), instance_type='m5.large', region='us-east-1')
    h = cloud_vm_ray_backend.CloudVmRayResourceHandle(cluster_name=c['name'],
        cluster_name_on_cloud=c['name'] + '-2ea4', cluster_yaml=None, launched_nodes=c['nodes'],
        launched_resources=r)
    global_user_state.add_or_update_cluster(c['name'], h, requested_resources={r}, ready=True)
    global_user_state.set_cluster_status(c['name'], status_lib.ClusterStatus[c['status']])
print('ok')
`;

/** Writes the records into HOME's ~/.sky through SkyPilot's Python API (offline: no cloud call). */
export function makeSkyPilotRecords(home: string, records: SkyPilotRecords): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(
      path.join(SKY_VENV_BIN, 'python'),
      ['-I', '-c', SCRIPT, JSON.stringify(records)],
      { env: { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' }, cwd: home, timeout: 120_000 },
      (err, _stdout, stderr) => (err ? reject(new Error(`SkyPilot's API failed: ${stderr}`)) : resolve()),
    ),
  );
}
