import type { Bucketish, StorageItem } from '../../services/storageItems';

/** The clicked item plus the selection, as VS Code passes them to a multi-select command. */
export function selection(
  clicked: StorageItem | undefined,
  selected: StorageItem[] | undefined,
): Bucketish[] {
  const all =
    selected?.length && clicked && selected.some((s) => s === clicked) ? selected : clicked ? [clicked] : [];
  return all.filter((x): x is Bucketish => x.kind === 'bucket' || x.kind === 'folder' || x.kind === 'object');
}

export function itemLabel(it: Bucketish): string {
  return it.kind === 'object' ? it.key : it.kind === 'folder' ? it.prefix : it.bucket;
}
