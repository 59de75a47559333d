// Finding a store's credentials where SkyPilot (and the SDK it uses) looks for them, so that a
// SkyPilot user needs no config section. Each function is named by one row of the registry; it reads
// files and environment variables only (no SDK, no network) and never returns a secret in text.
import * as fs from 'fs';
import type { AzureConfig, GcsConfig, OciConfig, S3LikeConfig } from '../../config/config';
import { SkyError } from '../../util/errors';
import { registerSecret } from '../../util/redact';
import {
  displayPath,
  exists,
  homePath,
  iniProfile,
  readIni,
  readJson,
  readYaml,
  skyPilotConfigFile,
  skyPilotConfigValue,
} from './credentialFiles';

/** What was found for a store: where (files, variables), the section it amounts to, or why it is unusable. */
export interface Discovery<Section> {
  /** Where the credentials were found, for the Storage view and `storage ls` (never a secret). */
  from: string;
  section: Section;
  /** Credentials are there but unusable (a file that does not parse, a missing key): shown with the store. */
  error?: SkyError;
}
export type Discover<Section> = (env: NodeJS.ProcessEnv) => Discovery<Section> | undefined;

/** S3-API stores: the config keys plus static keys read from a non-INI file (IBM COS's YAML). */
export type S3Discovered = S3LikeConfig;

/** Runs a discovery; a file that cannot be read or parsed makes the store appear with that error. */
export function runDiscover<S>(
  discover: Discover<S>,
  env: NodeJS.ProcessEnv,
  fallbackFrom: string,
): Discovery<S> | undefined {
  try {
    return discover(env);
  } catch (err) {
    const error =
      err instanceof SkyError ? err : new SkyError('store-credentials', String((err as Error).message));
    return { from: fallbackFrom, section: {} as S, error };
  }
}

function missingKeys(section: Record<string, string>, keys: string[]): string[] {
  return keys.filter((k) => !section[k]);
}

/** An AWS-style credentials profile that must hold a key pair: an error naming what is missing. */
function keyPairError(file: string, profile: string, section: Record<string, string>, how: string) {
  const missing = missingKeys(section, ['aws_access_key_id', 'aws_secret_access_key']);
  return missing.length
    ? new SkyError(
        'store-credentials',
        `[${profile}] in ${displayPath(file)} has no ${missing.join(' and ')}.`,
        { hint: how },
      )
    : undefined;
}

/**
 * Amazon S3: the AWS SDK's default chain as boto3 reads it — AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
 * the profile (AWS_PROFILE, else default) in AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and
 * AWS_CONFIG_FILE (~/.aws/config: keys, SSO, roles, credential_process), web identity and container
 * credentials; AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL or the profile's endpoint_url; the region.
 * The SDK resolves the credentials itself when the store opens.
 */
export const discoverAws: Discover<S3Discovered> = (env) => {
  const profile = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default';
  const credFile = env.AWS_SHARED_CREDENTIALS_FILE || homePath('.aws/credentials', env);
  const confFile = env.AWS_CONFIG_FILE || homePath('.aws/config', env);
  const conf = iniProfile(readIni(confFile), profile, true);
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || conf?.endpoint_url || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || conf?.region || undefined;
  const section: S3Discovered = { ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) };
  if (env.AWS_ACCESS_KEY_ID) {
    const error = env.AWS_SECRET_ACCESS_KEY
      ? undefined
      : new SkyError('store-credentials', 'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not.', {
          hint: 'Set both variables, or unset AWS_ACCESS_KEY_ID to use ~/.aws/credentials.',
        });
    return { from: 'AWS_ACCESS_KEY_ID', section, error };
  }
  const cred = iniProfile(readIni(credFile), profile);
  if (cred && (cred.aws_access_key_id || cred.aws_secret_access_key))
    return {
      from: `${displayPath(credFile)} [${profile}]`,
      section,
      error: keyPairError(credFile, profile, cred, 'Run `aws configure` to write both keys.'),
    };
  if (
    conf &&
    [
      'aws_access_key_id',
      'sso_session',
      'sso_start_url',
      'role_arn',
      'credential_process',
      'web_identity_token_file',
    ]
      .map((k) => conf[k])
      .some(Boolean)
  )
    return {
      from: `${displayPath(confFile)} [${profile === 'default' ? 'default' : `profile ${profile}`}]`,
      section,
    };
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) return { from: 'AWS_WEB_IDENTITY_TOKEN_FILE', section };
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI)
    return { from: 'the container credentials endpoint', section };
  return undefined;
};

