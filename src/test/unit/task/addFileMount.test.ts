import * as assert from 'assert';
import { addFileMount } from '../../../engine/task/addFileMount';
import { validateTaskText } from '../../../engine/task/validate';

const TASK = `# Train a model
name: train   # the name

resources:
  cpus: 2+

file_mounts:
  /data: ./local   # keep me
  "/quoted": s3://x

run: |
  echo hi
`;

describe('addFileMount: a bucket URI added under file_mounts as a YAML edit', () => {
  it('inserts after the last entry at its indentation; every other byte stays; validates clean', () => {
    const c = addFileMount(TASK, {
      path: '/ckpt',
      source: 's3://my-bucket',
      mode: 'MOUNT_CACHED',
      type: 'MODEL_CHECKPOINT_RW',
    });
    assert.strictEqual(c.length, 0, 'nothing replaced');
    assert.strictEqual(c.result.slice(0, c.offset) + c.result.slice(c.offset + c.text.length), TASK);
    assert.match(
      c.result,
      /"\/quoted": s3:\/\/x\n {2}\/ckpt:\n {4}source: s3:\/\/my-bucket\n {4}mode: MOUNT_CACHED\n {4}type: MODEL_CHECKPOINT_RW\n\nrun:/,
    );
    const errors = validateTaskText(c.result, { localChecks: false }).filter((d) => d.severity === 'error');
    assert.deepStrictEqual(errors, []);
  });

  it('adds a file_mounts section when there is none, and quotes a path that needs it', () => {
    const c = addFileMount('name: x\nrun: echo hi', {
      path: '/data: raw',
      source: 'https://acct.blob.core.windows.net/cont/raw',
      mode: 'COPY',
    });
    assert.strictEqual(
      c.result,
      'name: x\nrun: echo hi\nfile_mounts:\n  "/data: raw":\n    source: https://acct.blob.core.windows.net/cont/raw\n    mode: COPY\n',
    );
    assert.deepStrictEqual(
      validateTaskText(c.result, { localChecks: false }).filter((d) => d.severity === 'error'),
      [],
    );
  });

  it('fills an empty or flow-style section through the document API', () => {
    assert.strictEqual(
      addFileMount('name: x\nfile_mounts:\nrun: echo\n', { path: '/d', source: 'gs://b', mode: 'MOUNT' })
        .result,
      'name: x\nfile_mounts:\n  /d:\n    source: gs://b\n    mode: MOUNT\nrun: echo\n',
    );
    assert.match(
      addFileMount('file_mounts: {}\n', { path: '/d', source: 'gs://b', mode: 'COPY' }).result,
      /file_mounts: \{ \/d: \{ source: gs:\/\/b, mode: COPY \} \}/,
    );
  });

  it('refuses an existing mount path, a relative path, a type without MOUNT_CACHED, and a broken file', () => {
    assert.throws(
      () => addFileMount(TASK, { path: '/data', source: 's3://b', mode: 'COPY' }),
      /already has \/data/,
    );
    assert.throws(
      () => addFileMount(TASK, { path: 'data', source: 's3://b', mode: 'COPY' }),
      /must be absolute/,
    );
    assert.throws(
      () => addFileMount(TASK, { path: '/d', source: 's3://b', mode: 'MOUNT', type: 'DATASET_RO' }),
      /MOUNT_CACHED only/,
    );
    assert.throws(
      () => addFileMount('a: [1,\n', { path: '/d', source: 's3://b', mode: 'COPY' }),
      /does not parse/,
    );
  });
});
