import * as assert from 'assert';
import { check, expectNone, expectOne, underlined } from './helpers';

describe('task schema', () => {
  it('accepts an empty file and a full valid task', () => {
    expectNone('');
    expectNone('# only a comment\n');
    expectNone(
      [
        'name: ok',
        'workdir: {url: https://github.com/org/repo.git, ref: main}',
        'num_nodes: 2',
        'resources:',
        '  infra: k8s/my-ctx',
        '  accelerators: {A100: 8}',
        '  autostop: {idle_minutes: 10, down: true, wait_for: JOBS}',
        '  ports: [8080, "9000-9010"]',
        '  job_recovery: {strategy: FAILOVER, max_restarts_on_errors: 3, recover_on_exit_codes: [33, 34]}',
        '  ordered: [{infra: aws}, {infra: gcp/us-central1}]',
        'envs: {A: 1, B: "x", C: true}',
        'config:',
        '  hooks: [{run: echo bye, events: [stop, down], timeout: 30}]',
        '  kubernetes: {provision_timeout: 600}',
        'setup: echo s',
        'run: echo r',
      ].join('\n'),
    );
  });

  it('unknown top-level key: did-you-mean at the key, with a rename fix', () => {
    const y = 'name: x\nrnu: echo\n';
    const d = expectOne(y, 'unknown-key', '/rnu');
    assert.match(d.message, /Did you mean 'run'\?/);
    assert.strictEqual(underlined(y, d), 'rnu');
    assert.deepStrictEqual(d.fix?.edits, [{ range: d.range, newText: 'run' }]);
  });

  it('unknown key without a close match lists the valid fields', () => {
    const d = expectOne('zzzzzzzz: 1\n', 'unknown-key', '/zzzzzzzz');
    assert.match(d.message, /Valid fields: name, workdir/);
    assert.strictEqual(d.fix, undefined);
  });

  it('unknown nested keys in resources and storage specs', () => {
    expectOne('resources:\n  acelerators: A100\n', 'unknown-key', '/resources/acelerators');
    const y = 'file_mounts:\n  /d:\n    name: b\n    persistant: true\n';
    const d = expectOne(y, 'unknown-key', '/file_mounts/~1d/persistant');
    assert.match(d.message, /Did you mean 'persistent'/);
    assert.strictEqual(underlined(y, d), 'persistant');
  });

  it('case-insensitive enums: any case passes, a wrong value names the choices', () => {
    expectNone('file_mounts:\n  /d: {name: bkt, store: S3, mode: mount_cached, type: dataset_ro}\n');
    expectNone('resources:\n  cloud: AWS\n');
    const y = 'file_mounts:\n  /d: {name: bkt, mode: mounted}\n';
    const d = expectOne(y, 'enum', '/file_mounts/~1d/mode');
    assert.match(d.message, /Expected one of: MOUNT, COPY, MOUNT_CACHED/);
    assert.strictEqual(underlined(y, d), 'mounted');
    const s = expectOne('file_mounts:\n  /d: {name: bkt, store: s4}\n', 'enum', '/file_mounts/~1d/store');
    assert.match(s.message, /S3, GCS, AZURE/);
  });

  it('type errors name the expected types', () => {
    let d = expectOne('num_nodes: two\n', 'type', '/num_nodes');
    assert.match(d.message, /must be an integer, got a string/);
    d = expectOne('file_mounts:\n  /d: 3\n', 'type', '/file_mounts/~1d');
    assert.match(d.message, /must be a string or a mapping/);
    d = expectOne('workdir: [a]\n', 'type', '/workdir');
    assert.match(d.message, /a string or a mapping, got a list/);
  });

  it('top-level nulls are dropped like SkyPilot does', () => {
    expectNone('name: x\nsetup:\nresources:\nfile_mounts:\nrun: echo\n');
    expectNone('file_mounts:\n  /d:\n    name: bkt\n    mode:\n');
  });

  it('source must be a non-empty list or a string', () => {
    expectOne('file_mounts:\n  /d: {name: b-1, source: []}\n', 'min-items', '/file_mounts/~1d/source');
  });

  it('patterns: infra, autostop, sizes, rclone options', () => {
    expectOne('resources: {infra: mars}\n', 'pattern', '/resources/infra');
    expectNone('resources: {infra: "*/us-east-1"}\n');
    expectNone('resources: {infra: ssh/my-pool}\n');
    expectNone('resources: {infra: AWS/us-east-1/us-east-1a}\n');
    expectOne('resources: {autostop: 5x}\n', 'pattern', '/resources/autostop');
    expectNone('resources: {autostop: 2h}\n');
    expectOne('resources: {disk_size: 10 GB}\n', 'pattern', '/resources/disk_size');
    expectOne(
      'file_mounts:\n  /d: {name: b-1, mode: MOUNT_CACHED, config: {mount_cached: {vfs_cache_max_size: 10GB}}}\n',
      'pattern',
      '/file_mounts/~1d/config/mount_cached/vfs_cache_max_size',
    );
  });

  it('config.hooks: run required, events enum, at most 32', () => {
    expectOne('config:\n  hooks:\n    - events: [stop]\n', 'required', '/config/hooks/0');
    expectOne('config:\n  hooks:\n    - {run: x, events: [reboot]}\n', 'enum', '/config/hooks/0/events/0');
    const many = Array.from({ length: 33 }, () => '    - run: x').join('\n');
    assert.ok(
      check(`config:\n  hooks:\n${many}\n`).some((d) => d.path === '/config/hooks' && d.severity === 'error'),
    );
  });

  it('resources.hooks is rejected with a pointer to config.hooks', () => {
    const d = expectOne('resources:\n  hooks: []\n', 'unknown-key', '/resources/hooks');
    assert.match(d.message, /config\.hooks/);
  });

  it('service (SkyServe) spec', () => {
    expectNone('service:\n  readiness_probe: /health\n  replicas: 2\n');
    expectNone(
      'service:\n  readiness_probe: {path: /v1/models, initial_delay_seconds: 1800}\n  replica_policy: {min_replicas: 1, max_replicas: 3, target_qps_per_replica: 5}\n',
    );
    expectOne('service:\n  readiness_prob: /health\n', 'unknown-key', '/service/readiness_prob');
    expectOne('service:\n  replica_policy: {max_replicas: 3}\n', 'required', '/service/replica_policy');
  });

  it('secrets: dict or list only', () => {
    expectOne('secrets: token\n', 'type', '/secrets');
  });
});
