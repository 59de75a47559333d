// A HOME as a SkyPilot user has it: each store's credentials in the file and format SkyPilot reads
// (sky/adaptors/*.py, sky/clouds/*.py), pointed at the sandbox's servers wherever such a file (or the
// SDK's documented variable) can name an endpoint. No sky-vscode config is written here.
import * as fs from 'fs';
import * as path from 'path';
import type { Sandbox } from './index';
import { makeTestDir } from './proc';

/** The sandbox's servers as the credential files need them (from a Sandbox, or its config in the vscode tier). */
export interface SandboxServers {
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  gcs?: { endpoint: string };
  azure?: { account: string; connectionString: string };
  oci?: { configFile: string };
}

export function serversOf(sb: Sandbox): SandboxServers {
  return { s3: sb.s3!, gcs: sb.gcs, azure: sb.azure, oci: sb.oci };
}

export type SkyPilotStore =
  's3' | 'nebius' | 'coreweave' | 'vastdata' | 'r2' | 'ibm' | 'gcs' | 'azure' | 'oci';

function write(home: string, rel: string, text: string): void {
  const file = path.join(home, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode: 0o600 });
}

/**
 * Writes the credentials of `stores` into a new HOME and returns it with the environment a CLI or
 * the extension runs in: HOME, an empty SKY_VSCODE_HOME, none of the sandbox's AWS_* file variables,
 * and the documented variables that name an endpoint where no file can (AWS_ENDPOINT_URL_S3,
 * AZURE_STORAGE_CONNECTION_STRING); gcloud's configuration names GCS's endpoint override.
 */
export function skyPilotHome(
  from: Sandbox | SandboxServers,
  stores: readonly SkyPilotStore[],
  baseEnv: NodeJS.ProcessEnv = 'env' in from ? from.env() : process.env,
): { home: string; skyHome: string; env: NodeJS.ProcessEnv } {
  const sb = 'env' in from ? serversOf(from) : from;
  const home = makeTestDir('sky-user-home-');
  const skyHome = path.join(home, '.sky-vscode');
  fs.mkdirSync(skyHome, { recursive: true });
  fs.writeFileSync(path.join(skyHome, 'config.yaml'), '');
  const env: NodeJS.ProcessEnv = { ...baseEnv, HOME: home, SKY_VSCODE_HOME: skyHome };
  for (const k of Object.keys(env))
    if (/^(AWS_|GOOGLE_|CLOUDSDK_|AZURE_|OCI_|SKYPILOT_)/.test(k) || k === 'STORAGE_EMULATOR_HOST')
      delete env[k];
  const s3 = sb.s3;
  const keys = `aws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`;
  const awsCreds: string[] = [];
  const awsConfig: string[] = [];
  if (stores.includes('s3')) {
    awsCreds.push(`[default]\n${keys}`);
    awsConfig.push(`[default]\nregion = ${s3.region}\n`);
    env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  }
  if (stores.includes('nebius')) {
    awsCreds.push(`[nebius]\n${keys}`);
    awsConfig.push(`[profile nebius]\nregion = ${s3.region}\nendpoint_url = ${s3.endpoint}\n`);
  }
  if (awsCreds.length) write(home, '.aws/credentials', awsCreds.join('\n'));
  if (awsConfig.length) write(home, '.aws/config', awsConfig.join('\n'));
  if (stores.includes('coreweave')) {
    write(home, '.coreweave/cw.credentials', `[cw]\n${keys}`);
    write(home, '.coreweave/cw.config', `[profile cw]\nendpoint_url = ${s3.endpoint}\n`);
  }
  if (stores.includes('vastdata')) {
    write(home, '.vastdata/vastdata.credentials', `[vastdata]\n${keys}`);
    write(home, '.vastdata/vastdata.config', `[profile vastdata]\nendpoint_url = ${s3.endpoint}\n`);
  }
  if (stores.includes('r2')) {
    write(home, '.cloudflare/r2.credentials', `[r2]\n${keys}`);
    write(home, '.cloudflare/accountid', 'sandboxaccount0123\n');
  }
  if (stores.includes('ibm'))
    write(
      home,
      '.ibm/credentials.yaml',
      `iam_api_key: sandbox-api-key\nresource_group_id: sandbox-rg\naccess_key_id: ${s3.accessKeyId}\nsecret_access_key: ${s3.secretAccessKey}\n`,
    );
  if (stores.includes('gcs')) {
    write(
      home,
      '.config/gcloud/application_default_credentials.json',
      JSON.stringify({
        client_id: 'sandbox.apps.googleusercontent.com',
        client_secret: 'sandbox-secret',
        refresh_token: 'sandbox-refresh',
        type: 'authorized_user',
      }),
    );
    write(home, '.config/gcloud/active_config', 'default');
    write(
      home,
      '.config/gcloud/configurations/config_default',
      `[core]\nproject = sky-zeroconf\n\n[api_endpoint_overrides]\nstorage = ${sb.gcs!.endpoint}/storage/v1/\n`,
    );
  }
  if (stores.includes('azure')) {
    write(home, '.sky/config.yaml', `azure:\n  storage_account: ${sb.azure!.account}\n`);
    env.AZURE_STORAGE_CONNECTION_STRING = sb.azure!.connectionString;
  }
  if (stores.includes('oci')) write(home, '.oci/config', fs.readFileSync(sb.oci!.configFile, 'utf8'));
  return { home, skyHome, env };
}
