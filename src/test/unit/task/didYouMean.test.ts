import * as assert from 'assert';
import { didYouMean, editDistance } from '../../../engine/task/didYouMean';

describe('did you mean', () => {
  it('edit distance counts transpositions once', () => {
    assert.strictEqual(editDistance('rnu', 'run'), 1);
    assert.strictEqual(editDistance('kitten', 'sitting'), 3);
    assert.strictEqual(editDistance('', 'abc'), 3);
  });
  it('suggests close names only', () => {
    const keys = ['name', 'run', 'setup', 'resources', 'file_mounts', 'envs'];
    assert.strictEqual(didYouMean('resouces', keys), 'resources');
    assert.strictEqual(didYouMean('filemounts', keys), 'file_mounts');
    assert.strictEqual(didYouMean('Run', keys), 'run');
    assert.strictEqual(didYouMean('xyz', keys), undefined);
    assert.strictEqual(didYouMean('accelerators', keys), undefined);
  });
});
