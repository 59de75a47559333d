import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DOC_SCREENSHOTS } from '../e2e/e2eContext';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

describe('README', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);

  it('shows at least three pictures, each present and made by the e2e tier', () => {
    assert.ok(images.length >= 3, `images: ${images.join(', ')}`);
    const made = new Set(Object.values(DOC_SCREENSHOTS));
    for (const img of images) {
      assert.ok(fs.existsSync(path.join(ROOT, img)), `${img} is missing`);
      assert.ok(made.has(img), `${img} is not one of the e2e tier's screenshots (DOC_SCREENSHOTS)`);
    }
  });

  it('links only to files that exist', () => {
    for (const m of readme.matchAll(/\]\(((?:docs|src|examples|schemas)\/[^)#\s]+)\)/g))
      assert.ok(fs.existsSync(path.join(ROOT, m[1])), `${m[1]} is missing`);
  });

  it('stays under 200 lines', () => {
    assert.ok(readme.split('\n').length < 200, `${readme.split('\n').length} lines`);
  });
});
