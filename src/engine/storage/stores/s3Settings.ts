// What an S3-API store connects with: the config section first, then the store's row in the
// registry (SkyPilot's endpoint, region and credentials file for that store), then the AWS chain.
import type { S3LikeConfig } from '../../config/config';
import { expandHome } from '../../config/paths';
import { SkyError } from '../../util/errors';
import type { StoreDescriptor } from './registry';

export interface S3Settings {
  /** undefined: AWS's own endpoint, which the SDK picks from the region. */
  endpoint?: string;
  region: string;
  forcePathStyle?: boolean;
  credentialsFile?: string;
  profile?: string;
  staticKeys?: { accessKeyId: string; secretAccessKey: string };
}

export function s3Settings(d: StoreDescriptor, cfg: S3LikeConfig): S3Settings {
  const defaults = d.s3!;
  const region = cfg.region ?? defaults.region;
  const endpoint = cfg.endpoint ?? defaults.endpoint?.(region);
  if (endpoint === undefined && defaults.endpointHint)
    throw new SkyError('store-config', `The ${d.label} store has no endpoint.`, {
      hint: defaults.endpointHint,
    });
  // A credentials file or profile in the config replaces the store's own pair as a whole.
  const own = cfg.credentialsFile !== undefined || cfg.profile !== undefined || cfg.staticKeys !== undefined;
  const credentialsFile = own ? cfg.credentialsFile : defaults.credentialsFile;
  return {
    endpoint,
    region,
    forcePathStyle: cfg.forcePathStyle,
    credentialsFile: credentialsFile && expandHome(credentialsFile),
    profile: own ? cfg.profile : defaults.profile,
    ...(cfg.staticKeys ? { staticKeys: cfg.staticKeys } : {}),
  };
}

/** The SDK's credential provider for these settings: the named file/profile, or the default chain. */
export async function s3CredentialProvider(s: S3Settings) {
  if (s.staticKeys) {
    const keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = s.staticKeys;
    return () => Promise.resolve({ ...keys });
  }
  return s.credentialsFile || s.profile
    ? (await import('@aws-sdk/credential-provider-ini')).fromIni({
        filepath: s.credentialsFile,
        profile: s.profile,
      })
    : undefined;
}
