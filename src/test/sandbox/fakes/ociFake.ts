// A named fake of OCI Object Storage's native API (what oci-objectstorage sends with
// client.endpoint set): namespace, buckets in a compartment, objects list with
// prefix/delimiter/start/limit, put/get/head/delete (content type and opc-meta-* kept), multipart
// uploads, CopyObject with its work request (done on the second poll), and pre-authenticated
// requests (ObjectRead links served without a signature until they expire). Every other request must carry an
// `Authorization: Signature version="1",keyId=…,algorithm="rsa-sha256",headers=…,signature=…`
// header with the expected keyId; with a public key the signature itself is verified.
import * as crypto from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';

interface FakeObject {
  data: Buffer;
  modified: string;
  etag: string;
  contentType?: string;
  meta?: Record<string, string>;
}
interface WorkRequest {
  polls: number;
  status: string;
  run: () => void;
}
interface Par {
  bucket: string;
  object: string;
  expires: number;
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
  const workRequests = new Map<string, WorkRequest>();
  const pars = new Map<string, Par>();

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const segs = url.pathname.split('/').filter((s) => s !== '');
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    // A pre-authenticated request: /p/{token}/n/{ns}/b/{b}/o/{object}, no signature.
    if (segs[0] === 'p' && method === 'GET') {
      const par = pars.get(segs[1] ?? '');
      const object = decodeURIComponent(segs.slice(7).join('/'));
      if (
        !par ||
        par.expires < Date.now() ||
        par.object !== object ||
        decodeURIComponent(segs[5]) !== par.bucket
      )
        return ociError(res, 404, 'NotFound', 'No such pre-authenticated request');
      const o = buckets.get(par.bucket)?.objects.get(object);
      if (!o) return ociError(res, 404, 'ObjectNotFound', `Object ${object} not found`);
      res.writeHead(200, {
        'content-length': o.data.length,
        'content-type': o.contentType ?? 'application/octet-stream',
      });
      return void res.end(o.data);
    }
    const authError = checkSignature(req, opts);
    if (authError) return ociError(res, 401, 'NotAuthenticated', authError);
    if (segs[0] === 'workRequests' && segs.length === 2) {
      const w = workRequests.get(decodeURIComponent(segs[1]));
      if (!w) return ociError(res, 404, 'NotFound', 'No such work request');
      if (method === 'DELETE') {
        if (w.status !== 'COMPLETED') w.status = 'CANCELED';
        return send(res, 202);
      }
      // The copy happens on the second poll, so a client must really wait for it.
      if (w.status === 'ACCEPTED' && ++w.polls >= 2) {
        w.run();
        w.status = 'COMPLETED';
      }
      return send(res, 200, {
        id: segs[1],
        operationType: 'COPY_OBJECT',
        status: w.status,
        compartmentId: 'fake',
        timeAccepted: new Date().toISOString(),
        percentComplete: w.status === 'COMPLETED' ? 100 : 0,
      });
    }
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
    if (segs[4] === 'actions' && segs[5] === 'copyObject' && method === 'POST') {
      const d = JSON.parse(body.toString() || '{}') as {
        sourceObjectName?: string;
        destinationBucket?: string;
        destinationObjectName?: string;
        destinationNamespace?: string;
        destinationRegion?: string;
      };
      const src = bucket.objects.get(d.sourceObjectName ?? '');
      if (!src) return ociError(res, 404, 'ObjectNotFound', `Object ${d.sourceObjectName} not found`);
      const target = buckets.get(d.destinationBucket ?? '');
      if (!target || d.destinationNamespace !== namespace || !d.destinationRegion || !d.destinationObjectName)
        return ociError(
          res,
          400,
          'InvalidParameter',
          'destination bucket, namespace, region and name required',
        );
      const id = `wr-${crypto.randomBytes(8).toString('hex')}`;
      const dstName = d.destinationObjectName;
      workRequests.set(id, {
        polls: 0,
        status: 'ACCEPTED',
        run: () =>
          target.objects.set(dstName, {
            ...src,
            data: Buffer.from(src.data),
            modified: new Date().toISOString(),
            etag: crypto.randomBytes(8).toString('hex'),
          }),
      });
      return send(res, 202, undefined, { 'opc-work-request-id': id });
    }
    if (segs[4] === 'p' && segs.length === 5 && method === 'POST') {
      const d = JSON.parse(body.toString() || '{}') as {
        name?: string;
        objectName?: string;
        accessType?: string;
        timeExpires?: string;
      };
      if (d.accessType !== 'ObjectRead' || !d.objectName || !d.timeExpires || !d.name)
        return ociError(res, 400, 'InvalidParameter', 'this fake makes ObjectRead requests for one object');
      const token = crypto.randomBytes(16).toString('base64url');
      pars.set(token, { bucket: bucketName, object: d.objectName, expires: Date.parse(d.timeExpires) });
      return send(res, 200, {
        id: `par-${token.slice(0, 8)}`,
        name: d.name,
        accessUri: `/p/${token}/n/${namespace}/b/${segs[3]}/o/${encodeURIComponent(d.objectName)}`,
        objectName: d.objectName,
        accessType: d.accessType,
        timeExpires: d.timeExpires,
        timeCreated: new Date().toISOString(),
      });
    }
    if (segs[4] === 'o') {
      const name = decodeURIComponent(segs.slice(5).join('/'));
      if (method === 'PUT') {
        const etag = crypto.randomBytes(8).toString('hex');
        const meta = Object.fromEntries(
          Object.entries(req.headers)
            .filter(([k]) => k.startsWith('opc-meta-'))
            .map(([k, v]) => [k.slice('opc-meta-'.length), String(v)]),
        );
        bucket.objects.set(name, {
          data: body,
          modified: new Date().toISOString(),
          etag,
          contentType: req.headers['content-type'],
          meta,
        });
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
        'content-type': o.contentType ?? 'application/octet-stream',
        'content-md5': crypto.createHash('md5').update(o.data).digest('base64'),
        ...Object.fromEntries(Object.entries(o.meta ?? {}).map(([k, v]) => [`opc-meta-${k}`, v])),
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
