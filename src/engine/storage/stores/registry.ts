// The one list of bucket stores. Every other place that needs to know the stores (the config's
// shape and defaultStore, the CLI's --store choices, the Storage view's roots, the task URIs a
// launch can attach, the mounts on the nodes) reads it from here, so adding a store is one row —
// and, for a store that does not speak the S3 API, one adapter file under stores/.
import type { AzureConfig, GcsConfig, OciConfig, S3LikeConfig, SkyConfig } from '../../config/config';
import { SkyError } from '../../util/errors';
import type { Store } from '../store';
import { schemeForStore, type StoreType } from '../uri';
import {
  discoverAws,
  discoverAzure,
  discoverCoreweave,
  discoverGcs,
  discoverIbm,
  discoverNebius,
  discoverOci,
  discoverR2,
  discoverVastdata,
  runDiscover,
  type Discover,
  type Discovery,
} from './discover';

/** How a store's bucket reaches a node (SkyPilot's storage modes). */
export type NodeMode = 'MOUNT' | 'MOUNT_CACHED' | 'COPY';
export const ALL_NODE_MODES: readonly NodeMode[] = ['MOUNT', 'MOUNT_CACHED', 'COPY'];

/** The API a store speaks, which picks its adapter, its config keys and its rclone backend. */
export type StoreApi = 's3' | 'gcs' | 'azure' | 'oci';

/** Where an S3-API store finds its endpoint, region and credentials when the config names none. */
export interface S3Defaults {
  region: string;
  /** The endpoint for a region; undefined: AWS's own (the SDK's default), or `endpointHint` when required. */
  endpoint?: (region: string) => string;
  /** No public endpoint exists (each deployment has its own): what to tell the user. */
  endpointHint?: string;
  /** SkyPilot's credentials file and profile for this store (the AWS chain when both are undefined). */
  credentialsFile?: string;
  profile?: string;
  /** rclone's `provider` for this store's remote (`Other` for a plain S3 server). */
  rcloneProvider: string;
  /** The nodes' rclone needs the region (AWS finds a bucket's region itself; IBM COS takes none). */
  regionOnNodes?: boolean;
}

export interface StoreRow {
  /** SkyPilot's StoreType: the upper-case name in `store:`; picks the URI scheme and the bucket-name rule. */
  skyName: StoreType;
  /** What a person calls it, for messages and the Storage view. */
  label: string;
  api: StoreApi;
  /** Where its credentials come from when the config section names none, for hints. */
  credentials: string;
  /** A config section for the commented template of a new config file. */
  example: string;
  /** False where SkyPilot never creates the bucket: it must exist, and is attached only. */
  canCreate: boolean;
  /** The modes a node can use; a COPY without MOUNT is relayed through this machine. */
  nodeModes: readonly NodeMode[];
  s3?: S3Defaults;
  /** Where SkyPilot keeps this store's credentials: a store found there needs no config section. */
  discover: Discover<ApiConfig[StoreApi]>;
}

