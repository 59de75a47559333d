// Type-check, emit test JS (out/), then bundle the extension and CLI (dist/).
const { execFileSync } = require('child_process');
const path = require('path');
const fs = require('fs');
const root = path.resolve(__dirname, '..');
const bin = (n) => path.join(root, 'node_modules', '.bin', n);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
fs.rmSync(path.join(root, 'out'), { recursive: true, force: true });
// Chunk names change between builds: stale ones would be packaged into the .vsix.
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
run(bin('tsc'), ['-p', '.']);
run(bin('webpack'), ['--mode', process.argv.includes('--dev') ? 'development' : 'production']);
fs.chmodSync(path.join(root, 'dist', 'cli.js'), 0o755);
