/**
 * Every bucket URI form SkyPilot accepts (reference §1.8), parsed and formatted in one place.
 * The task validator, the storage engine and the launch planner all go through here so that
 * `s3://b/k`, Azure container URLs, `cos://region/b`, `oci://b@region` and `hf://…` mean the
 * same thing everywhere.
 */

export type StoreType =
  'S3' | 'GCS' | 'AZURE' | 'R2' | 'IBM' | 'OCI' | 'NEBIUS' | 'COREWEAVE' | 'VASTDATA' | 'HF';

export const STORE_TYPES: readonly StoreType[] = [
  'S3',
  'GCS',
  'AZURE',
  'R2',
  'IBM',
  'OCI',
  'NEBIUS',
  'COREWEAVE',
  'VASTDATA',
  'HF',
];

/** Hugging Face URIs name either a read-write bucket or a read-only repo of one of three kinds. */
export type HfKind = 'bucket' | 'model' | 'dataset' | 'space';

export interface StoreUri {
  store: StoreType;
  /** URI scheme as written, lower-cased: s3, gs, https, r2, cos, oci, nebius, cw, vastdata, hf. */
  scheme: string;
  /** Bucket; container for Azure; `ns/name` for HF (with `datasets/` or `spaces/` for those repos). */
  bucket: string;
  /** Path inside the bucket, no leading '/' ('' for the root). */
  key: string;
  /** Azure storage account. */
  account?: string;
  /** IBM COS region, or OCI `@region`. */
  region?: string;
  /** HF only: what the URI names, and the `@revision` of a repo. */
  hfKind?: HfKind;
  revision?: string;
  raw: string;
}

export type ParseResult = { ok: true; uri: StoreUri } | { ok: false; error: string };

/** Regions `cos://<region>/…` accepts (sky/adaptors/ibm.py::get_cos_regions). */
export const IBM_COS_REGIONS: readonly string[] = [
  'us-south',
  'us-east',
  'eu-de',
  'eu-gb',
  'eu-es',
  'ca-tor',
  'au-syd',
  'br-sao',
  'jp-osa',
  'jp-tok',
];

const SCHEME_TO_STORE: Record<string, StoreType> = {
  s3: 'S3',
  gs: 'GCS',
  https: 'AZURE',
  r2: 'R2',
  cos: 'IBM',
  oci: 'OCI',
  nebius: 'NEBIUS',
  cw: 'COREWEAVE',
  vastdata: 'VASTDATA',
  hf: 'HF',
};

const STORE_TO_SCHEME: Record<StoreType, string> = {
  S3: 's3',
  GCS: 'gs',
  AZURE: 'https',
  R2: 'r2',
  IBM: 'cos',
  OCI: 'oci',
  NEBIUS: 'nebius',
  COREWEAVE: 'cw',
  VASTDATA: 'vastdata',
  HF: 'hf',
};

/** The message SkyPilot gives for a scheme it does not know (Storage._validate_source). */
export const SUPPORTED_PATHS_MESSAGE =
  'Supported paths: local, s3://, gs://, https://, r2://, cos://, oci://, nebius://, cw://, vastdata://, hf://.';

export function storeFromScheme(scheme: string): StoreType | undefined {
  return SCHEME_TO_STORE[scheme.toLowerCase()];
}

export function schemeForStore(store: StoreType): string {
  return STORE_TO_SCHEME[store];
}

