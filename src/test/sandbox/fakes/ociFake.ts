// A named fake of OCI Object Storage's native API (what oci-objectstorage sends with
// client.endpoint set): namespace, buckets in a compartment, objects list with
// prefix/delimiter/start/limit, put/get/head/delete, multipart uploads. Every request must carry an
// `Authorization: Signature version="1",keyId=…,algorithm="rsa-sha256",headers=…,signature=…`
// header with the expected keyId; with a public key the signature itself is verified.
import * as crypto from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';

interface FakeObject {
  data: Buffer;
  modified: string;
  etag: string;
}
interface FakeBucket {
  compartmentId: string;
  created: string;
  objects: Map<string, FakeObject>;
}
interface MultipartUpload {
  bucket: string;
  object: string;
  parts: Map<number, { data: Buffer; etag: string }>;
}

export interface OciFake {
  endpoint: string;
  namespace: string;
  stop(): Promise<void>;
}

export interface OciFakeOptions {
  host: string;
  port?: number;
  namespace?: string;
  /** tenancy/user/fingerprint the client must sign with. */
  keyId: string;
  /** PEM public key: when given, signatures are verified too. */
  publicKey?: string;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function send(
  res: http.ServerResponse,
  status: number,
  body?: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'opc-request-id': crypto.randomBytes(8).toString('hex'),
    ...(body === undefined
      ? {}
      : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }),
    ...headers,
  });
  res.end(text);
}

function ociError(res: http.ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { code, message });
}

/** Checks the OCI request signature (draft-cavage HTTP signatures as OCI uses them). */
function checkSignature(req: http.IncomingMessage, opts: OciFakeOptions): string | undefined {
  const auth = String(req.headers.authorization ?? '');
  if (!auth.startsWith('Signature ')) return 'missing Signature authorization';
  const fields = new Map<string, string>();
  for (const m of auth.slice('Signature '.length).matchAll(/(\w+)="([^"]*)"/g)) fields.set(m[1], m[2]);
  if (fields.get('version') !== '1') return 'version must be 1';
  if (fields.get('algorithm') !== 'rsa-sha256') return 'algorithm must be rsa-sha256';
  if (fields.get('keyId') !== opts.keyId) return `unknown keyId ${fields.get('keyId') ?? ''}`;
  const headers = (fields.get('headers') ?? '').split(' ').map((h) => h.toLowerCase());
  for (const h of ['x-date', '(request-target)', 'host'])
    if (!headers.includes(h)) return `signed headers lack ${h}`;
  if (!opts.publicKey) return undefined;
  const signingString = headers
    .map((h) =>
      h === '(request-target)'
        ? `(request-target): ${(req.method ?? 'GET').toLowerCase()} ${req.url ?? '/'}`
        : `${h.toLowerCase()}: ${String(req.headers[h.toLowerCase()] ?? '')}`,
    )
    .join('\n');
  const ok = crypto
    .createVerify('RSA-SHA256')
    .update(signingString)
    .verify(opts.publicKey, fields.get('signature') ?? '', 'base64');
  return ok ? undefined : 'signature does not verify';
}