// One row per store. The order is the order of lists shown to the user (the Storage view, the CLI).
export const STORE_ROWS = {
  s3: {
    skyName: 'S3',
    label: 'Amazon S3',
    api: 's3',
    credentials: 'the AWS credential chain (~/.aws/credentials, AWS_* variables, SSO)',
    example: '{ endpoint: http://127.0.0.1:7480, region: us-east-1, forcePathStyle: true, profile: default }',
    canCreate: true,
    nodeModes: ALL_NODE_MODES,
    s3: { region: 'us-east-1', rcloneProvider: 'AWS' },
    discover: discoverAws,
  },
  r2: {
    skyName: 'R2',
    label: 'Cloudflare R2',
    api: 's3',
    credentials:
      'profile r2 of ~/.cloudflare/r2.credentials and the account id in ~/.cloudflare/accountid, as SkyPilot reads them',
    example: '{ endpoint: https://ACCOUNT.r2.cloudflarestorage.com, profile: r2 }',
    canCreate: true,
    nodeModes: ALL_NODE_MODES,
    s3: {
      region: 'auto',
      credentialsFile: '~/.cloudflare/r2.credentials',
      profile: 'r2',
      endpointHint:
        'Write your Cloudflare account id to ~/.cloudflare/accountid (as SkyPilot reads it), or set stores.r2.endpoint.',
      rcloneProvider: 'Cloudflare',
      regionOnNodes: true,
    },
    discover: discoverR2,
  },
  ibm: {
    skyName: 'IBM',
    label: 'IBM COS',
    api: 's3',
    credentials:
      'the HMAC keys in ~/.ibm/credentials.yaml (as SkyPilot reads them), or stores.ibm.credentialsFile/profile',
    example: '{ endpoint: https://s3.us-south.cloud-object-storage.appdomain.cloud, profile: ibm }',
    canCreate: true,
    nodeModes: ALL_NODE_MODES,
    s3: {
      region: 'us-east',
      endpoint: (region) => `https://s3.${region}.cloud-object-storage.appdomain.cloud`,
      rcloneProvider: 'IBMCOS',
    },
    discover: discoverIbm,
  },
  nebius: {
    skyName: 'NEBIUS',
    label: 'Nebius Object Storage',
    api: 's3',
    credentials: 'profile nebius of the AWS credentials file (~/.aws/credentials), as SkyPilot reads it',
    example: '{ region: eu-north1 }',
    canCreate: true,
    nodeModes: ALL_NODE_MODES,
    s3: {
      region: 'eu-north1',
      endpoint: (region) => `https://storage.${region}.nebius.cloud`,
      profile: 'nebius',
      rcloneProvider: 'Other',
      regionOnNodes: true,
    },
    discover: discoverNebius,
  },
  coreweave: {
    skyName: 'COREWEAVE',
    label: 'CoreWeave AI Object Storage',
    api: 's3',
    credentials: 'profile cw of ~/.coreweave/cw.credentials, as SkyPilot reads it',
    // SkyPilot never creates CoreWeave buckets: they are made in CoreWeave's console and attached.
    example: '{}',
    canCreate: false,
    nodeModes: ALL_NODE_MODES,
    s3: {
      region: 'auto',
      endpoint: () => 'https://cwobject.com',
      credentialsFile: '~/.coreweave/cw.credentials',
      profile: 'cw',
      rcloneProvider: 'Other',
      regionOnNodes: true,
    },
    discover: discoverCoreweave,
  },
  vastdata: {
    skyName: 'VASTDATA',
    label: 'VAST Data',
    api: 's3',
    credentials: 'profile vastdata of ~/.vastdata/vastdata.credentials, as SkyPilot reads it',
    example: '{ endpoint: https://VAST-S3-ENDPOINT }',
    canCreate: true,
    nodeModes: ALL_NODE_MODES,
    s3: {
      region: 'auto',
      endpointHint:
        'Set stores.vastdata.endpoint to your VAST cluster’s S3 endpoint (SkyPilot reads it from endpoint_url of [profile vastdata] in ~/.vastdata/vastdata.config).',
      credentialsFile: '~/.vastdata/vastdata.credentials',
      profile: 'vastdata',
      rcloneProvider: 'Other',
      regionOnNodes: true,
    },
    discover: discoverVastdata,
  },
  gcs: {
    skyName: 'GCS',
    label: 'Google Cloud Storage',
    api: 'gcs',
    credentials: 'Application Default Credentials and the gcloud project, or stores.gcs.keyFile/projectId',
    example: '{ projectId: my-project }',
    canCreate: true,
    nodeModes: ALL_NODE_MODES,
    discover: discoverGcs,
  },
  azure: {
    skyName: 'AZURE',
    label: 'Azure Blob Storage',
    api: 'azure',
    credentials:
      'stores.azure connectionString, account + accountKey/sasToken, or the storage account of ~/.sky/config.yaml with `az login`',
    example: '{ connectionString: "..." }   # or { account: NAME, sasToken: "..." }',
    canCreate: true,
    nodeModes: ALL_NODE_MODES,
    discover: discoverAzure,
  },
  oci: {
    skyName: 'OCI',
    label: 'OCI Object Storage',
    api: 'oci',
    credentials: 'the OCI config file (~/.oci/config) and its API key',
    example: '{ namespace: NS, compartment: OCID, configFile: ~/.oci/config, profile: DEFAULT }',
    canCreate: true,
    // rclone's Oracle backend needs rclone 1.61+ and the API key on every node: COPY is relayed instead.
    nodeModes: ['COPY'],
    discover: discoverOci,
  },
} as const satisfies Record<string, StoreRow>;

export type StoreKind = keyof typeof STORE_ROWS;
export const STORE_KINDS = Object.keys(STORE_ROWS) as StoreKind[];

export interface StoreDescriptor extends StoreRow {
  kind: StoreKind;
  /** The URI scheme SkyPilot writes for this store (s3, r2, cos, nebius, cw, vastdata, gs, https, oci). */
  scheme: string;
}

const BY_KIND = new Map<StoreKind, StoreDescriptor>();
const BY_SKY_NAME = new Map<StoreType, StoreDescriptor>();
for (const kind of STORE_KINDS) {
  const row: StoreRow = STORE_ROWS[kind];
  const d: StoreDescriptor = { ...row, kind, scheme: schemeForStore(row.skyName) };
  BY_KIND.set(kind, d);
  BY_SKY_NAME.set(row.skyName, d);
}

export function storeDescriptor(kind: StoreKind): StoreDescriptor {
  return BY_KIND.get(kind)!;
}

