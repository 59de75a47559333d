// Helpers the transfer benchmarks share: the size and the content hash of a folder tree (so a
// download is checked byte for byte against its source).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export function dirBytes(root: string): number {
  let n = 0;
  for (const e of fs.readdirSync(root, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  return n;
}

/** One hash over every relative path and its bytes, in name order. */
export function treeHash(root: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
      else h.update(`${rel}${e.name}\0`).update(fs.readFileSync(p));
    }
  };
  walk(root, '');
  return h.digest('hex');
}

/** 1,000 × 64 KiB files in 10 folders under small/, and 4 × 64 MiB files under large/. */
export function generateTransferSet(root: string): number {
  let bytes = 0;
  for (let i = 0; i < 1000; i++) {
    const dir = path.join(root, 'small', `d${i % 10}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.bin`), crypto.randomBytes(64 * 1024));
    bytes += 64 * 1024;
  }
  fs.mkdirSync(path.join(root, 'large'), { recursive: true });
  for (let i = 0; i < 4; i++) {
    const fd = fs.openSync(path.join(root, 'large', `big${i}.bin`), 'w');
    for (let j = 0; j < 64; j++) fs.writeSync(fd, crypto.randomBytes(1024 * 1024));
    fs.closeSync(fd);
    bytes += 64 * 1024 * 1024;
  }
  return bytes;
}
