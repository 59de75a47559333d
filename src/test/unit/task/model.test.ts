import * as assert from 'assert';
import * as path from 'path';
import { parseTask, remoteDestination } from '../../../engine/task';

describe('task model', () => {
  const file = '/proj/task.yaml';
  it('defaults, envs as strings, workdir resolved against the task file', () => {
    const y = 'name: t\nworkdir: src\nenvs: {N: 3, B: true, X:}\nrun: echo\n';
    assert.ok(!parseTask(y, { file, localChecks: false }).ok, 'a null env without --env is refused');
    const r = parseTask(y, { file, localChecks: false, env: { X: 'x' } });
    assert.ok(r.ok);
    const t = r.tasks[0];
    assert.strictEqual(t.numNodes, 1);
    assert.strictEqual(t.envs.N, '3');
    assert.strictEqual(t.envs.B, 'True');
    assert.deepStrictEqual(t.workdir, { kind: 'local', path: 'src', localPath: path.resolve('/proj/src') });
    assert.strictEqual(t.run, 'echo');
  });

  it('file mounts: local, uri, storage with resolved store/mode/name, volume', () => {
    const y = [
      'resources: {infra: gcp}',
      'envs: {B: my-bkt}',
      'file_mounts:',
      '  data: ./local',
      '  /s3: s3://$B/path',
      '  /new: {name: new-bkt, source: ./dir}',
      '  ~/ck: {source: "s3://${B}", mode: copy}',
      '  /c: {name: c-1, store: S3, mode: Mount_Cached, type: dataset_ro, config: {mount_cached: {transfers: 4}}}',
      '  /hf: {source: "hf://org/model@v1"}',
      '  /v: {store: volume, name: scratch, config: {disk_size: 10}}',
    ].join('\n');
    const r = parseTask(y, { file, localChecks: false });
    const m = r.tasks[0].fileMounts;
    assert.strictEqual(m.length, 7);
    assert.deepStrictEqual(m[0], {
      dst: 'data',
      remotePath: '~/sky_workdir/data',
      pointer: '/file_mounts/data',
      kind: 'local',
      source: './local',
      localPath: '/proj/local',
    });
    assert.ok(
      m[1].kind === 'uri' &&
        m[1].uri.bucket === 'my-bkt' &&
        m[1].uri.key === 'path' &&
        m[1].pointer === '/file_mounts/~1s3',
    );
    assert.ok(m[2].kind === 'storage');
    if (m[2].kind === 'storage') {
      assert.strictEqual(m[2].storage.store, 'GCS'); // from infra
      assert.strictEqual(m[2].storage.storeExplicit, false);
      assert.strictEqual(m[2].storage.mode, 'MOUNT');
      assert.strictEqual(m[2].storage.persistent, true);
      assert.deepStrictEqual(m[2].storage.sources, [
        { kind: 'local', path: './dir', localPath: '/proj/dir' },
      ]);
    }
    if (m[3].kind === 'storage') {
      assert.strictEqual(m[3].storage.name, 'my-bkt');
      assert.strictEqual(m[3].storage.store, 'S3');
      assert.strictEqual(m[3].storage.mode, 'COPY');
      assert.strictEqual(m[3].remotePath, '~/ck');
    } else assert.fail('storage expected');
    if (m[4].kind === 'storage') {
      assert.strictEqual(m[4].storage.mode, 'MOUNT_CACHED');
      assert.strictEqual(m[4].storage.type, 'DATASET_RO');
      assert.deepStrictEqual(m[4].storage.mountCached, {
        vfs_read_chunk_streams: 0,
        vfs_read_chunk_size: '8M',
        read_only: true,
        transfers: 4,
      });
      assert.strictEqual(m[4].storage.readOnly, true);
    } else assert.fail('storage expected');
    if (m[5].kind === 'storage') {
      assert.strictEqual(m[5].storage.store, 'HF');
      assert.strictEqual(m[5].storage.readOnly, true);
      assert.strictEqual(m[5].storage.name, 'org/model');
    } else assert.fail('storage expected');
    assert.deepStrictEqual(m[6], {
      dst: '/v',
      remotePath: '/v',
      pointer: '/file_mounts/~1v',
      kind: 'volume',
      name: 'scratch',
      persistent: false,
      config: { disk_size: 10 },
    });
  });

  it('pipelines: header separated from tasks', () => {
    const r = parseTask('name: p\n---\nname: a\n---\nname: b\n');
    assert.deepStrictEqual(r.header, { document: 0, name: 'p' });
    assert.deepStrictEqual(
      r.tasks.map((t) => [t.document, t.name]),
      [
        [1, 'a'],
        [2, 'b'],
      ],
    );
  });

  it('ok is false with errors; secrets split into inline and references', () => {
    const r = parseTask('secrets: {"secrets:A": null, TOKEN: x}\nnum_nodes: 0\n');
    assert.strictEqual(r.ok, false);
    assert.deepStrictEqual(r.tasks[0].secrets, { TOKEN: 'x' });
    assert.deepStrictEqual(r.tasks[0].secretRefs, ['secrets:A']);
  });

  it('gpus is reported as accelerators', () => {
    const r = parseTask('resources:\n  gpus: H100:8\n  ordered: [{gpus: A100:1}]\n');
    assert.deepStrictEqual(r.tasks[0].resources, {
      accelerators: 'H100:8',
      ordered: [{ accelerators: 'A100:1' }],
    });
  });

  it('remoteDestination', () => {
    assert.strictEqual(remoteDestination('/abs'), '/abs');
    assert.strictEqual(remoteDestination('~/x'), '~/x');
    assert.strictEqual(remoteDestination('./rel/x'), '~/sky_workdir/rel/x');
  });
});
