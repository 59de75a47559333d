/**
 * `$VAR` / `${VAR}` substitution as SkyPilot does it in file_mounts, workdir, volumes and service
 * (sky/task.py::_fill_in_env_vars): same regex, unknown names left as they are, no `${VAR:-x}`.
 */
const VAR_RE = /\$\{?\b([a-zA-Z_][a-zA-Z0-9_]*)\b\}?/g;

export function substituteVars(s: string, vars: Record<string, string>): string {
  if (!s.includes('$')) return s;
  return s.replace(VAR_RE, (m, name: string) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : m,
  );
}

/** Substitutes in every string of a JSON-like value, keys included (SkyPilot substitutes the dumped text). */
export function substituteDeep<T>(value: T, vars: Record<string, string>): T {
  if (typeof value === 'string') return substituteVars(value, vars) as T;
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, vars)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[substituteVars(k, vars)] = substituteDeep(v, vars);
    return out as T;
  }
  return value;
}

/** Variable names referenced in a string, for completion and hover. */
export function referencedVars(s: string): string[] {
  return [...s.matchAll(VAR_RE)].map((m) => m[1]);
}

/** envs + dict-form secrets with values as strings (SkyPilot coerces keys and values with str()). */
export function taskVars(
  task: Record<string, unknown>,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const field of ['envs', 'secrets']) {
    const m = task[field];
    if (m && typeof m === 'object' && !Array.isArray(m)) {
      for (const [k, v] of Object.entries(m)) if (v !== null && v !== undefined) vars[k] = pyStr(v);
    }
  }
  return { ...vars, ...overrides };
}

/** Python's str() for YAML scalars, so `true` becomes `True` as on SkyPilot's side. */
export function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * True when `s` still references a variable that envs or secrets declare without a value: it will be
 * given at launch (`--env`/`--secret`), so checks of the final string must wait until then.
 */
export function hasPendingVar(s: string, task: Record<string, unknown>): boolean {
  if (!s.includes('$')) return false;
  const declaredNull = (name: string) =>
    ['envs', 'secrets'].some((f) => {
      const m = task[f];
      return (
        m !== null &&
        typeof m === 'object' &&
        !Array.isArray(m) &&
        name in m &&
        (m as Record<string, unknown>)[name] === null
      );
    });
  return referencedVars(s).some(declaredNull);
}
