import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DOC_SCREENSHOTS } from '../e2e/e2eContext';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** The README and every docs/*.md, relative to the repository. */
const docFiles = () => [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

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

  it('links only to files that exist, in the README and in every docs/*.md (relative to each file)', () => {
    for (const file of docFiles()) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)\s]*)?\)/g)) {
        if (/^[a-z]+:/.test(m[1])) continue;
        assert.ok(fs.existsSync(path.join(ROOT, path.dirname(file), m[1])), `${file}: ${m[1]} is missing`);
      }
    }
  });

  it('names only commands the package contributes, with their keybindings as contributed', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      contributes: {
        commands: Array<{ command: string; title: string; category?: string }>;
        keybindings: Array<{ command: string; key: string; mac?: string }>;
      };
    };
    const titles = new Map(pkg.contributes.commands.map((c) => [`${c.category}: ${c.title}`, c.command]));
    for (const file of docFiles()) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/\*\*(Sky: [^*]+?)\*\*/g))
        for (const name of m[1].replace(/\s+/g, ' ').split(' / '))
          assert.ok(titles.has(name), `${file} names "${name}", which package.json does not contribute`);
    }
    const rows = [...readme.matchAll(/^\| `Ctrl\+Alt\+K ([A-Z])` \| (Sky: [^|]+?) \|$/gm)];
    assert.ok(rows.length >= 3, 'the keybinding table');
    for (const [, key, name] of rows) {
      const binding = pkg.contributes.keybindings.find((k) => k.command === titles.get(name));
      assert.ok(binding, `${name} has no keybinding`);
      assert.strictEqual(binding.key, `ctrl+alt+k ${key.toLowerCase()}`);
      assert.strictEqual(binding.mac, `cmd+alt+k ${key.toLowerCase()}`);
    }
  });

  it('its install and contributor commands are npm scripts that exist; package writes the .vsix it names', () => {
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    for (const m of readme.matchAll(/^npm (?:run )?([a-z]+)/gm))
      if (m[1] !== 'ci') assert.ok(scripts[m[1]], `npm ${m[1]} is not a script`);
    const vsix = /npm run package +# → (\S+)/.exec(readme)?.[1];
    assert.ok(vsix && scripts.package.includes(`-o ${vsix}`), `npm run package writes ${vsix}`);
    assert.match(readme, new RegExp(`code --install-extension ${vsix}`));
  });

  it('stays under 200 lines', () => {
    assert.ok(readme.split('\n').length < 200, `${readme.split('\n').length} lines`);
  });
});
