import * as assert from 'assert';
import { cursorContext } from '../../../engine/task/cursor';
import { descriptionAt, keysAt, valuesAt } from '../../../engine/task/schemaNav';

describe('cursor context and schema navigation', () => {
  const text = [
    'name: x',
    'resources:',
    '  cpus: 2',
    '  ',
    'file_mounts:',
    '  /data:',
    '    name: b',
    '    mode: MO',
    '    ',
    'run: hi',
    '---',
    'resources:',
    '  any_of:',
    '    - infra: aws',
    '      ',
  ].join('\n');

  it('key position inside resources lists resource keys minus present ones', () => {
    const c = cursorContext(text, 3, 2);
    assert.deepStrictEqual([c.kind, c.path, c.siblings, c.document], ['key', ['resources'], ['cpus'], 0]);
    const keys = keysAt(c.path).map((k) => k.key);
    assert.ok(keys.includes('accelerators') && keys.includes('infra') && !keys.includes('_requires_fuse'));
  });

  it('value position of a storage mode offers the canonical modes with descriptions', () => {
    const c = cursorContext(text, 7, 12);
    assert.deepStrictEqual([c.kind, c.path, c.prefix], ['value', ['file_mounts', '/data', 'mode'], 'MO']);
    const v = valuesAt(c.path);
    assert.deepStrictEqual(
      v.map((x) => x.value),
      ['MOUNT', 'COPY', 'MOUNT_CACHED'],
    );
    assert.match(v[2].description ?? '', /rclone/);
  });

  it('storage spec keys, list items and later documents', () => {
    const s = cursorContext(text, 8, 4);
    assert.deepStrictEqual(s.path, ['file_mounts', '/data']);
    assert.ok(keysAt(s.path).some((k) => k.key === 'persistent'));
    const item = cursorContext(text, 14, 6);
    assert.deepStrictEqual(
      [item.path, item.document, item.siblings],
      [['resources', 'any_of', '*'], 1, ['infra']],
    );
    assert.ok(keysAt(item.path).some((k) => k.key === 'accelerators'));
  });

  it('descriptions come from the schema', () => {
    assert.match(descriptionAt(['file_mounts']) ?? '', /Files and buckets/);
    assert.match(descriptionAt(['file_mounts', '/x', 'mode']) ?? '', /MOUNT/);
    assert.deepStrictEqual(
      valuesAt(['resources', 'use_spot']).map((v) => v.value),
      ['true', 'false'],
    );
  });
});