/**
 * A store SkyPilot reaches through boto3 with its own credentials file and profile, and an AWS-style
 * config file whose `[profile NAME]` may hold endpoint_url and region (CoreWeave, VAST Data; Nebius
 * uses the AWS files themselves).
 */
function profileStore(opts: {
  credentialsFile: (env: NodeJS.ProcessEnv) => string;
  configFile: (env: NodeJS.ProcessEnv) => string;
  profile: string;
  how: string;
}): Discover<S3Discovered> {
  return (env) => {
    const credFile = opts.credentialsFile(env);
    const confFile = opts.configFile(env);
    const cred = iniProfile(readIni(credFile), opts.profile);
    const conf = iniProfile(readIni(confFile), opts.profile, true);
    if (!cred) return undefined;
    const section: S3Discovered = {
      credentialsFile: credFile,
      profile: opts.profile,
      ...(conf?.endpoint_url ? { endpoint: conf.endpoint_url } : {}),
      ...(conf?.region ? { region: conf.region } : {}),
    };
    return {
      from: `${displayPath(credFile)} [${opts.profile}]${conf?.endpoint_url ? ` + ${displayPath(confFile)}` : ''}`,
      section,
      error: keyPairError(credFile, opts.profile, cred, opts.how),
    };
  };
}

const awsCredentialsFile = (env: NodeJS.ProcessEnv) =>
  env.AWS_SHARED_CREDENTIALS_FILE || homePath('.aws/credentials', env);
const awsConfigFile = (env: NodeJS.ProcessEnv) => env.AWS_CONFIG_FILE || homePath('.aws/config', env);

/** Nebius: profile nebius of the AWS files (SkyPilot's boto3 session), endpoint_url/region in ~/.aws/config. */
export const discoverNebius = profileStore({
  credentialsFile: awsCredentialsFile,
  configFile: awsConfigFile,
  profile: 'nebius',
  how: 'Run `aws configure --profile nebius` with your Nebius access key.',
});

/** CoreWeave: ~/.coreweave/cw.credentials [cw], endpoint_url in ~/.coreweave/cw.config [profile cw]. */
export const discoverCoreweave = profileStore({
  credentialsFile: (env) => homePath('.coreweave/cw.credentials', env),
  configFile: (env) => homePath('.coreweave/cw.config', env),
  profile: 'cw',
  how: 'Run `AWS_SHARED_CREDENTIALS_FILE=~/.coreweave/cw.credentials aws configure --profile cw`.',
});

/** VAST Data: ~/.vastdata/vastdata.credentials [vastdata], endpoint_url in ~/.vastdata/vastdata.config. */
export const discoverVastdata = profileStore({
  credentialsFile: (env) => homePath('.vastdata/vastdata.credentials', env),
  configFile: (env) => homePath('.vastdata/vastdata.config', env),
  profile: 'vastdata',
  how: 'Run `AWS_SHARED_CREDENTIALS_FILE=~/.vastdata/vastdata.credentials aws configure --profile vastdata`.',
});

/** Cloudflare R2: ~/.cloudflare/r2.credentials [r2] and the account id in ~/.cloudflare/accountid. */
export const discoverR2: Discover<S3Discovered> = (env) => {
  const credFile = homePath('.cloudflare/r2.credentials', env);
  const idFile = homePath('.cloudflare/accountid', env);
  const cred = iniProfile(readIni(credFile), 'r2');
  const hasId = exists(idFile);
  if (!cred && !hasId) return undefined;
  const section: S3Discovered = { credentialsFile: credFile, profile: 'r2' };
  let error: SkyError | undefined;
  if (hasId) {
    const id = fs.readFileSync(idFile, 'utf8').split('\n')[0].trim();
    if (/^[A-Za-z0-9-]+$/.test(id)) section.endpoint = `https://${id}.r2.cloudflarestorage.com`;
    else
      error = new SkyError(
        'store-credentials',
        `${displayPath(idFile)} does not hold a Cloudflare account id.`,
        {
          hint: 'Write your account id on its first line: echo ACCOUNT_ID > ~/.cloudflare/accountid',
        },
      );
  } else
    error = new SkyError(
      'store-credentials',
      `${displayPath(idFile)} is missing (R2's endpoint needs the account id).`,
      {
        hint: 'Write it as SkyPilot asks: echo ACCOUNT_ID > ~/.cloudflare/accountid',
      },
    );
  if (!cred)
    error = new SkyError('store-credentials', `${displayPath(credFile)} has no [r2] profile.`, {
      hint: 'Run `AWS_SHARED_CREDENTIALS_FILE=~/.cloudflare/r2.credentials aws configure --profile r2`.',
    });
  else
    error ??= keyPairError(
      credFile,
      'r2',
      cred,
      'Run `AWS_SHARED_CREDENTIALS_FILE=~/.cloudflare/r2.credentials aws configure --profile r2`.',
    );
  return { from: `${displayPath(credFile)} [r2] + ${displayPath(idFile)}`, section, error };
};

