// Deleting a bucket SkyPilot created, from the Storage view's Managed section: through SkyPilot
// (what `sky storage delete` runs), so that SkyPilot's records stay true.
import * as vscode from 'vscode';
import { deleteSkyPilotStorage } from '../../engine/skypilot/state';
import { errorMessage } from '../../engine/util/errors';
import type { PromptUi } from '../../engine/util/prompt';
import type { StorageItem } from '../../services/storageItems';
import type { StorageSession } from '../../services/storageSession';
import { requireTrust } from '../register';

export type SkyStorageItem = Extract<StorageItem, { kind: 'skyStorage' }>;

/** The SkyPilot buckets among the clicked item and the selection. */
export function skyPilotSelection(clicked?: StorageItem, selected?: StorageItem[]): SkyStorageItem[] {
  const all = selected?.length ? selected : clicked ? [clicked] : [];
  return all.filter((x): x is SkyStorageItem => x.kind === 'skyStorage');
}

export async function deleteSkyPilotItems(
  tree: StorageSession,
  items: SkyStorageItem[],
  ui: PromptUi,
): Promise<boolean> {
  requireTrust('Deleting a bucket');
  const names = items.map((i) => i.record.name);
  const ok = await ui.confirm(`Delete SkyPilot's storage ${names.join(', ')}?`, {
    destructive: true,
    detail:
      'SkyPilot deletes the bucket(s) it created and its records of them (as `sky storage delete` does).',
  });
  if (!ok) return false;
  const failures: string[] = [];
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Sky: Deleting through SkyPilot' },
      async (progress) => {
        for (const name of names) {
          progress.report({ message: name });
          try {
            await deleteSkyPilotStorage(name, tree.getConfig());
          } catch (err) {
            failures.push(`${name}: ${errorMessage(err)}`);
          }
        }
      },
    );
  } finally {
    tree.refresh();
  }
  if (failures.length) throw new Error(failures.join('\n'));
  return true;
}
