import type { RuleContext } from '../context';
import { isObj, ptr } from './common';

const STORAGE_ENUMS: Record<string, readonly string[]> = {
  mode: ['MOUNT', 'COPY', 'MOUNT_CACHED'],
  type: ['MODEL_CHECKPOINT_RO', 'MODEL_CHECKPOINT_RW', 'DATASET_RO', 'DATASET_RW'],
  store: ['S3', 'GCS', 'AZURE', 'R2', 'IBM', 'OCI', 'NEBIUS', 'COREWEAVE', 'VASTDATA', 'HF'],
};

/**
 * SkyPilot accepts any case for these enums; mixed case (`Mount`) is legal but reads like a typo,
 * so it gets a hint with a fix to the canonical upper case. All-lower and all-upper stay quiet.
 */
export function enumCaseRule(ctx: RuleContext): void {
  const fm = ctx.task.file_mounts;
  if (!isObj(fm)) return;
  for (const [key, v] of Object.entries(fm)) {
    if (!isObj(v)) continue;
    for (const [field, values] of Object.entries(STORAGE_ENUMS)) {
      const val = v[field];
      if (typeof val !== 'string' || val === val.toUpperCase() || val === val.toLowerCase()) continue;
      const canonical = values.find((x) => x === val.toUpperCase());
      if (!canonical) continue;
      ctx.report({
        severity: 'information',
        pointer: ptr('file_mounts', key, field),
        code: 'enum-case',
        message: `'${val}' is accepted (case-insensitive); the canonical form is '${canonical}'.`,
        fix: { kind: 'replace-value', to: canonical, title: `Change to '${canonical}'` },
      });
    }
  }
}
