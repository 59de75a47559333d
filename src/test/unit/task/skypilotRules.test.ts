import * as assert from 'assert';
import { check, expectNone, expectOne } from './helpers';

/**
 * The rule families the SkyPilot differential test (integration/oracle) found missing or wrong, one
 * small case each; the differential test holds the thousands of others.
 */
describe('rules SkyPilot 0.14.1 applies', () => {
  const firstError = (y: string) => check(y).find((d) => d.severity === 'error');

  it('resources values: cpus, memory, disk_size, tiers, ports, accelerator counts, job_recovery', () => {
    expectOne('resources: {cpus: four}\n', 'cpus', '/resources/cpus');
    expectOne('resources: {cpus: 0}\n', 'cpus', '/resources/cpus');
    expectNone('resources: {cpus: 4+, memory: 32GB+}\n');
    expectOne('resources: {memory: lots}\n', 'memory', '/resources/memory');
    expectOne('resources: {memory: 16x+}\n', 'memory', '/resources/memory');
    expectOne('resources: {disk_size: 0}\n', 'disk-size', '/resources/disk_size');
    expectNone('resources: {disk_size: 1TB}\n');
    expectOne('resources: {disk_tier: fast}\n', 'disk-tier', '/resources/disk_tier');
    expectOne('resources: {network_tier: premium}\n', 'network-tier', '/resources/network_tier');
    expectOne('resources: {ports: 70000}\n', 'ports', '/resources/ports');
    expectOne('resources: {ports: [8080, "9000-8000"]}\n', 'ports', '/resources/ports/1');
    expectOne('resources: {accelerators: "V100:0"}\n', 'accelerators', '/resources/accelerators');
    expectOne('resources: {job_recovery: bogus}\n', 'job-recovery', '/resources/job_recovery');
    expectOne('resources: {image_id: ami-1}\n', 'image-id', '/resources/image_id');
    expectNone('resources: {image_id: "docker:ubuntu"}\n');
  });

  it('infra in the base resources conflicts with region in an any_of entry', () => {
    expectOne(
      'resources:\n  infra: aws\n  any_of: [{region: us-east-1}]\n',
      'infra-and-cloud',
      '/resources/any_of/0/region',
    );
  });

  it('service: readiness path, replicas vs replica_policy, autoscaling, load balancing', () => {
    expectOne('service: {readiness_probe: health}\n', 'readiness-path', '/service/readiness_probe');
    expectOne(
      'service:\n  readiness_probe: /\n  replicas: 2\n  replica_policy: {min_replicas: 1}\n',
      'replicas-and-policy',
      '/service/replicas',
    );
    expectOne(
      'service:\n  readiness_probe: /\n  replica_policy: {min_replicas: 1, max_replicas: 3}\n',
      'autoscaling',
      '/service/replica_policy/max_replicas',
    );
    expectOne(
      'service:\n  readiness_probe: /\n  replica_policy: {min_replicas: 3, max_replicas: 1, target_qps_per_replica: 1}\n',
      'replicas-range',
      '/service/replica_policy/max_replicas',
    );
    assert.strictEqual(
      firstError('service: {readiness_probe: /, load_balancing_policy: random}\n')?.path,
      '/service/load_balancing_policy',
    );
  });

  it('unknown keys stay errors when their value is null', () => {
    expectOne('foo:\nrun: x\n', 'unknown-key', '/foo');
    expectOne('resources:\n  bogus:\n', 'unknown-key', '/resources/bogus');
  });

  it('$VAR in store is substituted before the check; an unset one is an error', () => {
    expectNone('envs: {STORE: s3}\nfile_mounts:\n  /d: {name: b-1, store: $STORE}\n');
    assert.ok(firstError('file_mounts:\n  /d: {name: b-1, store: $STORE}\n'));
  });

  it('config.kubernetes.enable_docker takes a boolean, ALL/BUILD or {mode}', () => {
    expectNone('config:\n  kubernetes:\n    enable_docker: {mode: BUILD}\n');
    expectNone('config:\n  kubernetes:\n    enable_docker: ALL\n');
    assert.strictEqual(
      firstError('config:\n  kubernetes:\n    enable_docker: {mode: dind}\n')?.path,
      '/config/kubernetes/enable_docker/mode',
    );
  });

  it('job groups: header fields are known, names are checked', () => {
    expectNone(
      'name: g\nexecution: parallel\nprimary_tasks: [a]\ntermination_delay: 30s\n---\nname: a\nrun: x\n',
    );
    assert.strictEqual(
      firstError('name: g\nexecution: parallel\nprimary_tasks: [b]\n---\nname: a\nrun: x\n')?.path,
      '/primary_tasks/0',
    );
  });

  it('num_nodes: 2.0 and the docker login triple', () => {
    expectOne('num_nodes: 2.0\n', 'num-nodes', '/num_nodes');
    expectNone('num_nodes: 2\n');
    expectOne('envs: {SKYPILOT_DOCKER_USERNAME: u}\n', 'docker-login', '/envs/SKYPILOT_DOCKER_USERNAME');
  });
});