export function allStores(): StoreDescriptor[] {
  return [...BY_KIND.values()];
}

/** The store a SkyPilot store name or URI names (`S3`, `COREWEAVE`…), if this version can open it. */
export function storeForSkyName(name: StoreType): StoreDescriptor | undefined {
  return BY_SKY_NAME.get(name);
}

/** A user-typed store (`--store`, `defaultStore`, `store:` in a task), case-insensitive. */
export function findStore(s: string): StoreDescriptor | undefined {
  const k = s.toLowerCase();
  return BY_KIND.get(k as StoreKind) ?? BY_SKY_NAME.get(s.toUpperCase() as StoreType);
}

export function isStoreKind(s: string): s is StoreKind {
  return BY_KIND.has(s as StoreKind);
}

/** The config section each API's stores take. */
export interface ApiConfig {
  s3: S3LikeConfig;
  gcs: GcsConfig;
  azure: AzureConfig;
  oci: OciConfig;
}
export type StoreConfigs = { [K in StoreKind]?: ApiConfig[(typeof STORE_ROWS)[K]['api']] };

/** Opens a store with its adapter, loaded on first use so that activating the extension loads no SDK. */
export async function openWithAdapter(d: StoreDescriptor, config: SkyConfig): Promise<Store> {
  const section = storeSection(d.kind, config);
  let store: Store;
  switch (d.api) {
    case 's3':
      store = await (await import('./s3')).openS3Store(d.kind, section as S3LikeConfig, config.proxy);
      break;
    case 'gcs':
      store = await (await import('./gcs')).openGcsStore(section as GcsConfig);
      break;
    case 'azure':
      store = await (await import('./azure')).openAzureStore(section as AzureConfig);
      break;
    case 'oci':
      store = await (await import('./oci')).openOciStore(section as OciConfig);
      break;
  }
  if (!d.canCreate) store.createBucket = (bucket) => Promise.reject(cannotCreate(d, store.uri(bucket)));
  return store;
}

/** The error for a bucket a store never creates (CoreWeave's are made in its console). */
export function cannotCreate(d: StoreDescriptor, uri?: string): SkyError {
  return new SkyError(
    'bucket-create-unsupported',
    `${uri ? `${uri} does not exist, and ` : ''}${d.label} buckets are not created by sky-vscode (SkyPilot never creates them either).`,
    {
      hint: `Create the bucket with ${d.label}'s own console or tools, then use ${uri ?? `${d.scheme}://<bucket>`} as a source (it is attached as is).`,
    },
  );
}

/** Where a store's settings come from: its config section, or SkyPilot's credentials found for it. */
export interface StoreSource {
  kind: StoreKind;
  origin: 'config' | 'skypilot';
  /** SkyPilot's files or variables it was found in (origin skypilot; also shown for a config section they complete). */
  from?: string;
  /** SkyPilot's credentials are there but unusable (never with a config section: the config overrides). */
  error?: SkyError;
}

function discovered(kind: StoreKind, env: NodeJS.ProcessEnv): Discovery<ApiConfig[StoreApi]> | undefined {
  const d = storeDescriptor(kind);
  return runDiscover(d.discover, env, d.credentials);
}

/**
 * The stores there are: each with a config section, and each whose credentials SkyPilot's own files
 * or the SDK's variables hold (also broken ones, which carry their error), in the registry's order.
 */
export function storeSources(config: SkyConfig, env: NodeJS.ProcessEnv = process.env): StoreSource[] {
  const out: StoreSource[] = [];
  for (const kind of STORE_KINDS) {
    if (config.stores[kind] !== undefined) {
      out.push({ kind, origin: 'config' });
      continue;
    }
    const found = discovered(kind, env);
    if (found) out.push({ kind, origin: 'skypilot', from: found.from, error: found.error });
  }
  return out;
}

/**
 * The section a store opens with: the config's section over what was found in SkyPilot's files (a
 * credentials file or profile in the config replaces the found credentials as a whole). Without a
 * config section, broken SkyPilot credentials are an error naming the file and what is wrong.
 */
export function storeSection(
  kind: StoreKind,
  config: SkyConfig,
  env: NodeJS.ProcessEnv = process.env,
): ApiConfig[StoreApi] {
  const own = config.stores[kind] as Record<string, unknown> | undefined;
  const found = discovered(kind, env);
  if (!own) {
    if (found?.error) throw found.error;
    return found?.section ?? {};
  }
  if (!found || found.error) return own;
  const base = { ...(found.section as Record<string, unknown>) };
  if (
    storeDescriptor(kind).api === 's3' &&
    (own.credentialsFile !== undefined || own.profile !== undefined)
  ) {
    delete base.credentialsFile;
    delete base.profile;
    delete base.staticKeys;
  }
  return { ...base, ...own } as ApiConfig[StoreApi];
}
