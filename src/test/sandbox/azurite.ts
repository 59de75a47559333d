// Azure Blob API: Azurite from the project's dev dependencies.
import * as fs from 'fs';
import * as path from 'path';
import { freePort, Managed, probeTcp, startDaemon, waitFor } from './proc';
import { REPO_ROOT } from '../harness/codeServer';

// Azurite's documented, public development account (not a secret).
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteServer {
  endpoint: string;
  account: string;
  accountKey: string;
  connectionString: string;
  process: Managed;
}

export async function startAzurite(dir: string, host: string): Promise<AzuriteServer> {
  const location = path.join(dir, 'azurite');
  fs.mkdirSync(location, { recursive: true });
  const port = await freePort(host);
  const bin = path.join(REPO_ROOT, 'node_modules', '.bin', 'azurite-blob');
  const proc = startDaemon(
    'azurite',
    bin,
    [
      '--blobHost',
      host,
      '--blobPort',
      String(port),
      '--location',
      location,
      '--disableTelemetry',
      '--silent',
      '--skipApiVersionCheck',
      '--loose',
    ],
    path.join(location, 'azurite.log'),
  );
  await waitFor('azurite', () => probeTcp(host, port), 20_000, path.join(location, 'azurite.log')).catch(
    async (e) => {
      await proc.stop();
      throw e;
    },
  );
  const endpoint = `http://${host}:${port}/${AZURITE_ACCOUNT}`;
  return {
    endpoint,
    account: AZURITE_ACCOUNT,
    accountKey: AZURITE_KEY,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`,
    process: proc,
  };
}
