// The shared sandbox with every store API (RGW, Azurite, the GCS and OCI fakes), its config written
// and in use by this process, and one engine store of each kind asked for, opened on that config.
import { loadConfig } from '../../engine/config/config';
import { openStore, type Store, type StoreKind } from '../../engine/storage';
import { sharedSandbox, type Sandbox } from '../sandbox';

export async function sandboxStores(
  kinds: StoreKind[],
): Promise<{ sb: Sandbox; stores: Map<StoreKind, Store> }> {
  const sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
  sb.writeSkyConfig();
  process.env.SKY_VSCODE_HOME = sb.skyHome;
  const config = loadConfig();
  const stores = new Map<StoreKind, Store>();
  for (const kind of kinds) stores.set(kind, await openStore(kind, config));
  return { sb, stores };
}
