import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { LaunchPreview } from '../../../engine/launch/preview';
import { renderPreview } from '../../../engine/launch/previewText';
import { walkLocalTree } from '../../../engine/sync/localTree';
import { makeTestDir } from '../../sandbox/proc';

describe('launch preview as Markdown', () => {
  it('shows names with backticks and newlines exactly, each in one code span on one line', () => {
    const root = makeTestDir('sky-unit-preview-');
    fs.writeFileSync(path.join(root, '.gitignore'), 'a`b\n*.tmp\n');
    fs.writeFileSync(path.join(root, 'a`b'), '');
    fs.writeFileSync(path.join(root, 'new\nline.tmp'), '');
    const tree = walkLocalTree(root);
    const p: LaunchPreview = {
      version: 1,
      kind: 'launch',
      taskFile: path.join(root, 'task.yaml'),
      cluster: 'c',
      nodes: ['c'],
      compared: false,
      notCompared: 'offline: the nodes were not asked',
      delete: false,
      syncs: [
        {
          what: 'workdir',
          source: root,
          target: '~/sky_workdir',
          isFile: false,
          rules: tree.mode,
          local: { files: 1, bytes: tree.totalBytes },
          excluded: tree.excluded.map((x) => ({ path: x.rel, ...x.rule })),
          nodes: [],
        },
      ],
      buckets: [],
      steps: [],
    };
    const text = renderPreview(p);
    assert.ok(text.includes('  - ``a`b`` by ``a`b`` in .gitignore:1\n'), text);
    assert.ok(text.includes('  - `new\\nline.tmp` by `*.tmp` in .gitignore:2\n'), text);
  });
});
