import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import { Client } from 'ssh2';
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  ListObjectsV2Command,
  GetObjectCommand,
  DeleteObjectCommand,
  DeleteBucketCommand,
  ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { sharedSandbox, type Sandbox, type SandboxNode } from '../sandbox';

function connect(sb: Sandbox, node: SandboxNode): Promise<{ client: Client; presentedKey: Buffer }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let presentedKey: Buffer | undefined;
    client
      .on('ready', () => resolve({ client, presentedKey: presentedKey! }))
      .on('error', reject)
      .connect({
        host: node.ip,
        port: node.port,
        username: node.user,
        privateKey: fs.readFileSync(sb.ssh!.keyPath),
        readyTimeout: 10_000,
        hostVerifier: (key: Buffer) => {
          presentedKey = key;
          return true;
        },
      });
  });
}

function execStream(
  client: Client,
  cmd: string,
): Promise<{ code: number; chunks: { t: number; data: string }[] }> {
  return new Promise((resolve, reject) => {
    client.exec(cmd, (err, ch) => {
      if (err) return reject(err);
      const chunks: { t: number; data: string }[] = [];
      ch.on('data', (d: Buffer) => chunks.push({ t: Date.now(), data: d.toString() }));
      ch.stderr.on('data', () => undefined);
      ch.on('close', (code: number) => resolve({ code, chunks }));
    });
  });
}

describe('sandbox: real servers', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
  });

  it('runs a head and a worker, each with its own host key, hostname, home and (netns) IP', async () => {
    const nodes = sb.ssh!.nodes;
    assert.strictEqual(nodes.length, 2);
    assert.deepStrictEqual(
      nodes.map((n) => n.alias),
      ['sky-sbx', 'sky-sbx-worker1'],
    );
    assert.notStrictEqual(nodes[0].hostKey, nodes[1].hostKey);
    if (sb.mode === 'netns') assert.notStrictEqual(nodes[0].ip, nodes[1].ip);
  });

  it('ssh exec round trip with streamed output on every node', async () => {
    for (const node of sb.ssh!.nodes) {
      const { client, presentedKey } = await connect(sb, node);
      try {
        // The key the node presents is the one recorded in known_hosts.
        const expected = Buffer.from(node.hostKey.split(' ')[1], 'base64');
        assert.ok(presentedKey.equals(expected), `${node.alias} presents its known_hosts key`);
        const start = Date.now();
        const r = await execStream(
          client,
          'for i in 1 2 3 4; do echo "line $i $(hostname) $HOME"; sleep 0.25; done; echo marker > ~/where.txt',
        );
        assert.strictEqual(r.code, 0);
        const text = r.chunks.map((c) => c.data).join('');
        assert.match(text, new RegExp(`line 4 ${node.hostname} /home/skyuser`));
        // Streamed: the first chunk arrived well before the command ended.
        assert.ok(
          r.chunks.length >= 2 && r.chunks[0].t - start < r.chunks[r.chunks.length - 1].t - start - 400,
          'output streams',
        );
        // Each node has its own home: the file lands in that node's home directory on this machine.
        assert.strictEqual(fs.readFileSync(`${node.home}/where.txt`, 'utf8'), 'marker\n');
      } finally {
        client.end();
      }
    }
    assert.notStrictEqual(fs.existsSync(`${sb.ssh!.nodes[1].home}/where.txt`), false);
  });

  it('nodes reach each other and the S3 server', async () => {
    const [head, worker] = sb.ssh!.nodes;
    const { client } = await connect(sb, head);
    try {
      const url = new URL(sb.s3!.endpoint);
      const r = await execStream(
        client,
        `exec 3<>/dev/tcp/${worker.ip}/${worker.port} && head -c 7 <&3; echo; exec 4<>/dev/tcp/${url.hostname}/${url.port} && echo s3-ok`,
      );
      const text = r.chunks.map((c) => c.data).join('');
      assert.match(text, /SSH-2.0/);
      assert.match(text, /s3-ok/);
    } finally {
      client.end();
    }
  });

  it('S3 bucket round trip on Ceph RGW, and a wrong secret is refused', async () => {
    const s3 = new S3Client({
      endpoint: sb.s3!.endpoint,
      region: sb.s3!.region,
      forcePathStyle: true,
      credentials: { accessKeyId: sb.s3!.accessKeyId, secretAccessKey: sb.s3!.secretAccessKey },
    });
    const bucket = `sbx-${crypto.randomBytes(4).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/hello.txt', Body: 'hello rgw' }));
    const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'dir/' }));
    assert.deepStrictEqual(
      list.Contents?.map((c) => c.Key),
      ['dir/hello.txt'],
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/hello.txt' }));
    assert.strictEqual(await got.Body!.transformToString(), 'hello rgw');
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'dir/hello.txt' }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    const bad = new S3Client({
      endpoint: sb.s3!.endpoint,
      region: sb.s3!.region,
      forcePathStyle: true,
      credentials: { accessKeyId: sb.s3!.accessKeyId, secretAccessKey: 'wrong-secret-wrong-secret' },
    });
    await assert.rejects(bad.send(new ListBucketsCommand({})), /SignatureDoesNotMatch|signature/i);
  });

  it('Azure container round trip on Azurite', async () => {
    const svc = BlobServiceClient.fromConnectionString(sb.azure!.connectionString);
    const name = `sbx${crypto.randomBytes(4).toString('hex')}`;
    const container = svc.getContainerClient(name);
    await container.create();
    await container.getBlockBlobClient('a/b.txt').upload('hello azurite', 13);
    const names: string[] = [];
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    assert.deepStrictEqual(names, ['a/b.txt']);
    const buf = await container.getBlobClient('a/b.txt').downloadToBuffer();
    assert.strictEqual(buf.toString(), 'hello azurite');
    await container.delete();
    assert.strictEqual(await container.exists(), false);
  });
});
