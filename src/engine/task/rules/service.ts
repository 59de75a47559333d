import type { RuleContext } from '../context';
import { isObj, ptr } from './common';

/** The service rules SkyPilot checks in code (SkyServiceSpec.from_yaml_config and its constructor). */
export function serviceRule(ctx: RuleContext): void {
  const svc = ctx.task.service;
  if (!isObj(svc)) return;
  const err = (pointer: string, code: string, message: string) =>
    ctx.report({ severity: 'error', pointer, code, message });
  if (
    svc.replicas !== undefined &&
    svc.replicas !== null &&
    svc.replica_policy !== undefined &&
    svc.replica_policy !== null
  )
    err(
      ptr('service', 'replicas'),
      'replicas-and-policy',
      'Cannot set both replicas and replica_policy: use replica_policy (min_replicas) for autoscaling, replicas for a fixed count.',
    );
  const probe = svc.readiness_probe;
  const path = typeof probe === 'string' ? probe : isObj(probe) ? probe.path : undefined;
  if (typeof path === 'string' && !path.startsWith('/'))
    err(
      typeof probe === 'string'
        ? ptr('service', 'readiness_probe')
        : ptr('service', 'readiness_probe', 'path'),
      'readiness-path',
      `The readiness probe path must start with '/'; got '${path}'.`,
    );
  if (typeof svc.ports === 'number' && Number.isInteger(svc.ports) && (svc.ports < 1 || svc.ports > 65535))
    err(ptr('service', 'ports'), 'ports', `service.ports must be between 1 and 65535; got ${svc.ports}.`);
  const policy = isObj(svc.replica_policy) ? svc.replica_policy : undefined;
  const qps = policy?.target_qps_per_replica;
  const lb = svc.load_balancing_policy;
  if (isObj(qps) && lb !== 'instance_aware_least_load')
    err(
      ptr('service', 'replica_policy', 'target_qps_per_replica'),
      'qps-per-gpu',
      'A target_qps_per_replica per GPU type needs load_balancing_policy: instance_aware_least_load.',
    );
  if (lb === 'instance_aware_least_load' && !isObj(qps))
    err(
      ptr('service', 'load_balancing_policy'),
      'qps-per-gpu',
      'instance_aware_least_load needs replica_policy.target_qps_per_replica as a map of GPU type to QPS (e.g. {A100: 10}).',
    );
  if (!policy) return;
  const min = policy.min_replicas;
  const max = policy.max_replicas;
  if (typeof min !== 'number' || (typeof max !== 'number' && max !== undefined && max !== null)) return;
  if (typeof max === 'number' && max < min)
    err(
      ptr('service', 'replica_policy', 'max_replicas'),
      'replicas-range',
      `max_replicas (${max}) must be at least min_replicas (${min}).`,
    );
  else if (qps !== undefined && qps !== null && (max === undefined || max === null))
    err(
      ptr('service', 'replica_policy', 'target_qps_per_replica'),
      'autoscaling',
      'target_qps_per_replica needs max_replicas (autoscaling scales between min_replicas and max_replicas).',
    );
  else if (
    typeof max === 'number' &&
    max !== min &&
    (qps === undefined || qps === null) &&
    svc.pool === undefined
  )
    err(
      ptr('service', 'replica_policy', 'max_replicas'),
      'autoscaling',
      'min_replicas and max_replicas differ but target_qps_per_replica is not set: autoscaling needs a target QPS.',
    );
}

const DOCKER_LOGIN = ['SKYPILOT_DOCKER_USERNAME', 'SKYPILOT_DOCKER_PASSWORD', 'SKYPILOT_DOCKER_SERVER'];

/** SkyPilot's docker login env triple: all three (in envs or secrets) or none (sky/task.py). */
export function dockerLoginRule(ctx: RuleContext): void {
  const where = (k: string) =>
    (['envs', 'secrets'] as const).find((f) => {
      const m = ctx.task[f];
      return isObj(m) && m[k] !== undefined;
    });
  const present = DOCKER_LOGIN.filter((k) => where(k) !== undefined);
  if (present.length === 0 || present.length === DOCKER_LOGIN.length) return;
  const missing = DOCKER_LOGIN.filter((k) => !present.includes(k));
  ctx.report({
    severity: 'error',
    pointer: ptr(where(present[0]) ?? 'envs', present[0]),
    on: 'key',
    code: 'docker-login',
    message: `Docker login needs all of ${DOCKER_LOGIN.join(', ')} together; missing: ${missing.join(', ')}.`,
  });
}
