import type { SkyConfig } from '../config/config';
import { SkyError } from '../util/errors';
import type { Store, StoreKind } from './store';

/** Stores this version can open. */
export const SUPPORTED_STORES: StoreKind[] = ['s3', 'r2', 'ibm', 'gcs', 'azure', 'oci'];

/** Stores that have a section in the config (their credentials may still come from the SDK chain). */
export function configuredStores(config: SkyConfig): StoreKind[] {
  return SUPPORTED_STORES.filter((k) => config.stores[k] !== undefined);
}

export async function openStore(kind: StoreKind, config: SkyConfig): Promise<Store> {
  switch (kind) {
    case 's3':
    case 'r2':
    case 'ibm': {
      const { openS3Store } = await import('./stores/s3');
      return openS3Store(kind, config.stores[kind] ?? {}, config.proxy);
    }
    case 'gcs': {
      const { openGcsStore } = await import('./stores/gcs');
      return openGcsStore(config.stores.gcs ?? {});
    }
    case 'azure': {
      const { openAzureStore } = await import('./stores/azure');
      return openAzureStore(config.stores.azure ?? {});
    }
    case 'oci': {
      const { openOciStore } = await import('./stores/oci');
      return openOciStore(config.stores.oci ?? {});
    }
    default:
      throw new SkyError(
        'store-unsupported',
        `The ${kind} store is not supported by this version yet (supported: ${SUPPORTED_STORES.join(', ')}).`,
      );
  }
}

export function parseStoreKind(s: string): StoreKind {
  const k = s.toLowerCase();
  if (['s3', 'r2', 'ibm', 'gcs', 'azure', 'oci'].includes(k)) return k as StoreKind;
  throw new SkyError('usage', `Unknown store '${s}' (s3, r2, ibm, gcs, azure, oci).`);
}
