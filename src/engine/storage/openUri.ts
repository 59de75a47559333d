// A bucket URI in any form SkyPilot accepts, opened on the store it names.
import type { SkyConfig } from '../config/config';
import { SkyError, UsageError } from '../util/errors';
import { openStore } from './open';
import type { Store } from './store';
import { storeForSkyName, type StoreDescriptor } from './stores/registry';
import { parseStoreUri, type StoreUri } from './uri';

export interface OpenedUri {
  store: Store;
  descriptor: StoreDescriptor;
  bucket: string;
  key: string;
  parsed: StoreUri;
}

/** Parses without opening: the store, bucket and key a URI names. */
export function resolveUri(uri: string): { descriptor: StoreDescriptor; parsed: StoreUri } {
  const p = parseStoreUri(uri.trim());
  if (!p.ok) throw new UsageError(p.error);
  const d = storeForSkyName(p.uri.store);
  if (!d)
    throw new UsageError(
      `${uri}: the ${p.uri.store} store has no object browser here (its URIs are read by SkyPilot on the nodes).`,
    );
  return { descriptor: d, parsed: p.uri };
}

export async function openUri(config: SkyConfig, uri: string): Promise<OpenedUri> {
  const { descriptor, parsed } = resolveUri(uri);
  const store = await openStore(descriptor.kind, config);
  if (parsed.store === 'AZURE') {
    // The container URL names its account; the config opens one account only.
    const configured = new URL(store.uri(parsed.bucket)).hostname.split('.')[0];
    if (parsed.account && configured !== parsed.account)
      throw new SkyError(
        'store-account',
        `${uri} is in storage account ${parsed.account}, but the config opens account ${configured}.`,
        { hint: 'Point stores.azure at that account (its connection string, or account + sasToken).' },
      );
  }
  // A trailing '/' names a folder (a copy keeps the source's name under it); the Azure URL form
  // drops it when parsed.
  const key = /\/\s*$/.test(uri) && parsed.key && !parsed.key.endsWith('/') ? `${parsed.key}/` : parsed.key;
  return { store, descriptor, bucket: parsed.bucket, key, parsed };
}
