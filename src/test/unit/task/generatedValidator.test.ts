import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..', '..');

describe('the precompiled schema validator', () => {
  it('is what scripts/gen-validator.js makes from schemas/task.schema.json today', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gen = require(path.join(ROOT, 'scripts', 'gen-validator.js')) as {
      generate(): string;
      OUT: string;
    };
    const committed = fs.readFileSync(gen.OUT, 'utf8');
    assert.ok(
      committed === gen.generate(),
      'src/engine/task/generated/taskValidator.ts is stale: run node scripts/gen-validator.js',
    );
  });
});
