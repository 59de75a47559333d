import type { SkyConfig } from '../config/config';
import { SkyError } from '../util/errors';
import type { Store, StoreKind } from './store';
import { findStore, openWithAdapter, STORE_KINDS, storeDescriptor, storeSources } from './stores/registry';

/** Stores this version can open, in the registry's order. */
export const SUPPORTED_STORES: readonly StoreKind[] = STORE_KINDS;

/**
 * Stores there are: a section in the config, or SkyPilot's credentials for it found where SkyPilot
 * looks (see each registry row's `discover`), broken ones included (they fail to open, saying why).
 */
export function configuredStores(config: SkyConfig): StoreKind[] {
  return storeSources(config).map((s) => s.kind);
}

export async function openStore(kind: StoreKind, config: SkyConfig): Promise<Store> {
  const d = storeDescriptor(kind);
  if (!d)
    throw new SkyError(
      'store-unsupported',
      `The ${kind} store is not supported by this version yet (supported: ${SUPPORTED_STORES.join(', ')}).`,
    );
  return openWithAdapter(d, config);
}

/** A store named by the user (`--store`), by its kind or SkyPilot's name (`coreweave`, `COREWEAVE`). */
export function parseStoreKind(s: string): StoreKind {
  const d = findStore(s);
  if (d) return d.kind;
  throw new SkyError('usage', `Unknown store '${s}' (${SUPPORTED_STORES.join(', ')}).`);
}