/** IBM COS: the HMAC keys access_key_id / secret_access_key of ~/.ibm/credentials.yaml. */
export const discoverIbm: Discover<S3Discovered> = (env) => {
  const file = homePath('.ibm/credentials.yaml', env);
  const y = readYaml(file);
  if (!y) return undefined;
  const id = typeof y.access_key_id === 'string' ? y.access_key_id : undefined;
  const secret = typeof y.secret_access_key === 'string' ? y.secret_access_key : undefined;
  if (secret) registerSecret(secret);
  if (!id || !secret)
    return {
      from: displayPath(file),
      section: {},
      error: new SkyError(
        'store-credentials',
        `${displayPath(file)} has no ${[!id && 'access_key_id', !secret && 'secret_access_key'].filter(Boolean).join(' and ')} (IBM COS's HMAC keys).`,
        { hint: 'Create HMAC credentials for the COS instance and add both keys to that file.' },
      ),
    };
  return { from: displayPath(file), section: { staticKeys: { accessKeyId: id, secretAccessKey: secret } } };
};

/**
 * GCS: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, else
 * application_default_credentials.json in gcloud's folder) and gcloud's project (GOOGLE_CLOUD_PROJECT,
 * CLOUDSDK_CORE_PROJECT, else `project` of the active gcloud configuration) and its
 * `api_endpoint_overrides/storage`.
 */
export const discoverGcs: Discover<GcsConfig> = (env) => {
  const gcloud = env.CLOUDSDK_CONFIG || homePath('.config/gcloud', env);
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS || `${gcloud}/application_default_credentials.json`;
  const adc = readJson(keyFile);
  if (!adc) {
    if (env.GOOGLE_APPLICATION_CREDENTIALS)
      return {
        from: 'GOOGLE_APPLICATION_CREDENTIALS',
        section: {},
        error: new SkyError(
          'store-credentials',
          `GOOGLE_APPLICATION_CREDENTIALS names ${keyFile}, which does not exist.`,
        ),
      };
    return undefined;
  }
  const from = displayPath(keyFile);
  if (typeof adc.type !== 'string')
    return {
      from,
      section: {},
      error: new SkyError(
        'store-credentials',
        `${from} has no "type": it is not a Google credentials file.`,
        {
          hint: 'Run `gcloud auth application-default login` to write it again.',
        },
      ),
    };
  let active = 'default';
  try {
    active = fs.readFileSync(`${gcloud}/active_config`, 'utf8').trim() || 'default';
  } catch {
    // gcloud's default configuration
  }
  const gcloudConfig = readIni(`${gcloud}/configurations/config_${active}`);
  let projectId =
    env.GOOGLE_CLOUD_PROJECT || env.CLOUDSDK_CORE_PROJECT || gcloudConfig?.get('core')?.project || undefined;
  // gcloud's storage endpoint override (`gcloud config set api_endpoint_overrides/storage URL`),
  // which the gcloud storage commands SkyPilot runs honour: the JSON API's root, ending in /storage/v1/.
  const override =
    env.CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE || gcloudConfig?.get('api_endpoint_overrides')?.storage;
  const endpoint = override ? override.replace(/\/+$/, '').replace(/\/storage\/v1$/, '') : undefined;
  projectId ??=
    (typeof adc.quota_project_id === 'string' && adc.quota_project_id) ||
    (typeof adc.project_id === 'string' && adc.project_id) ||
    undefined;
  return {
    from,
    section: { keyFile, ...(projectId ? { projectId } : {}), ...(endpoint ? { endpoint } : {}) },
    error: projectId
      ? undefined
      : new SkyError('store-credentials', 'GCS credentials were found but no gcloud project.', {
          hint: 'Run `gcloud config set project PROJECT_ID` (or set GOOGLE_CLOUD_PROJECT).',
        }),
  };
};

