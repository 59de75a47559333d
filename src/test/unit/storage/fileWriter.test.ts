import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeSmallFile } from '../../../engine/storage/fileWriter';
import { localFsError, SkyError } from '../../../engine/util/errors';
import { makeTestDir } from '../../sandbox/proc';

describe('storage file writer (worker thread, real files)', () => {
  let root: string;
  beforeEach(() => (root = makeTestDir('sky-writer-')));

  it('writes 300 files at once byte-identical, whatever the chunking, and replaces an existing file', async () => {
    const sizes = [0, 1, 4095, 4096, 65536, 1024 * 1024];
    const want = new Map<string, Buffer>();
    fs.writeFileSync(path.join(root, 'f0'), 'an older and much longer content that must be gone');
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const body = crypto.randomBytes(sizes[i % sizes.length]);
        const file = path.join(root, `f${i}`);
        want.set(file, body);
        // Socket-like chunks of uneven sizes.
        const chunks: Buffer[] = [];
        for (let at = 0; at < body.length;) {
          const n = Math.min(body.length - at, 1 + ((i * 7919 + at) % 20000));
          chunks.push(body.subarray(at, at + n));
          at += n;
        }
        return writeSmallFile(file, chunks);
      }),
    );
    for (const [file, body] of want) assert.ok(fs.readFileSync(file).equals(body), file);
  });

  it('a failed write rejects with the code and the file, which reads as a local error (not a store one)', async () => {
    const missing = path.join(root, 'no-such-folder', 'f');
    const err = (await writeSmallFile(missing, [Buffer.from('x')]).catch(
      (e: unknown) => e,
    )) as NodeJS.ErrnoException;
    assert.strictEqual(err.code, 'ENOENT');
    assert.strictEqual(err.path, missing);
    const local = localFsError(err);
    assert.ok(local instanceof SkyError);
    assert.strictEqual(local.code, 'local-fs');
    assert.match(local.message, /no-such-folder.*no such file or folder/);
    // The writer goes on after a failure.
    await writeSmallFile(path.join(root, 'after'), [Buffer.from('ok')]);
    assert.strictEqual(fs.readFileSync(path.join(root, 'after'), 'utf8'), 'ok');
  });

  it('a full device (/dev/full) fails with ENOSPC and a message that says the disk is full', async () => {
    const err = await writeSmallFile('/dev/full', [crypto.randomBytes(4096)]).catch((e: unknown) => e);
    assert.strictEqual((err as NodeJS.ErrnoException).code, 'ENOSPC');
    const local = localFsError(err);
    assert.match(local?.message ?? '', /Could not write \/dev\/full: no space left on its disk/);
    assert.match(local?.hint ?? '', /Free some space/);
  });

  it('network errors (no path) and unknown codes are not taken for local ones', () => {
    const net = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      syscall: 'connect',
    });
    assert.strictEqual(localFsError(net), undefined);
    assert.strictEqual(localFsError(new Error('plain')), undefined);
    assert.strictEqual(localFsError(undefined), undefined);
  });
});
