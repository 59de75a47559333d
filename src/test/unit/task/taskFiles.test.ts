import * as assert from 'assert';
import { isTaskFileName, looksLikeTask } from '../../../schema/taskFiles';

describe('task file detection', () => {
  it('by name: exactly the yamlValidation globs', () => {
    for (const f of ['/a/task.yaml', '/a/x.sky.yaml', '/w/sky/train.yaml', 'C:\\w\\task.yaml'])
      assert.ok(isTaskFileName(f), f);
    for (const f of [
      '/a/docker-compose.yaml',
      '/a/config.yaml',
      '/a/task.json',
      '/a/my-task.yaml',
      '/sky/x/a.yaml',
    ]) {
      assert.ok(!isTaskFileName(f), f);
    }
  });
  it('by content', () => {
    assert.ok(looksLikeTask('name: x\nrun: echo\n'));
    assert.ok(looksLikeTask('resources:\n  cpus: 2\n'));
    assert.ok(!looksLikeTask('apiVersion: v1\nkind: Pod\nspec:\n  run: x\n'));
    assert.ok(!looksLikeTask('services:\n  web:\n    image: x\n'));
    assert.ok(!looksLikeTask('on: push\njobs:\n  build:\n    steps:\n      - run: x\n'));
    assert.ok(!looksLikeTask('name: just a name\n'));
  });
});
