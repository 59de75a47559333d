// Buckets this tool created, like `sky storage ls`: kept in $SKY_VSCODE_HOME/storage.json, read and
// rewritten under a lock file so two processes (CLI and extension, or two CLIs) never lose an update.
import * as fs from 'fs';
import * as path from 'path';
import { skyHome } from '../config/paths';
import { withFileLock, writeFileAtomic } from '../config/atomic';
import type { StoreKind } from './store';

export type StorageStatus = 'INIT' | 'INIT_FAILED' | 'UPLOAD_FAILED' | 'READY';

export interface StorageRecord {
  name: string;
  store: StoreKind;
  created: string;
  updated: string;
  source: string[];
  command: string;
  status: StorageStatus;
  /** false: a task declared `persistent: false`; `sky-vscode down` deletes the bucket with the cluster. */
  persistent?: false;
  /** The cluster that uses a non-persistent bucket. */
  cluster?: string;
}

export function recordsFile(): string {
  return path.join(skyHome(), 'storage.json');
}

export function readRecords(file = recordsFile()): StorageRecord[] {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StorageRecord[];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Read-modify-write under the lock. */
export async function updateRecords<T>(
  fn: (records: StorageRecord[]) => T,
  file = recordsFile(),
): Promise<T> {
  return withFileLock(file, async () => {
    const records = readRecords(file);
    const result = fn(records);
    await writeFileAtomic(file, `${JSON.stringify(records, null, 2)}\n`);
    return result;
  });
}

export async function upsertRecord(
  rec: Omit<StorageRecord, 'created' | 'updated'> & { created?: string },
): Promise<StorageRecord> {
  return updateRecords((records) => {
    const now = new Date().toISOString();
    const i = records.findIndex((r) => r.name === rec.name && r.store === rec.store);
    const full: StorageRecord = {
      ...rec,
      created: i >= 0 ? records[i].created : (rec.created ?? now),
      updated: now,
    };
    if (i >= 0) records[i] = full;
    else records.push(full);
    return full;
  });
}

export async function removeRecord(name: string, store: StoreKind): Promise<void> {
  await updateRecords((records) => {
    const i = records.findIndex((r) => r.name === name && r.store === store);
    if (i >= 0) records.splice(i, 1);
  });
}

/** fnmatch-style glob (*, ?, [..]) like `sky storage delete` names. */
export function globMatch(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
    .replace(/\[!/g, '[^'); // fnmatch negation
  return new RegExp(`^${re}$`).test(name);
}
