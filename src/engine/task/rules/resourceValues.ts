import type { RuleContext } from '../context';
import { isObj, ptr, Obj } from './common';

/** Python's float() on a string (the parser SkyPilot's value checks use). */
const PY_FLOAT =
  /^\s*[+-]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.|inf(?:inity)?|nan)\s*$/i;
const PY_INT = /^\s*[+-]?\d(?:_?\d)*\s*$/;
const UNITS = ['kb', 'ki', 'mb', 'mi', 'gb', 'gi', 'tb', 'ti', 'pb', 'pi'];
const UNIT_EXP: Record<string, number> = { k: 10, m: 20, g: 30, t: 40, p: 50 };

function pyFloat(s: string): number | undefined {
  if (!PY_FLOAT.test(s)) return undefined;
  const t = s.trim().replace(/_/g, '').toLowerCase();
  if (/inf/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (t.includes('nan')) return NaN;
  return Number(t);
}

/**
 * resources_utils.parse_memory_resource: a number (GB), or a number with a unit (KB..PB, KI..PI, any
 * case), optionally `+` and (memory only) `x`; in GB it must come out whole when `int` is asked for.
 * Returns the size in GB, or undefined when SkyPilot would refuse it.
 */
export function parseSize(
  raw: string,
  opts: { plus?: boolean; x?: boolean; int?: boolean },
): number | undefined {
  let s = raw;
  if (s.endsWith('+')) {
    if (!opts.plus) return undefined;
    s = s.slice(0, -1);
  }
  if (s.endsWith('x')) {
    if (!opts.x) return undefined;
    s = s.slice(0, -1);
  }
  const num = (t: string) =>
    opts.int ? (PY_INT.test(t) ? Number(t.replace(/_/g, '')) : undefined) : pyFloat(t);
  const plain = num(s);
  if (plain !== undefined) return plain;
  const lower = s.toLowerCase();
  for (const u of UNITS) {
    if (!lower.endsWith(u)) continue;
    const v = num(lower.slice(0, -u.length));
    if (v === undefined) continue;
    const gb = (v * 2 ** UNIT_EXP[u[0]]) / 2 ** 30;
    if (opts.int && !Number.isInteger(gb)) return undefined;
    return gb;
  }
  return undefined;
}

function portProblem(token: string): string | undefined {
  const okPort = (p: string) => /^\d+$/.test(p) && Number(p) >= 1 && Number(p) <= 65535;
  if (/^\d+$/.test(token)) return okPort(token) ? undefined : `port ${token} is not between 1 and 65535`;
  const parts = token.split('-');
  if (parts.length !== 2 || !okPort(parts[0]) || !okPort(parts[1]) || Number(parts[0]) > Number(parts[1]))
    return `'${token}' is not a port (1-65535) or a range from-to with from <= to`;
  return undefined;
}

const DISK_TIERS = ['low', 'medium', 'high', 'ultra', 'best'];
const NETWORK_TIERS = ['standard', 'best'];
const RECOVERY = ['failover', 'eager_next_region', 'none'];

/** Resources values SkyPilot checks in code (Resources.__init__ and its setters), per resources entry. */
export function checkResourceValues(ctx: RuleContext, r: Obj, base: Array<string | number>): void {
  const err = (key: string | Array<string | number>, code: string, message: string) =>
    ctx.report({
      severity: 'error',
      pointer: ptr(...base, ...(Array.isArray(key) ? key : [key])),
      code,
      message,
    });
  const cpus = r.cpus;
  if (typeof cpus === 'string' || (typeof cpus === 'number' && !Number.isNaN(cpus))) {
    const n = typeof cpus === 'number' ? cpus : pyFloat(cpus.endsWith('+') ? cpus.slice(0, -1) : cpus);
    if (n === undefined)
      err('cpus', 'cpus', `Invalid cpus '${String(cpus)}': use a number (4) or at least a number (4+).`);
    else if (!(n > 0)) err('cpus', 'cpus', `cpus must be positive; got ${String(cpus)}.`);
  }
  const mem = r.memory;
  if (typeof mem === 'string' || typeof mem === 'number') {
    // `16x+` parses, but SkyPilot then strips one suffix only and fails on the other.
    const both = typeof mem === 'string' && /x\+$/.test(mem);
    const gb = both ? undefined : parseSize(String(mem), { plus: true, x: true });
    if (gb === undefined)
      err(
        'memory',
        'memory',
        `Invalid memory '${String(mem)}': use GB (16), a size with a unit (32GB, 1TB), and + for at least (16+).`,
      );
    else if (!(gb > 0)) err('memory', 'memory', `memory must be positive; got ${String(mem)}.`);
  }
  const disk = r.disk_size;
  if (typeof disk === 'string' || (typeof disk === 'number' && Number.isInteger(disk))) {
    const gb = parseSize(String(disk), { int: true });
    if (gb === undefined)
      err(
        'disk_size',
        'disk-size',
        `Invalid disk_size '${String(disk)}': use whole GB (256) or a size that is whole GB (1TB).`,
      );
    else if (gb <= 0)
      err('disk_size', 'disk-size', `disk_size must be a positive number of GB; got ${String(disk)}.`);
  }
  for (const [key, tiers] of [
    ['disk_tier', DISK_TIERS],
    ['network_tier', NETWORK_TIERS],
  ] as const) {
    const v = r[key];
    if (typeof v === 'string' && !tiers.includes(v.toLowerCase()))
      err(key, key.replace('_', '-'), `Invalid ${key} '${v}'. Expected one of: ${tiers.join(', ')}.`);
  }
  const ports = r.ports;
  if (ports !== undefined && ports !== null) {
    const items = Array.isArray(ports) ? ports : [ports];
    items.forEach((p, i) => {
      if (typeof p !== 'string' && !(typeof p === 'number' && Number.isInteger(p))) return;
      for (const tok of String(p).split(',')) {
        const t = tok.trim();
        if (t === '') continue;
        const why = portProblem(t);
        if (why) {
          err(Array.isArray(ports) ? ['ports', i] : 'ports', 'ports', `Invalid ports: ${why}.`);
          return;
        }
      }
    });
  }
  const jr = r.job_recovery;
  const strategy =
    typeof jr === 'string' ? jr : isObj(jr) && typeof jr.strategy === 'string' ? jr.strategy : undefined;
  if (strategy !== undefined && !RECOVERY.includes(strategy.toLowerCase()))
    err(
      typeof jr === 'string' ? 'job_recovery' : ['job_recovery', 'strategy'],
      'job-recovery',
      `Invalid job_recovery strategy '${strategy}'. Expected one of: FAILOVER, EAGER_NEXT_REGION, none.`,
    );
  const image = r.image_id;
  if (image !== undefined && image !== null) {
    const docker = (v: unknown) => typeof v === 'string' && v.startsWith('docker:');
    const isDocker =
      typeof image === 'string' ? docker(image) : isObj(image) && Object.values(image).every(docker);
    const hasCloud = [r.infra, r.cloud].some((v) => typeof v === 'string' && v !== '' && !v.startsWith('*'));
    // An instance type names its cloud (SkyPilot looks it up in the catalogs).
    if (!isDocker && !hasCloud && (r.instance_type === undefined || r.instance_type === null))
      err(
        'image_id',
        'image-id',
        'A machine image_id needs a cloud: set infra (e.g. aws/us-east-1). Docker images (docker:...) need none.',
      );
  }
}
