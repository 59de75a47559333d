// Object GETs and single-request PUTs for the S3-compatible stores, sent without the SDK's middleware
// stack and over undici instead of Node's http client. Profiling 1,000 × 64 KiB transfers against RGW
// showed the SDK's stack costing about as much CPU per request as the HTTP exchange itself, and
// undici's client a third less CPU per exchange than Node's http module; both made small-object
// transfers slower than rclone. The endpoint (the SDK's own endpoint rules), the credentials (its
// provider chain) and the SigV4 signer all still come from the S3Client's resolved config, so these
// are the requests the SDK would send.
import * as crypto from 'crypto';
import type { IncomingHttpHeaders } from 'http';
import type { Readable } from 'stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Dispatcher } from 'undici';
import { proxyFor, type ProxySettings } from '../../net/proxy';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/**
 * A stalled connection fails after this long without a byte, instead of hanging a transfer forever.
 * Generous: RGW holds writes to a bucket while it reshards its index (at 100,000 objects a shard).
 */
const IDLE_TIMEOUT_MS = 300_000;
/** An error document is small; whatever a broken server sends past this is not read. */
const ERROR_BODY_MAX = 64 * 1024;

/** An S3 error response, shaped like the SDK's service exceptions (name = S3's code) for one mapper. */
export class S3HttpError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(code: string, message: string, status: number) {
    super(message || code);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

/** A 2xx response whose body the caller reads (or destroys). */
export interface S3Response {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

export interface S3Objects {
  /** A 2xx response to read as a stream; anything else throws S3HttpError. */
  get(
    bucket: string,
    key: string,
    opts: { range?: string; ifMatch?: string; signal?: AbortSignal },
  ): Promise<S3Response>;
  /**
   * A whole small object into memory: no stream at all between the socket and the caller. Undefined,
   * with nothing read, when the object turns out larger than `max` (it grew since it was listed).
   */
  read(
    bucket: string,
    key: string,
    opts: { max: number; signal?: AbortSignal },
  ): Promise<{ headers: IncomingHttpHeaders; chunks: Buffer[]; length: number } | undefined>;
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

/**
 * A request that failed before any response came back, on a connection the server had already given
 * up on: sent once more (GET and a buffered PUT are idempotent). Undici fails such a request with a
 * socket error and opens a fresh connection for the next one.
 */
function isDroppedConnection(err: unknown, signal: AbortSignal | undefined): boolean {
  const code = (err as { code?: string })?.code;
  return !signal?.aborted && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE');
}

/**
 * Loaded with the store, so activating the extension never loads it. Loading undici installs its
 * Agent as the process-wide dispatcher when none is set yet, and Node's own fetch then runs on that
 * agent of another undici version: the OCI SDK's requests (fetch) failed on it, and other
 * extensions' would in the extension host. Node installs its own when its fetch module loads, which
 * reading `Headers` does; undici then leaves it alone.
 */
async function loadUndici(): Promise<typeof import('undici')> {
  void globalThis.Headers;
  return import('undici');
}

/**
 * `endpoint`: the configured endpoint URL (RGW, R2, COS), or none for AWS's own. `proxy`: the
 * editor's proxy settings (the environment's apply without them).
 */
export async function s3Objects(
  client: S3Client,
  endpoint?: string,
  proxy?: ProxySettings,
): Promise<S3Objects> {
  const { Agent, ProxyAgent } = await loadUndici();
  const config = client.config as unknown as SdkConfig;
  // Up to 64 kept-alive connections per host, as Node's agent had.
  const options = { connections: 64, headersTimeout: IDLE_TIMEOUT_MS, bodyTimeout: IDLE_TIMEOUT_MS };
  const direct = new Agent(options);
  // One dispatcher per origin (AWS puts each bucket on its own host): direct, or through its proxy.
  const dispatchers = new Map<string, Dispatcher>();
  const proxies = new Map<string, Dispatcher>();
  const dispatcherFor = (origin: string): Dispatcher => {
    let d = dispatchers.get(origin);
    if (!d) {
      const via = proxyFor(new URL(origin), proxy);
      if (!via) d = direct;
      else {
        d = proxies.get(via) ?? new ProxyAgent({ uri: via, ...options });
        proxies.set(via, d);
      }
      dispatchers.set(origin, d);
    }
    return d;
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

  /** The signed request for `key`, ready for undici. */
  const signed = async (
    method: 'GET' | 'PUT',
    bucket: string,
    key: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
  ): Promise<Dispatcher.DispatchOptions & { origin: string }> => {
    const { url, region, signer } = await resolve(bucket);
    const path = `${url.pathname.replace(/\/$/, '')}/${encodeKeyPath(key)}`;
    const { headers: all } = await signer.sign(
      {
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
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
    return { origin: url.origin, method, path, headers: all, body, idempotent: true };
  };

  /**
   * Sends once more if the connection turned out dropped before any response (`attempt` marks a
   * response that started: a body cut short is the caller's to retry, with its backoff).
   */
  const twice = async <T>(
    send: (attempt: { responded: boolean }) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> => {
    const first = { responded: false };
    try {
      return await send(first);
    } catch (err) {
      if (first.responded || !isDroppedConnection(err, signal)) throw err;
      return send({ responded: false });
    }
  };

  const stream = async (
    req: Dispatcher.DispatchOptions & { origin: string },
    signal: AbortSignal | undefined,
  ): Promise<S3Response> => {
    const res = await twice(() => dispatcherFor(req.origin).request({ ...req, signal }), signal);
    if (res.statusCode >= 200 && res.statusCode < 300) return res as S3Response;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of res.body) {
        chunks.push(c as Buffer);
        size += (c as Buffer).length;
        if (size > ERROR_BODY_MAX) break;
      }
    } catch {
      // The status alone still says what happened.
    }
    res.body.destroy();
    throw errorFrom(res.statusCode, res.headers, Buffer.concat(chunks).toString('utf8'));
  };

  return {
    get: async (bucket, key, opts) =>
      stream(
        await signed(
          'GET',
          bucket,
          key,
          {
            'x-amz-content-sha256': EMPTY_SHA256,
            ...(opts.range ? { range: opts.range } : {}),
            ...(opts.ifMatch ? { 'if-match': opts.ifMatch } : {}),
          },
          undefined,
        ),
        opts.signal,
      ),
    async read(bucket, key, { max, signal }) {
      const req = await signed('GET', bucket, key, { 'x-amz-content-sha256': EMPTY_SHA256 }, undefined);
      return twice(
        (attempt) =>
          new Promise<{ headers: IncomingHttpHeaders; chunks: Buffer[]; length: number } | undefined>(
            (resolve, reject) => {
              let status = 0;
              let tooLarge = false;
              let headers: IncomingHttpHeaders = {};
              const chunks: Buffer[] = [];
              let length = 0;
              let onAbort: (() => void) | undefined;
              const settle = (err?: Error) => {
                if (onAbort) signal?.removeEventListener('abort', onAbort);
                if (tooLarge) resolve(undefined);
                else if (err) reject(err);
                else if (status >= 200 && status < 300) resolve({ headers, chunks, length });
                else reject(errorFrom(status, headers, Buffer.concat(chunks).toString('utf8')));
              };
              dispatcherFor(req.origin).dispatch(req, {
                onRequestStart(controller) {
                  if (!signal) return;
                  const abort = () => controller.abort(signal.reason ?? new Error('aborted'));
                  if (signal.aborted) abort();
                  else signal.addEventListener('abort', (onAbort = abort), { once: true });
                },
                onResponseStart(controller, statusCode, h) {
                  attempt.responded = true;
                  status = statusCode;
                  headers = h;
                  if (statusCode < 300 && Number(h['content-length'] ?? 0) > max) {
                    tooLarge = true;
                    controller.abort(new Error('larger than asked for'));
                  }
                },
                onResponseData(controller, chunk) {
                  // An error document is read up to its limit.
                  if (status >= 300 && length > ERROR_BODY_MAX) return;
                  chunks.push(chunk);
                  length += chunk.length;
                  // A body without a length that turns out large stops here too.
                  if (status < 300 && length > max && !tooLarge) {
                    tooLarge = true;
                    controller.abort(new Error('larger than asked for'));
                  }
                },
                onResponseEnd: () => settle(),
                onResponseError: (_controller, err) => settle(err),
              });
            },
          ),
        signal,
      );
    },
    async put(bucket, key, body, signal) {
      // A signed payload hash: the server refuses a body that changed on the way.
      const res = await stream(
        await signed(
          'PUT',
          bucket,
          key,
          {
            'content-length': String(body.length),
            'x-amz-content-sha256': crypto.createHash('sha256').update(body).digest('hex'),
          },
          body,
        ),
        signal,
      );
      res.body.resume();
    },
  };
}

function errorFrom(status: number, headers: IncomingHttpHeaders, xml: string): S3HttpError {
  const tag = (t: string) => new RegExp(`<${t}>([^<]*)</${t}>`).exec(xml)?.[1] ?? '';
  const code = tag('Code') || (status === 404 ? 'NotFound' : `Http${status}`);
  const region = tag('Region') || String(headers['x-amz-bucket-region'] ?? '');
  const message = tag('Message') || '';
  return new S3HttpError(
    code,
    region && status === 301 ? `${message} (bucket region: ${region})` : message,
    status,
  );
}