// Python's urlsplit: optional scheme (letter then letters/digits/+-.), then `//netloc`.
const URLSPLIT_NETLOC = /^\s*(?:([A-Za-z][A-Za-z0-9+.-]*):)?\/\/([^/?#]*)/;

/** SkyPilot's rule (data_utils.is_cloud_store_url): `urlsplit(x).netloc` is non-empty. */
export function isCloudUri(s: string): boolean {
  const m = URLSPLIT_NETLOC.exec(s);
  return m !== null && m[2].length > 0;
}

/** The scheme of a URL-looking string, lower-cased, or undefined for plain paths. */
export function uriScheme(s: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(s);
  return m ? m[1].toLowerCase() : undefined;
}

const AZURE_CONTAINER_URL = /^https:\/\/([a-z0-9]{3,24})\.blob\.core\.windows\.net((?:\/[^/]+)+)\/?$/;
const COS_URL = /^cos:\/\/([-\w]+)\/([-\w]+)(.*)$/;

function ok(uri: StoreUri): ParseResult {
  return { ok: true, uri };
}

function fail(error: string): ParseResult {
  return { ok: false, error };
}

/** `scheme://netloc/rest` → [netloc, rest without leading '/']. */
function splitNetloc(s: string, scheme: string): [string, string] {
  const rest = s.slice(scheme.length + 3);
  const slash = rest.indexOf('/');
  if (slash < 0) return [rest, ''];
  return [rest.slice(0, slash), rest.slice(slash + 1)];
}

function parseHf(s: string): ParseResult {
  const body = s.slice('hf://'.length);
  const parts = body.split('/');
  if (parts[0] === 'buckets') {
    if (parts.length < 3 || !parts[1] || !parts[2]) {
      return fail(
        `Invalid Hugging Face bucket path '${s}'. Expected hf://buckets/<namespace>/<bucket>[/path].`,
      );
    }
    return ok({
      store: 'HF',
      scheme: 'hf',
      bucket: `${parts[1]}/${parts[2]}`,
      key: parts.slice(3).join('/'),
      hfKind: 'bucket',
      raw: s,
    });
  }
  let kind: HfKind = 'model';
  let prefix = '';
  let rest = parts;
  if (parts[0] === 'datasets' || parts[0] === 'spaces') {
    kind = parts[0] === 'datasets' ? 'dataset' : 'space';
    prefix = `${parts[0]}/`;
    rest = parts.slice(1);
  }
  if (rest.length < 2 || !rest[0] || !rest[1]) {
    return fail(
      `Invalid Hugging Face path '${s}'. Expected hf://buckets/<ns>/<bucket>, hf://<ns>/<model>[@rev], ` +
        `hf://datasets/<ns>/<dataset>[@rev] or hf://spaces/<ns>/<space>[@rev], each with an optional /path.`,
    );
  }
  let name = rest[1];
  let revision: string | undefined;
  const at = name.indexOf('@');
  if (at >= 0) {
    revision = name.slice(at + 1);
    name = name.slice(0, at);
    if (!name || !revision) return fail(`Invalid Hugging Face path '${s}': empty repo name or revision.`);
  }
  return ok({
    store: 'HF',
    scheme: 'hf',
    bucket: `${prefix}${rest[0]}/${name}`,
    key: rest.slice(2).join('/'),
    hfKind: kind,
    ...(revision !== undefined ? { revision } : {}),
    raw: s,
  });
}

/** Parses a bucket URI of any supported store; the error reads like SkyPilot's. */
export function parseStoreUri(s: string): ParseResult {
  const scheme = uriScheme(s);
  if (scheme === undefined || !isCloudUri(s)) {
    return fail(`'${s}' is not a bucket URI. ${SUPPORTED_PATHS_MESSAGE}`);
  }
  // SkyPilot matches prefixes literally (`s3://`, …), so an upper-case scheme is not recognised.
  if (!s.startsWith(`${scheme}://`)) {
    return fail(`URI scheme must be lower case in '${s}'. ${SUPPORTED_PATHS_MESSAGE}`);
  }
  const store = storeFromScheme(scheme);
  if (store === undefined)
    return fail(`Unsupported URI scheme '${scheme}://' in '${s}'. ${SUPPORTED_PATHS_MESSAGE}`);
  switch (store) {
    case 'AZURE': {
      const m = AZURE_CONTAINER_URL.exec(s);
      if (!m) {
        return fail(
          `'${s}' is not an Azure container URL. Expected https://<account>.blob.core.windows.net/<container>[/path] ` +
            '(account: 3-24 lower-case letters or digits).',
        );
      }
      const segs = m[2].slice(1).split('/');
      return ok({ store, scheme, bucket: segs[0], key: segs.slice(1).join('/'), account: m[1], raw: s });
    }
    case 'IBM': {
      const m = COS_URL.exec(s);
      if (!m) return fail(`'${s}' is not an IBM COS URI. Expected cos://<region>/<bucket>[/path].`);
      if (!IBM_COS_REGIONS.includes(m[1])) {
        return fail(
          `Invalid IBM COS region '${m[1]}' in '${s}'. Valid regions: ${IBM_COS_REGIONS.join(', ')}.`,
        );
      }
      return ok({ store, scheme, bucket: m[2], key: m[3].replace(/^\/+/, ''), region: m[1], raw: s });
    }
    case 'HF':
      return parseHf(s);
    case 'OCI': {
      const [netloc, key] = splitNetloc(s, scheme);
      const at = netloc.indexOf('@');
      if (at >= 0) {
        const bucket = netloc.slice(0, at);
        const region = netloc.slice(at + 1);
        if (!bucket || !region)
          return fail(`Invalid OCI URI '${s}'. Expected oci://<bucket>[@<region>][/path].`);
        return ok({ store, scheme, bucket, key, region, raw: s });
      }
      return ok({ store, scheme, bucket: netloc, key, raw: s });
    }
    default: {
      const [bucket, key] = splitNetloc(s, scheme);
      return ok({ store, scheme, bucket, key, raw: s });
    }
  }
}

/** The canonical URI for a parsed (or constructed) location. */
export function formatStoreUri(u: Omit<StoreUri, 'raw'>): string {
  const key = u.key.replace(/^\/+/, '');
  const tail = key ? `/${key}` : '';
  switch (u.store) {
    case 'AZURE':
      return `https://${u.account ?? '<account>'}.blob.core.windows.net/${u.bucket}${tail}`;
    case 'IBM':
      return `cos://${u.region ?? 'us-east'}/${u.bucket}${tail}`;
    case 'OCI':
      return `oci://${u.bucket}${u.region ? `@${u.region}` : ''}${tail}`;
    case 'HF': {
      if (u.hfKind === 'bucket' || u.hfKind === undefined) return `hf://buckets/${u.bucket}${tail}`;
      const rev = u.revision ? `@${u.revision}` : '';
      return `hf://${u.bucket}${rev}${tail}`;
    }
    default:
      return `${STORE_TO_SCHEME[u.store]}://${u.bucket}${tail}`;
  }
}

/**
 * The storage name SkyPilot derives from a URI `source` (Storage._validate_storage_spec): the bucket,
 * the Azure container, `ns/name` for HF.
 */
export function bucketNameFromUri(u: StoreUri): string {
  return u.bucket;
}
