// A named fake of the GCS JSON API (what @google-cloud/storage 7 sends with a custom apiEndpoint):
// buckets, objects list with prefix/delimiter/maxResults/pageToken, metadata and media download,
// multipart, media and resumable uploads, and rewrites (server-side copies). Objects carry
// md5Hash, crc32c, mediaLink and user metadata like GCS. Uploads honour the ifGenerationMatch
// precondition (0: only if there is no object) with GCS's 412 conditionNotMet. With `signers`, V4 signed URLs
// (GET /{bucket}/{object}?X-Goog-Signature=…) are served after their RSA signature is verified.
import * as crypto from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';

interface FakeObject {
  data: Buffer;
  updated: string;
  generation: string;
  contentType: string;
  metadata?: Record<string, string>;
}
interface FakeBucket {
  created: string;
  objects: Map<string, FakeObject>;
}
interface ResumableSession {
  bucket: string;
  name: string;
  chunks: Buffer[];
  received: number;
  contentType?: string;
  metadata?: Record<string, string>;
  ifGenerationMatch?: string;
}

export interface GcsFake {
  endpoint: string;
  stop(): Promise<void>;
}

// CRC32C (Castagnoli), as GCS reports it: big-endian 4 bytes, base64.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32c(b: Buffer): string {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function gcsError(res: http.ServerResponse, status: number, message: string, reason = String(status)): void {
  json(res, status, { error: { code: status, message, errors: [{ message, reason }] } });
}

/** Splits a multipart/related body into its parts' bodies (headers dropped). */
function multipartParts(body: Buffer, contentType: string): Buffer[] {
  const m = /boundary="?([^";]+)"?/.exec(contentType);
  if (!m) return [];
  const delim = Buffer.from(`--${m[1]}`);
  const parts: Buffer[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    const part = body.subarray(start, next);
    const headEnd = part.indexOf('\r\n\r\n');
    let content = part.subarray(headEnd + 4);
    if (content.subarray(-2).toString() === '\r\n') content = content.subarray(0, -2);
    parts.push(content);
    pos = next;
  }
  return parts;
}

