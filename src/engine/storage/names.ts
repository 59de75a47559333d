import type { StoreType } from './uri';

/**
 * Bucket/container name rules per store, as SkyPilot's `validate_name` of each store class enforces
 * them (reference §1.7). Returns undefined for a valid name, otherwise the message to show.
 */
export function validateBucketName(store: StoreType, name: string): string | undefined {
  switch (store) {
    case 'S3':
    case 'R2':
    case 'NEBIUS':
    case 'COREWEAVE':
    case 'VASTDATA':
      return s3Name(name);
    case 'GCS':
      return gcsName(name);
    case 'AZURE':
      return azureName(name);
    case 'IBM':
      return ibmName(name);
    case 'OCI':
      return ociName(name);
    case 'HF':
      return hfName(name);
  }
}

const IP_LIKE = /^(?:\d{1,3}\.){3}\d{1,3}$/;

function lengthError(kind: string, name: string, min: number, max: number): string | undefined {
  if (name.length < min || name.length > max) {
    return `Invalid ${kind} name '${name}': must be between ${min} (min) and ${max} (max) characters long (has ${name.length}).`;
  }
  return undefined;
}

function s3Name(name: string): string | undefined {
  const kind = 'S3 bucket';
  return (
    lengthError(kind, name, 3, 63) ??
    (!/^[a-z0-9][-a-z0-9.]*[a-z0-9]$/.test(name)
      ? `Invalid ${kind} name '${name}': must consist only of lowercase letters, numbers, dots (.) and hyphens (-), and begin and end with a letter or number.`
      : name.includes('..')
        ? `Invalid ${kind} name '${name}': must not contain two adjacent periods.`
        : IP_LIKE.test(name)
          ? `Invalid ${kind} name '${name}': must not be formatted as an IP address (for example, 192.168.5.4).`
          : name.startsWith('xn--')
            ? `Invalid ${kind} name '${name}': must not start with the prefix 'xn--'.`
            : name.endsWith('-s3alias') || name.endsWith('--ol-s3')
              ? `Invalid ${kind} name '${name}': must not end with the suffix '-s3alias' or '--ol-s3'.`
              : undefined)
  );
}

function gcsName(name: string): string | undefined {
  const kind = 'GCS bucket';
  const len = lengthError(kind, name, 3, 222);
  if (len) return len;
  if (!/^[a-z0-9][-a-z0-9._]*[a-z0-9]$/.test(name)) {
    return `Invalid ${kind} name '${name}': must contain only lowercase letters, numbers, dashes (-), underscores (_) and dots (.), and begin and end with a letter or number.`;
  }
  if (name.startsWith('goog') || /google|g00gle|go0gle|g0ogle/.test(name)) {
    return `Invalid ${kind} name '${name}': must not begin with 'goog' or contain 'google' or close misspellings of it.`;
  }
  if (name.split('.').some((p) => p.length > 63)) {
    return `Invalid ${kind} name '${name}': each dot-separated component can be no longer than 63 characters.`;
  }
  if (name.includes('..') || name.includes('.-') || name.includes('-.')) {
    return `Invalid ${kind} name '${name}': must not contain '..', '.-' or '-.'.`;
  }
  if (IP_LIKE.test(name))
    return `Invalid ${kind} name '${name}': must not be an IP address in dotted-decimal notation.`;
  return undefined;
}

function azureName(name: string): string | undefined {
  const kind = 'Azure container';
  const len = lengthError(kind, name, 3, 63);
  if (len) return len;
  if (!/^[a-z0-9][-a-z0-9]*[a-z0-9]$/.test(name)) {
    return `Invalid ${kind} name '${name}': must consist only of lowercase letters, numbers and hyphens (-), and begin and end with a letter or number.`;
  }
  if (name.includes('--'))
    return `Invalid ${kind} name '${name}': must not contain consecutive hyphens (--).`;
  return undefined;
}

function ibmName(name: string): string | undefined {
  const kind = 'IBM COS bucket';
  const len = lengthError(kind, name, 3, 63);
  if (len) return len;
  if (!/^[a-z0-9][-a-z0-9.]*[a-z0-9]$/.test(name)) {
    return `Invalid ${kind} name '${name}': must consist only of lowercase letters, numbers, dots (.) and hyphens (-), and begin and end with a letter or number.`;
  }
  if (name.includes('..') || name.includes('--')) {
    return `Invalid ${kind} name '${name}': must not contain consecutive periods (..) or hyphens (--).`;
  }
  if (name.includes('.-') || name.includes('-.')) {
    return `Invalid ${kind} name '${name}': a period must not be next to a hyphen ('.-' or '-.').`;
  }
  if (IP_LIKE.test(name)) return `Invalid ${kind} name '${name}': must not be formatted as an IP address.`;
  return undefined;
}

function ociName(name: string): string | undefined {
  const kind = 'OCI bucket';
  if (name.includes('@')) {
    if (!/^(\w+:\/\/)?[A-Za-z0-9-._]+(@\w{2}-\w+-\d{1})$/.test(name)) {
      return `Invalid ${kind} name '${name}': the <bucket>@<region> form needs a region like us-sanjose-1.`;
    }
    name = name.slice(0, name.indexOf('@'));
  }
  const len = lengthError(kind, name, 1, 256);
  if (len) return len;
  if (!/^[A-Za-z0-9-._]+$/.test(name)) {
    return `Invalid ${kind} name '${name}': must contain only letters, numbers, dashes (-), underscores (_) and dots (.).`;
  }
  return undefined;
}

const HF_PART = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,95}$/;

function hfName(raw: string): string | undefined {
  let name = raw;
  if (name.startsWith('hf://buckets/')) name = name.slice('hf://buckets/'.length);
  else if (name.startsWith('hf://')) name = name.slice('hf://'.length);
  if (name.startsWith('datasets/')) name = name.slice('datasets/'.length);
  else if (name.startsWith('spaces/')) name = name.slice('spaces/'.length);
  const parts = name.split('/');
  if (parts.length !== 2) {
    return `Invalid Hugging Face bucket name '${raw}': expected '<namespace>/<name>'.`;
  }
  for (const p of parts) {
    if (!HF_PART.test(p)) {
      return `Invalid Hugging Face bucket name '${raw}': '${p}' must start with a letter or digit and contain only letters, digits, '.', '_' or '-' (at most 96 characters).`;
    }
  }
  return undefined;
}