export async function startOciFake(opts: OciFakeOptions): Promise<OciFake> {
  const namespace = opts.namespace ?? 'skyfake';
  const buckets = new Map<string, FakeBucket>();
  const uploads = new Map<string, MultipartUpload>();

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const authError = checkSignature(req, opts);
    if (authError) return ociError(res, 401, 'NotAuthenticated', authError);
    const url = new URL(req.url ?? '/', 'http://fake');
    const segs = url.pathname.split('/').filter((s) => s !== '');
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    if (segs[0] !== 'n') return ociError(res, 404, 'NotFound', 'Not found');
    if (segs.length === 1 && method === 'GET') return send(res, 200, namespace);
    if (decodeURIComponent(segs[1]) !== namespace)
      return ociError(res, 404, 'NamespaceNotFound', `Namespace ${segs[1]} not found`);
    if (segs[2] !== 'b') return ociError(res, 404, 'NotFound', 'Not found');
    if (segs.length === 3) {
      if (method === 'GET') {
        const compartmentId = q.get('compartmentId');
        if (!compartmentId) return ociError(res, 400, 'MissingParameter', 'compartmentId is required');
        return send(
          res,
          200,
          [...buckets]
            .filter(([, b]) => b.compartmentId === compartmentId)
            .map(([name, b]) => ({
              namespace,
              name,
              compartmentId,
              createdBy: 'fake',
              timeCreated: b.created,
              etag: name,
            })),
        );
      }
      if (method === 'POST') {
        const d = JSON.parse(body.toString() || '{}') as { name?: string; compartmentId?: string };
        if (!d.name || !d.compartmentId)
          return ociError(res, 400, 'InvalidParameter', 'name and compartmentId required');
        if (buckets.has(d.name))
          return ociError(res, 409, 'BucketAlreadyExists', `Bucket ${d.name} already exists`);
        const b = { compartmentId: d.compartmentId, created: new Date().toISOString(), objects: new Map() };
        buckets.set(d.name, b);
        return send(res, 200, {
          namespace,
          name: d.name,
          compartmentId: d.compartmentId,
          timeCreated: b.created,
          etag: d.name,
        });
      }
    }
    const bucketName = decodeURIComponent(segs[3]);
    const bucket = buckets.get(bucketName);
    if (!bucket) return ociError(res, 404, 'BucketNotFound', `Bucket ${bucketName} does not exist`);
    if (segs.length === 4) {
      if (method === 'HEAD') return send(res, 200, undefined, { etag: bucketName });
      if (method === 'GET')
        return send(res, 200, {
          namespace,
          name: bucketName,
          compartmentId: bucket.compartmentId,
          timeCreated: bucket.created,
        });
      if (method === 'DELETE') {
        if (bucket.objects.size > 0)
          return ociError(res, 409, 'BucketNotEmpty', `Bucket ${bucketName} is not empty`);
        buckets.delete(bucketName);
        return send(res, 204);
      }
    }
    if (segs[4] === 'o' && segs.length === 5 && method === 'GET') {
      const prefix = q.get('prefix') ?? '';
      const delimiter = q.get('delimiter') ?? '';
      const limit = Math.min(Number(q.get('limit') ?? 1000) || 1000, 1000);
      const start = q.get('start') ?? '';
      const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && k >= start).sort();
      const objects: unknown[] = [];
      const prefixes: string[] = [];
      let nextStartWith: string | undefined;
      for (const k of keys) {
        const rest = k.slice(prefix.length);
        const cut = delimiter ? rest.indexOf(delimiter) : -1;
        if (cut >= 0) {
          const p = prefix + rest.slice(0, cut + delimiter.length);
          if (!prefixes.includes(p)) prefixes.push(p);
          continue;
        }
        if (objects.length >= limit) {
          nextStartWith = k;
          break;
        }
        const o = bucket.objects.get(k) as FakeObject;
        objects.push({
          name: k,
          size: o.data.length,
          timeModified: o.modified,
          md5: crypto.createHash('md5').update(o.data).digest('base64'),
          etag: o.etag,
        });
      }
      return send(res, 200, { objects, prefixes, ...(nextStartWith ? { nextStartWith } : {}) });
    }
    if (segs[4] === 'o') {
      const name = decodeURIComponent(segs.slice(5).join('/'));
      if (method === 'PUT') {
        const etag = crypto.randomBytes(8).toString('hex');
        bucket.objects.set(name, { data: body, modified: new Date().toISOString(), etag });
        return send(res, 200, undefined, {
          etag,
          'opc-content-md5': crypto.createHash('md5').update(body).digest('base64'),
          'last-modified': new Date().toUTCString(),
        });
      }
      const o = bucket.objects.get(name);
      if (!o) return ociError(res, 404, 'ObjectNotFound', `Object ${name} not found in bucket ${bucketName}`);
      const headers = {
        etag: o.etag,
        'content-length': o.data.length,
        'content-type': 'application/octet-stream',
        'content-md5': crypto.createHash('md5').update(o.data).digest('base64'),
        'last-modified': new Date(o.modified).toUTCString(),
        'opc-request-id': crypto.randomBytes(8).toString('hex'),
      };
      if (method === 'HEAD') {
        res.writeHead(200, headers);
        return void res.end();
      }
      if (method === 'GET') {
        res.writeHead(200, headers);
        return void res.end(o.data);
      }
      if (method === 'DELETE') {
        bucket.objects.delete(name);
        return send(res, 204);
      }
    }
    if (segs[4] === 'u') {
      if (segs.length === 5 && method === 'POST') {
        const d = JSON.parse(body.toString() || '{}') as { object?: string };
        if (!d.object) return ociError(res, 400, 'InvalidParameter', 'object required');
        const uploadId = crypto.randomBytes(12).toString('hex');
        uploads.set(uploadId, { bucket: bucketName, object: d.object, parts: new Map() });
        return send(res, 200, {
          namespace,
          bucket: bucketName,
          object: d.object,
          uploadId,
          timeCreated: new Date().toISOString(),
        });
      }
      const name = decodeURIComponent(segs.slice(5).join('/'));
      const up = uploads.get(q.get('uploadId') ?? '');
      if (!up || up.object !== name || up.bucket !== bucketName)
        return ociError(res, 404, 'NoSuchUpload', 'No such multipart upload');
      if (method === 'PUT') {
        const etag = crypto.randomBytes(8).toString('hex');
        up.parts.set(Number(q.get('uploadPartNum')), { data: body, etag });
        return send(res, 200, undefined, {
          etag,
          'opc-content-md5': crypto.createHash('md5').update(body).digest('base64'),
        });
      }
      if (method === 'POST') {
        const d = JSON.parse(body.toString() || '{}') as {
          partsToCommit?: { partNum: number; etag: string }[];
        };
        const parts = (d.partsToCommit ?? []).sort((a, b) => a.partNum - b.partNum);
        for (const p of parts)
          if (up.parts.get(p.partNum)?.etag !== p.etag)
            return ociError(res, 400, 'InvalidPart', `Part ${p.partNum} mismatch`);
        const data = Buffer.concat(parts.map((p) => (up.parts.get(p.partNum) as { data: Buffer }).data));
        const etag = crypto.randomBytes(8).toString('hex');
        bucket.objects.set(name, { data, modified: new Date().toISOString(), etag });
        uploads.delete(q.get('uploadId') ?? '');
        return send(res, 200, undefined, { etag });
      }
      if (method === 'DELETE') {
        uploads.delete(q.get('uploadId') ?? '');
        return send(res, 204);
      }
    }
    return ociError(res, 405, 'MethodNotAllowed', `${method} ${url.pathname}`);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) ociError(res, 500, 'InternalServerError', String(err));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    namespace,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