/**
 * Azure: AZURE_STORAGE_CONNECTION_STRING, or a storage account (AZURE_STORAGE_ACCOUNT, else
 * azure.storage_account of SkyPilot's ~/.sky/config.yaml) with AZURE_STORAGE_KEY /
 * AZURE_STORAGE_SAS_TOKEN or the signed-in identity (`az login`'s ~/.azure, the AZURE_* service
 * principal variables), which @azure/identity uses.
 */
export const discoverAzure: Discover<AzureConfig> = (env) => {
  const conn = env.AZURE_STORAGE_CONNECTION_STRING;
  if (conn) {
    registerSecret(conn);
    return { from: 'AZURE_STORAGE_CONNECTION_STRING', section: { connectionString: conn } };
  }
  const azDir = env.AZURE_CONFIG_DIR || homePath('.azure', env);
  const loggedIn = exists(`${azDir}/azureProfile.json`) || exists(`${azDir}/msal_token_cache.json`);
  const principal = Boolean(env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID);
  const fromConfig = skyPilotConfigValue(['azure', 'storage_account'], env);
  const account = env.AZURE_STORAGE_ACCOUNT || fromConfig;
  const key = env.AZURE_STORAGE_KEY;
  const sas = env.AZURE_STORAGE_SAS_TOKEN;
  if (key) registerSecret(key);
  if (sas) registerSecret(sas);
  const identity = loggedIn
    ? `\`az login\` (${displayPath(azDir)})`
    : principal
      ? 'AZURE_CLIENT_ID'
      : undefined;
  if (!account && !identity) return undefined;
  const where = [
    account &&
      (env.AZURE_STORAGE_ACCOUNT
        ? 'AZURE_STORAGE_ACCOUNT'
        : `${displayPath(skyPilotConfigFile(env))} azure.storage_account`),
    key ? 'AZURE_STORAGE_KEY' : sas ? 'AZURE_STORAGE_SAS_TOKEN' : identity,
  ]
    .filter(Boolean)
    .join(' + ');
  if (!account)
    return {
      from: where,
      section: {},
      error: new SkyError('store-credentials', 'Signed in to Azure, but no storage account is named.', {
        hint: 'Name it as SkyPilot reads it: `azure: { storage_account: NAME }` in ~/.sky/config.yaml (or set AZURE_STORAGE_ACCOUNT, or stores.azure.account).',
      }),
    };
  return {
    from: where,
    section: { account, ...(key ? { accountKey: key } : sas ? { sasToken: sas } : {}) },
  };
};

/**
 * OCI: the OCI_CONFIG file (else ~/.oci/config), profile oci.default.oci_config_profile of SkyPilot's
 * config (else DEFAULT), which must hold user, fingerprint, tenancy, region and an existing key_file.
 */
export const discoverOci: Discover<OciConfig> = (env) => {
  const file = env.OCI_CONFIG || homePath('.oci/config', env);
  const ini = readIni(file);
  if (!ini) return undefined;
  const profile = skyPilotConfigValue(['oci', 'default', 'oci_config_profile'], env) ?? 'DEFAULT';
  const from = `${displayPath(file)} [${profile}]`;
  const section = ini.get(profile);
  const fail = (msg: string) => ({
    from,
    section: {},
    error: new SkyError('store-credentials', msg, { hint: 'Run `oci setup config` to write it again.' }),
  });
  if (!section) return fail(`${displayPath(file)} has no [${profile}] profile.`);
  const missing = missingKeys(section, ['user', 'fingerprint', 'tenancy', 'region', 'key_file']);
  if (missing.length) return fail(`[${profile}] in ${displayPath(file)} has no ${missing.join(', ')}.`);
  const keyFile = section.key_file.replace(/^~(?=\/)/, env.HOME ?? '~');
  if (!exists(keyFile))
    return fail(`The key_file of [${profile}] in ${displayPath(file)} (${section.key_file}) does not exist.`);
  return { from, section: { configFile: file, profile, region: section.region } };
};