/** Checks a V4 signed URL (GOOG4-RSA-SHA256, signed header host) against the signer's public key. */
function checkSignedUrl(req: http.IncomingMessage, signers: Record<string, string>): string | undefined {
  const [pathPart, query = ''] = (req.url ?? '/').split('?');
  const pairs = query.split('&').filter((p) => p !== '');
  const get = (k: string) => {
    const p = pairs.find((x) => x.startsWith(`${k}=`));
    return p === undefined ? undefined : decodeURIComponent(p.slice(k.length + 1));
  };
  if (get('X-Goog-Algorithm') !== 'GOOG4-RSA-SHA256') return 'unsupported algorithm';
  const credential = get('X-Goog-Credential') ?? '';
  const [email, ...scopeParts] = credential.split('/');
  const key = signers[email];
  if (!key) return `unknown signer ${email}`;
  const date = get('X-Goog-Date') ?? '';
  const expires = Number(get('X-Goog-Expires'));
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!m || !expires) return 'no date or expiry';
  const signedAt = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (Date.now() > signedAt + expires * 1000) return 'expired';
  const canonicalQuery = pairs
    .filter((p) => !p.startsWith('X-Goog-Signature='))
    .sort()
    .join('&');
  const canonicalRequest = [
    req.method ?? 'GET',
    pathPart,
    canonicalQuery,
    // The SDK signs the endpoint's hostname without its port (GCS's own host has none).
    `host:${String(req.headers.host ?? '').replace(/:\d+$/, '')}`,
    '',
    get('X-Goog-SignedHeaders') ?? '',
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const stringToSign = [
    'GOOG4-RSA-SHA256',
    date,
    scopeParts.join('/'),
    crypto.createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const ok = crypto
    .createVerify('RSA-SHA256')
    .update(stringToSign)
    .verify(key, get('X-Goog-Signature') ?? '', 'hex');
  return ok ? undefined : 'signature does not verify';
}

export async function startGcsFake(opts: {
  host: string;
  port?: number;
  /** Service-account email → PEM public key, for signed URLs. */
  signers?: Record<string, string>;
}): Promise<GcsFake> {
  const buckets = new Map<string, FakeBucket>();
  const sessions = new Map<string, ResumableSession>();
  let endpoint = '';
  let generation = 1;

  const objectResource = (bucket: string, name: string, o: FakeObject) => ({
    kind: 'storage#object',
    id: `${bucket}/${name}/${o.generation}`,
    name,
    bucket,
    generation: o.generation,
    size: String(o.data.length),
    contentType: o.contentType,
    ...(o.metadata ? { metadata: o.metadata } : {}),
    updated: o.updated,
    timeCreated: o.updated,
    md5Hash: crypto.createHash('md5').update(o.data).digest('base64'),
    crc32c: crc32c(o.data),
    etag: crypto.createHash('md5').update(o.data).digest('base64'),
    mediaLink: `${endpoint}/download/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?alt=media`,
    selfLink: `${endpoint}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}`,
  });

  const store = (
    bucket: string,
    name: string,
    data: Buffer,
    contentType: string,
    metadata?: Record<string, string>,
  ) => {
    const o = {
      data,
      updated: new Date().toISOString(),
      generation: String(generation++),
      contentType,
      ...(metadata ? { metadata } : {}),
    };
    buckets.get(bucket)?.objects.set(name, o);
    return objectResource(bucket, name, o);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const segs = url.pathname.split('/').filter((s) => s !== '');
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const body = await readBody(req);

    // Uploads: /upload/storage/v1/b/{b}/o
    if (segs[0] === 'upload' && segs[3] === 'b' && segs[5] === 'o') {
      const bucket = decodeURIComponent(segs[4]);
      if (!buckets.has(bucket)) return gcsError(res, 404, `The specified bucket does not exist.`);
      /** GCS's ifGenerationMatch (the live object's generation, or 0 for none): answers 412 if unmet. */
      const unmet = (name: string, want: string | null | undefined): boolean => {
        if (want === null || want === undefined) return false;
        if (want === (buckets.get(bucket)?.objects.get(name)?.generation ?? '0')) return false;
        gcsError(
          res,
          412,
          'At least one of the pre-conditions you specified did not hold.',
          'conditionNotMet',
        );
        return true;
      };
      const type = q.get('uploadType');
      const uploadId = q.get('upload_id');
      if (method === 'POST' && type === 'multipart') {
        const [meta, media] = multipartParts(body, String(req.headers['content-type'] ?? ''));
        const md = JSON.parse(meta?.toString() || '{}') as {
          name?: string;
          contentType?: string;
          metadata?: Record<string, string>;
        };
        const name = md.name ?? q.get('name');
        if (!name || !media) return gcsError(res, 400, 'Malformed multipart upload');
        if (unmet(name, q.get('ifGenerationMatch'))) return;
        return json(
          res,
          200,
          store(bucket, name, media, md.contentType ?? 'application/octet-stream', md.metadata),
        );
      }
      if (method === 'POST' && type === 'media') {
        const name = q.get('name');
        if (!name) return gcsError(res, 400, 'name required');
        if (unmet(name, q.get('ifGenerationMatch'))) return;
        return json(res, 200, store(bucket, name, body, String(req.headers['content-type'] ?? '')));
      }
      if (method === 'POST' && type === 'resumable') {
        const md = JSON.parse(body.toString() || '{}') as {
          name?: string;
          contentType?: string;
          metadata?: Record<string, string>;
        };
        const name = md.name ?? q.get('name');
        if (!name) return gcsError(res, 400, 'name required');
        if (unmet(name, q.get('ifGenerationMatch'))) return;
        const id = crypto.randomBytes(12).toString('hex');
        sessions.set(id, {
          bucket,
          name,
          chunks: [],
          received: 0,
          // GCS takes the type from the body or, as the SDK sends it, X-Upload-Content-Type.
          contentType: md.contentType ?? (req.headers['x-upload-content-type'] as string | undefined),
          metadata: md.metadata,
          // Checked again when the upload completes.
          ifGenerationMatch: q.get('ifGenerationMatch') ?? undefined,
        });
        res.writeHead(200, {
          location: `${endpoint}/upload/storage/v1/b/${segs[4]}/o?uploadType=resumable&upload_id=${id}`,
        });
        return void res.end();
      }
      if (method === 'PUT' && uploadId) {
        const s = sessions.get(uploadId);
        if (!s) return gcsError(res, 404, 'No such upload');
        // "bytes A-B/T" (a chunk), "bytes A-*/T|*" (the rest in one streamed request), "bytes */T" (query).
        const range = /bytes (?:(\d+)-(\d+|\*)|\*)\/(\*|\d+)/.exec(
          String(req.headers['content-range'] ?? ''),
        );
        if (range?.[1] !== undefined && Number(range[1]) !== s.received)
          return gcsError(res, 400, 'Chunk does not start at the persisted offset');
        s.chunks.push(body);
        s.received += body.length;
        const streamedRest = range?.[2] === '*';
        const total = range && range[3] !== '*' ? Number(range[3]) : undefined;
        if (!streamedRest && (total === undefined || s.received < total)) {
          res.writeHead(308, s.received > 0 ? { range: `bytes=0-${s.received - 1}` } : {});
          return void res.end();
        }
        if (total !== undefined && s.received !== total) return gcsError(res, 400, 'Size mismatch');
        sessions.delete(uploadId);
        if (unmet(s.name, s.ifGenerationMatch)) return;
        return json(
          res,
          200,
          store(
            s.bucket,
            s.name,
            Buffer.concat(s.chunks),
            s.contentType ?? 'application/octet-stream',
            s.metadata,
          ),
        );
      }
      return gcsError(res, 400, 'Unsupported upload');
    }

    // A signed URL: /{bucket}/{object}?X-Goog-Signature=…
    if (q.has('X-Goog-Signature') && segs[0] !== 'storage' && segs[0] !== 'download') {
      const why = opts.signers ? checkSignedUrl(req, opts.signers) : 'no signers';
      if (why) return gcsError(res, 403, `Signed URL rejected: ${why}`);
      const o = buckets
        .get(decodeURIComponent(segs[0]))
        ?.objects.get(decodeURIComponent(segs.slice(1).join('/')));
      if (!o) return gcsError(res, 404, 'No such object');
      res.writeHead(200, { 'content-type': o.contentType, 'content-length': o.data.length });
      return void res.end(o.data);
    }

    // Media download link: /download/storage/v1/b/{b}/o/{o}
    const api = segs[0] === 'download' ? segs.slice(1) : segs;
    if (api[0] !== 'storage' || api[1] !== 'v1' || api[2] !== 'b') return gcsError(res, 404, 'Not Found');
    if (api.length === 3) {
      if (method === 'GET')
        return json(res, 200, {
          kind: 'storage#buckets',
          items: [...buckets].map(([name, b]) => ({
            kind: 'storage#bucket',
            name,
            id: name,
            timeCreated: b.created,
          })),
        });
      if (method === 'POST') {
        const { name } = JSON.parse(body.toString() || '{}') as { name?: string };
        if (!name) return gcsError(res, 400, 'Bucket name required');
        if (buckets.has(name))
          return gcsError(
            res,
            409,
            'Your previous request to create the named bucket succeeded and you already own it.',
          );
        const b = { created: new Date().toISOString(), objects: new Map<string, FakeObject>() };
        buckets.set(name, b);
        return json(res, 200, { kind: 'storage#bucket', name, id: name, timeCreated: b.created });
      }
    }
    const bucketName = decodeURIComponent(api[3]);
    const bucket = buckets.get(bucketName);
    if (!bucket) return gcsError(res, 404, 'The specified bucket does not exist.');
    if (api.length === 4) {
      if (method === 'GET')
        return json(res, 200, {
          kind: 'storage#bucket',
          name: bucketName,
          id: bucketName,
          timeCreated: bucket.created,
        });
      if (method === 'DELETE') {
        if (bucket.objects.size > 0)
          return gcsError(res, 409, 'The bucket you tried to delete is not empty.');
        buckets.delete(bucketName);
        res.writeHead(204);
        return void res.end();
      }
    }
    if (api[4] !== 'o') return gcsError(res, 404, 'Not Found');
    if (api.length === 5 && method === 'GET') {
      const prefix = q.get('prefix') ?? '';
      const delimiter = q.get('delimiter') ?? '';
      const max = Math.min(Number(q.get('maxResults') ?? 1000) || 1000, 1000);
      const after = q.get('pageToken')
        ? Buffer.from(q.get('pageToken') ?? '', 'base64').toString()
        : undefined;
      const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      const items: unknown[] = [];
      const prefixes: string[] = [];
      let last: string | undefined;
      let more = false;
      for (const k of keys) {
        const rest = k.slice(prefix.length);
        const cut = delimiter ? rest.indexOf(delimiter) : -1;
        const entry = cut >= 0 ? prefix + rest.slice(0, cut + delimiter.length) : k;
        if (after !== undefined && entry <= after) continue;
        if (entry === last) continue;
        if (items.length + prefixes.length >= max) {
          more = true;
          break;
        }
        if (cut >= 0) prefixes.push(entry);
        else items.push(objectResource(bucketName, k, bucket.objects.get(k) as FakeObject));
        last = entry;
      }
      return json(res, 200, {
        kind: 'storage#objects',
        items,
        prefixes,
        ...(more && last !== undefined ? { nextPageToken: Buffer.from(last).toString('base64') } : {}),
      });
    }
    // objects.rewrite: /storage/v1/b/{b}/o/{o}/rewriteTo/b/{db}/o/{do}, done in one call here.
    const rewrite = api.indexOf('rewriteTo');
    if (rewrite > 5 && method === 'POST') {
      const srcName = decodeURIComponent(api.slice(5, rewrite).join('/'));
      const src = bucket.objects.get(srcName);
      if (!src) return gcsError(res, 404, `No such object: ${bucketName}/${srcName}`);
      const dstBucket = decodeURIComponent(api[rewrite + 2]);
      if (!buckets.has(dstBucket)) return gcsError(res, 404, 'The destination bucket does not exist.');
      const dstName = decodeURIComponent(api.slice(rewrite + 4).join('/'));
      const resource = store(dstBucket, dstName, Buffer.from(src.data), src.contentType, src.metadata);
      return json(res, 200, {
        kind: 'storage#rewriteResponse',
        totalBytesRewritten: String(src.data.length),
        objectSize: String(src.data.length),
        done: true,
        resource,
      });
    }
    const name = decodeURIComponent(api.slice(5).join('/'));
    const o = bucket.objects.get(name);
    if (!o) return gcsError(res, 404, `No such object: ${bucketName}/${name}`);
    if (method === 'DELETE') {
      bucket.objects.delete(name);
      res.writeHead(204);
      return void res.end();
    }
    if (method === 'GET' && q.get('alt') === 'media') {
      const r = objectResource(bucketName, name, o);
      res.writeHead(200, {
        'content-type': o.contentType,
        'content-length': o.data.length,
        'x-goog-hash': `crc32c=${r.crc32c},md5=${r.md5Hash}`,
        'x-goog-generation': o.generation,
        'x-goog-stored-content-encoding': 'identity',
      });
      return void res.end(o.data);
    }
    if (method === 'GET') return json(res, 200, objectResource(bucketName, name, o));
    return gcsError(res, 405, 'Method not allowed');
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) gcsError(res, 500, String(err));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  endpoint = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
