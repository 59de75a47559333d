/** Public API of the task engine: validation (diagnostics) and the typed task model. */
export type { Diagnostic, Fix, Position, Range, Severity, TextEdit } from './diagnostic';
export { toPointer, fromPointer } from './diagnostic';
export {
  validateTask,
  validateTaskFile,
  validateTaskText,
  type ValidateOptions,
  type ValidationResult,
} from './validate';
export {
  parseTask,
  remoteDestination,
  MOUNT_CACHED_PRESETS,
  type Task,
  type FileMount,
  type StorageSpec,
  type StorageSource,
  type Workdir,
  type MountCachedConfig,
  type FileMountType,
  type ParsedTaskFile,
} from './model';
export { type StorageMode, STORAGE_MODES } from './rules/storage';
export { substituteVars, referencedVars } from './envSubst';
