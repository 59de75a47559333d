// Object GETs and single-request PUTs for the S3-compatible stores, sent without the SDK's middleware
// stack. Profiling 1,000 × 64 KiB transfers against RGW showed the stack costing about as much CPU per
// request as the HTTP exchange itself, which made small-object transfers slower than rclone. The
// endpoint (the SDK's own endpoint rules), the credentials (its provider chain) and the SigV4 signer
// all still come from the S3Client's resolved config, so these are the requests the SDK would send.
import * as crypto from 'crypto';
import * as http from 'http';
import * as https from 'https';
import type { S3Client } from '@aws-sdk/client-s3';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/**
 * A stalled connection fails after this long without a byte, instead of hanging a transfer forever.
 * Generous: RGW holds writes to a bucket while it reshards its index (at 100,000 objects a shard).
 */
const IDLE_TIMEOUT_MS = 300_000;

/** An S3 error response, shaped like the SDK's service exceptions (name = S3's code) for one mapper. */
export class S3HttpError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(code: string, message: string, status: number) {
    super(message || code);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

export interface S3Objects {
  /** A 2xx response whose body the caller reads (or destroys); anything else throws S3HttpError. */
  get(
    bucket: string,
    key: string,
    opts: { range?: string; ifMatch?: string; signal?: AbortSignal },
  ): Promise<http.IncomingMessage>;
  put(bucket: string, key: string, body: Buffer, signal?: AbortSignal): Promise<void>;
}

interface SdkConfig {
  endpointProvider: (
    params: Record<string, unknown>,
    ctx: object,
  ) => EndpointResult | Promise<EndpointResult>;
  signer: (authScheme?: object) => Promise<{
    sign(
      req: object,
      opts: { signingRegion?: string; signingService?: string; signingDate?: Date },
    ): Promise<{
      headers: Record<string, string>;
    }>;
  }>;
  region: () => Promise<string>;
  forcePathStyle?: boolean;
  useFipsEndpoint: () => Promise<boolean>;
  useDualstackEndpoint: () => Promise<boolean>;
  useAccelerateEndpoint?: boolean;
  systemClockOffset?: number;
}
interface EndpointResult {
  url: URL;
  properties?: { authSchemes?: { name: string; signingName?: string; signingRegion?: string }[] };
}

/** S3's key encoding in paths: every byte but unreserved ones escaped, '/' kept (the SDK's `{Key+}`). */
export function encodeKeyPath(key: string): string {
  return key
    .split('/')
    .map((s) =>
      encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

/** `endpoint`: the configured endpoint URL (RGW, R2, COS), or none for AWS's own. */
export function s3Objects(client: S3Client, endpoint?: string): S3Objects {
  const config = client.config as unknown as SdkConfig;
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };
  // One endpoint resolution and one signer per bucket (the rules give the host, path style and the
  // signing region; a bucket with dots goes path-style over https, as the SDK does).
  const buckets = new Map<
    string,
    Promise<{ url: URL; region?: string; signer: Awaited<ReturnType<SdkConfig['signer']>> }>
  >();
  const resolve = (bucket: string) => {
    let r = buckets.get(bucket);
    if (!r) {
      r = (async () => {
        const ep = await config.endpointProvider(
          {
            Bucket: bucket,
            Region: await config.region(),
            UseFIPS: await config.useFipsEndpoint(),
            UseDualStack: await config.useDualstackEndpoint(),
            Accelerate: config.useAccelerateEndpoint ?? false,
            ForcePathStyle: config.forcePathStyle ?? false,
            Endpoint: endpoint,
          },
          {},
        );
        const scheme = ep.properties?.authSchemes?.find((s) => s.name === 'sigv4');
        return {
          url: ep.url,
          region: scheme?.signingRegion,
          signer: await config.signer(scheme),
        };
      })();
      buckets.set(bucket, r);
      // A failed resolution (no credentials yet, say) is tried again next time.
      r.catch(() => buckets.delete(bucket));
    }
    return r;
  };

  const send = async (
    method: 'GET' | 'PUT',
    bucket: string,
    key: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    signal: AbortSignal | undefined,
  ): Promise<http.IncomingMessage> => {
    const { url, region, signer } = await resolve(bucket);
    const path = `${url.pathname.replace(/\/$/, '')}/${encodeKeyPath(key)}`;
    const port = url.port ? Number(url.port) : undefined;
    const signed = await signer.sign(
      {
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port,
        path,
        query: {},
        headers: { host: url.host, ...headers },
        body,
      },
      {
        signingRegion: region,
        signingService: 's3',
        signingDate: new Date(Date.now() + (config.systemClockOffset ?? 0)),
      },
    );
    const attempt = () =>
      new Promise<{ res?: http.IncomingMessage; retry?: boolean; err?: unknown }>((done) => {
        const req = (url.protocol === 'https:' ? https : http).request({
          method,
          protocol: url.protocol,
          hostname: url.hostname,
          port,
          path,
          headers: signed.headers,
          agent: agents[url.protocol as 'http:' | 'https:'],
          signal,
        });
        req.setTimeout(IDLE_TIMEOUT_MS, () =>
          req.destroy(new Error(`No response from ${url.host} in ${IDLE_TIMEOUT_MS / 1000} s`)),
        );
        req.on('response', (res) => done({ res }));
        // A kept-alive socket the server closed in the meantime fails before any response: Node's
        // documented answer is to send again on a fresh one (GET and a buffered PUT are idempotent).
        req.on('error', (err) => done({ err, retry: req.reusedSocket && !signal?.aborted }));
        req.end(body);
      });
    let r = await attempt();
    if (!r.res && r.retry) r = await attempt();
    if (!r.res) throw r.err;
    const res = r.res;
    if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) return res;
    throw await errorFrom(res);
  };

  return {
    get: (bucket, key, opts) =>
      send(
        'GET',
        bucket,
        key,
        {
          'x-amz-content-sha256': EMPTY_SHA256,
          ...(opts.range ? { range: opts.range } : {}),
          ...(opts.ifMatch ? { 'if-match': opts.ifMatch } : {}),
        },
        undefined,
        opts.signal,
      ),
    async put(bucket, key, body, signal) {
      // A signed payload hash: the server refuses a body that changed on the way.
      const res = await send(
        'PUT',
        bucket,
        key,
        {
          'content-length': String(body.length),
          'x-amz-content-sha256': crypto.createHash('sha256').update(body).digest('hex'),
        },
        body,
        signal,
      );
      res.resume();
    },
  };
}

async function errorFrom(res: http.IncomingMessage): Promise<S3HttpError> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    // An error document is small; whatever a broken server sends past 64 KiB is not read.
    for await (const c of res) {
      chunks.push(c as Buffer);
      size += (c as Buffer).length;
      if (size > 64 * 1024) {
        res.destroy();
        break;
      }
    }
  } catch {
    // The status alone still says what happened.
  }
  const xml = Buffer.concat(chunks).toString('utf8');
  const tag = (t: string) => new RegExp(`<${t}>([^<]*)</${t}>`).exec(xml)?.[1] ?? '';
  const status = res.statusCode ?? 0;
  const code = tag('Code') || (status === 404 ? 'NotFound' : `Http${status}`);
  const region = tag('Region') || String(res.headers['x-amz-bucket-region'] ?? '');
  const message = tag('Message') || res.statusMessage || '';
  return new S3HttpError(
    code,
    region && status === 301 ? `${message} (bucket region: ${region})` : message,
    status,
  );
}
