// The rclone remote a node uses to reach a store: built from this machine's store config and
// credential chain, written to the node as its own 0600 file (never on a command line).
import type { AzureConfig, GcsConfig, S3LikeConfig, SkyConfig, StoreKind } from '../config/config';
import { storeDescriptor, storeSection, type StoreDescriptor } from '../storage/stores/registry';
import { s3CredentialProvider, s3Settings } from '../storage/stores/s3Settings';
import { SkyError } from '../util/errors';
import { registerSecret } from '../util/redact';

export interface RcloneRemote {
  /** Section name, SkyPilot's profile naming: sky-<store>-<bucket>. */
  profile: string;
  /** The `[profile]` section text for an rclone.conf; holds secrets. */
  section: string;
}

function ini(profile: string, options: Record<string, string | undefined>): string {
  const lines = [`[${profile}]`];
  for (const [k, v] of Object.entries(options)) if (v !== undefined && v !== '') lines.push(`${k} = ${v}`);
  return `${lines.join('\n')}\n`;
}

async function s3Credentials(d: StoreDescriptor, settings: ReturnType<typeof s3Settings>) {
  try {
    const provider =
      (await s3CredentialProvider(settings)) ??
      (await import('@aws-sdk/credential-provider-node')).defaultProvider();
    return await provider();
  } catch (err) {
    throw new SkyError(
      'store-credentials',
      `No ${d.kind} credentials to give the cluster nodes: ${(err as Error).message}`,
      {
        hint: `Set stores.${d.kind}.credentialsFile or profile in the config, or provide ${d.credentials}.`,
      },
    );
  }
}

/** Azure: an account SAS (7 days) from the account key, or the configured SAS token. */
async function azureSasUrl(cfg: AzureConfig): Promise<string> {
  const az = await import('@azure/storage-blob');
  if (cfg.connectionString) {
    const parts = Object.fromEntries(
      cfg.connectionString
        .split(';')
        .filter(Boolean)
        .map((kv) => {
          const i = kv.indexOf('=');
          return [kv.slice(0, i), kv.slice(i + 1)];
        }),
    );
    if (parts.SharedAccessSignature) {
      const base = parts.BlobEndpoint ?? `https://${parts.AccountName}.blob.core.windows.net`;
      return `${base.replace(/\/+$/, '')}?${parts.SharedAccessSignature}`;
    }
    const account = parts.AccountName;
    const key = parts.AccountKey;
    if (!account || !key)
      throw new SkyError('store-credentials', 'The Azure connection string has no AccountName/AccountKey.');
    const endpoint = (
      parts.BlobEndpoint ?? `${parts.DefaultEndpointsProtocol ?? 'https'}://${account}.blob.core.windows.net`
    ).replace(/\/+$/, '');
    const svc = new az.BlobServiceClient(endpoint, new az.StorageSharedKeyCredential(account, key));
    return svc.generateAccountSasUrl(
      new Date(Date.now() + 7 * 24 * 3600 * 1000),
      az.AccountSASPermissions.parse('rwdlacup'),
      'sco',
    );
  }
  const endpoint = (cfg.endpoint ?? `https://${cfg.account}.blob.core.windows.net`).replace(/\/+$/, '');
  if (cfg.sasToken) return `${endpoint}?${cfg.sasToken.replace(/^\?/, '')}`;
  if (cfg.account && cfg.accountKey) {
    const svc = new az.BlobServiceClient(
      endpoint,
      new az.StorageSharedKeyCredential(cfg.account, cfg.accountKey),
    );
    return svc.generateAccountSasUrl(
      new Date(Date.now() + 7 * 24 * 3600 * 1000),
      az.AccountSASPermissions.parse('rwdlacup'),
      'sco',
    );
  }
  throw new SkyError(
    'store-credentials',
    'The cluster nodes need Azure credentials: set stores.azure.connectionString, or account with accountKey or sasToken.',
  );
}

export async function rcloneRemoteFor(
  kind: StoreKind,
  bucket: string,
  config: SkyConfig,
): Promise<RcloneRemote> {
  const profile = `sky-${kind}-${bucket}`.replace(/[^A-Za-z0-9_.-]/g, '_');
  const d = storeDescriptor(kind);
  const section = storeSection(kind, config);
  switch (d.api) {
    case 's3': {
      const cfg = section as S3LikeConfig;
      const settings = s3Settings(d, cfg);
      const c = await s3Credentials(d, settings);
      registerSecret(c.secretAccessKey);
      if (c.sessionToken) registerSecret(c.sessionToken);
      const provider = d.s3!.rcloneProvider;
      return {
        profile,
        section: ini(profile, {
          type: 's3',
          // A custom endpoint for AWS's store (an S3-compatible server) speaks plain S3.
          provider: provider === 'AWS' && cfg.endpoint ? 'Other' : provider,
          access_key_id: c.accessKeyId,
          secret_access_key: c.secretAccessKey,
          session_token: c.sessionToken,
          endpoint: settings.endpoint,
          // Only the stores whose row asks for it (see regionOnNodes) give rclone a region.
          region: cfg.region ?? (d.s3!.regionOnNodes ? settings.region : undefined),
          force_path_style: cfg.forcePathStyle === undefined ? undefined : String(cfg.forcePathStyle),
          no_check_bucket: 'true',
        }),
      };
    }
    case 'gcs': {
      const cfg = section as GcsConfig;
      let creds: string | undefined;
      if (cfg.keyFile) {
        const fs = await import('fs');
        try {
          creds = JSON.stringify(JSON.parse(fs.readFileSync(cfg.keyFile, 'utf8')));
        } catch (err) {
          throw new SkyError(
            'store-credentials',
            `Cannot read stores.gcs.keyFile: ${(err as Error).message}`,
          );
        }
        registerSecret(creds);
      } else if (!cfg.endpoint) {
        throw new SkyError(
          'store-credentials',
          'The cluster nodes need GCS credentials: set stores.gcs.keyFile (a service-account key) in the config.',
        );
      }
      return {
        profile,
        section: ini(profile, {
          type: 'google cloud storage',
          service_account_credentials: creds,
          // An emulator/fake endpoint takes unauthenticated requests.
          anonymous: creds ? undefined : 'true',
          endpoint: cfg.endpoint ? `${cfg.endpoint.replace(/\/+$/, '')}/storage/v1/` : undefined,
          project_number: cfg.projectId,
          bucket_policy_only: 'true',
        }),
      };
    }
    case 'azure': {
      const sas = await azureSasUrl(section as AzureConfig);
      registerSecret(sas);
      return { profile, section: ini(profile, { type: 'azureblob', sas_url: sas }) };
    }
    case 'oci':
      throw new SkyError(
        'mount-unsupported',
        "This version does not mount OCI buckets on the nodes (rclone's Oracle backend needs rclone 1.61+ and the OCI API key on every node).",
        {
          hint: 'Use mode: COPY for OCI buckets (the data is relayed through this machine), or an S3-compatible store.',
        },
      );
  }
}
