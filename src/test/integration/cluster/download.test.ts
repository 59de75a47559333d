import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tarStream from 'tar-stream';
import { loadConfig } from '../../../engine/config/config';
import { poolFor } from '../../../engine/cluster/pool';
import { exec } from '../../../engine/ssh/exec';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import type { SandboxNode } from '../../sandbox/sshNodes';
import { makeTestDir } from '../../sandbox/proc';
import { CLI } from '../../harness/cli';

type Entry = [Partial<tarStream.Header> & { name: string }, string?];

/** A tar stream with exactly these headers, as a hostile node could send it. */
async function craft(entries: Entry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => pack.on('end', () => r()));
  for (const [header, body] of entries)
    await new Promise<void>((resolve, reject) =>
      pack.entry(header, body ?? '', (err) => (err ? reject(err) : resolve())),
    );
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

/** Every path under `dir`, without following symbolic links. */
function listTree(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const rel = `${prefix}${e.name}`;
      return e.isDirectory() ? [rel, ...listTree(path.join(dir, e.name), `${rel}/`)] : [rel];
    })
    .sort();
}

describe('artifact download: what a node sends is unpacked only inside the destination', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let tmp: string;
  let head: SandboxNode;
  /** Stands in for the user's ~/.ssh: nothing a download does may touch it. */
  let outside: string;
  let bashrc: string;
  const staged: string[] = [];

  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    tmp = makeTestDir('sky-download-');
    outside = path.join(tmp, 'dot-ssh');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'id_rsa'), 'the private key\n');
    head = sb.ssh!.nodes[0];
    // A node that was taken over: its `tar` answers with a staged archive for the names staged below
    // (and is the real tar otherwise). Non-interactive ssh commands read ~/.bashrc, as on a real node.
    const bin = path.join(head.home, '.compromised-bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.mkdirSync(path.join(head.home, '.compromised-archives'), { recursive: true });
    fs.writeFileSync(
      path.join(bin, 'tar'),
      '#!/bin/sh\nfor last; do :; done\nstaged="$HOME/.compromised-archives/$last.tar"\n' +
        'if [ -f "$staged" ]; then exec cat "$staged"; fi\nexec /usr/bin/tar "$@"\n',
      { mode: 0o755 },
    );
    bashrc = fs.readFileSync(path.join(head.home, '.bashrc'), 'utf8');
    fs.writeFileSync(
      path.join(head.home, '.bashrc'),
      `export PATH="$HOME/.compromised-bin:$PATH"\n${bashrc}`,
    );
  });

  after(() => {
    if (!head) return;
    fs.writeFileSync(path.join(head.home, '.bashrc'), bashrc);
    for (const p of ['.compromised-bin', '.compromised-archives', ...staged])
      fs.rmSync(path.join(head.home, p), { recursive: true, force: true });
  });

  /** Makes `~/NAME` exist on the head and its tar answer with `entries` for it. */
  async function stage(name: string, entries: Entry[]): Promise<void> {
    fs.mkdirSync(path.join(head.home, name), { recursive: true });
    staged.push(name);
    fs.writeFileSync(path.join(head.home, '.compromised-archives', `${name}.tar`), await craft(entries));
  }

  /** `sky-vscode download -c sky-sbx ~/NAME <tmp>/NAME/out`: must fail naming `entry`, leaving nothing anywhere. */
  async function expectRefused(name: string, entry: string): Promise<string> {
    const parent = path.join(tmp, name);
    const r = await cli(['download', '-c', 'sky-sbx', `~/${name}`, path.join(parent, 'out')], sb.env());
    assert.strictEqual(r.status, 1, r.stderr);
    assert.ok(r.stderr.includes(`archive entry "${entry}"`), r.stderr);
    assert.match(r.stderr, /refused/);
    assert.match(r.stderr, new RegExp(`~/${name} from sky-sbx`));
    // No destination, no staging folder left beside it, and the stand-in ~/.ssh is untouched.
    assert.deepStrictEqual(fs.existsSync(parent) ? listTree(parent) : [], []);
    assert.deepStrictEqual(listTree(outside), ['id_rsa']);
    assert.strictEqual(fs.readFileSync(path.join(outside, 'id_rsa'), 'utf8'), 'the private key\n');
    assert.deepStrictEqual(
      fs.readdirSync(tmp).filter((n) => n !== 'dot-ssh' && !staged.includes(n)),
      [],
      'nothing written next to the download folders',
    );
    return r.stderr;
  }

  it('refuses a symbolic link followed by a file written through it (into ~/.ssh)', async () => {
    await stage('art-symlink', [
      [{ name: 'art-symlink', type: 'directory', mode: 0o755 }],
      [{ name: 'art-symlink/model.bin', type: 'file', mode: 0o644 }, 'weights'],
      [{ name: 'art-symlink/keys', type: 'symlink', linkname: outside }],
      [
        { name: 'art-symlink/keys/authorized_keys', type: 'file', mode: 0o644 },
        'ssh-ed25519 AAAA attacker\n',
      ],
    ]);
    const err = await expectRefused('art-symlink', 'art-symlink/keys');
    assert.match(err, /symbolic link to ".*dot-ssh", outside the download/);
  });

  it('refuses a relative symbolic link that climbs out of the download, followed by a file through it', async () => {
    // From <tmp>/art-climb/<staging>/art-climb/keys, ../../../dot-ssh is the stand-in ~/.ssh.
    await stage('art-climb', [
      [{ name: 'art-climb', type: 'directory', mode: 0o755 }],
      [{ name: 'art-climb/keys', type: 'symlink', linkname: '../../../dot-ssh' }],
      [{ name: 'art-climb/keys/authorized_keys', type: 'file', mode: 0o644 }, 'ssh-ed25519 AAAA attacker\n'],
    ]);
    const err = await expectRefused('art-climb', 'art-climb/keys');
    assert.match(err, /symbolic link to "\.\.\/\.\.\/\.\.\/dot-ssh", outside the download/);
  });

  it("refuses names with '..' and absolute names", async () => {
    await stage('art-dotdot', [
      [{ name: 'art-dotdot', type: 'directory', mode: 0o755 }],
      [{ name: 'art-dotdot/../../../dot-ssh/authorized_keys', type: 'file', mode: 0o644 }, 'attacker\n'],
    ]);
    assert.match(await expectRefused('art-dotdot', 'art-dotdot/../../../dot-ssh/authorized_keys'), /'\.\.'/);
    const abs = path.join(outside, 'authorized_keys');
    await stage('art-absolute', [
      [{ name: 'art-absolute', type: 'directory', mode: 0o755 }],
      [{ name: abs, type: 'file', mode: 0o644 }, 'attacker\n'],
    ]);
    assert.match(await expectRefused('art-absolute', abs), /absolute name/);
  });

  it('refuses hard links to files outside the destination, directly or through a symbolic link', async () => {
    const key = path.join(outside, 'id_rsa');
    // Link to ~/.ssh/id_rsa, then overwrite the link: the key would be replaced in place.
    await stage('art-hardlink', [
      [{ name: 'art-hardlink', type: 'directory', mode: 0o755 }],
      [{ name: 'art-hardlink/key', type: 'link', linkname: key }],
      [{ name: 'art-hardlink/key', type: 'file', mode: 0o644 }, 'replaced\n'],
    ]);
    assert.match(await expectRefused('art-hardlink', 'art-hardlink/key'), /hard link to ".*id_rsa"/);
    await stage('art-hardlink-via', [
      [{ name: 'art-hardlink-via', type: 'directory', mode: 0o755 }],
      [{ name: 'art-hardlink-via/ssh', type: 'symlink', linkname: 'sub' }],
      [{ name: 'art-hardlink-via/key', type: 'link', linkname: 'art-hardlink-via/ssh/id_rsa' }],
    ]);
    assert.match(
      await expectRefused('art-hardlink-via', 'art-hardlink-via/key'),
      /through the symbolic link "art-hardlink-via\/ssh"/,
    );
  });

  it('refuses device and FIFO entries', async () => {
    await stage('art-device', [
      [{ name: 'art-device', type: 'directory', mode: 0o755 }],
      [{ name: 'art-device/disk', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o666 }],
    ]);
    assert.match(await expectRefused('art-device', 'art-device/disk'), /is a BlockDevice/);
    await stage('art-fifo', [
      [{ name: 'art-fifo', type: 'directory', mode: 0o755 }],
      [{ name: 'art-fifo/pipe', type: 'fifo', mode: 0o644 }],
    ]);
    assert.match(await expectRefused('art-fifo', 'art-fifo/pipe'), /is a FIFO/);
  });

  it('a real folder with relative symbolic links, a hard link and a setuid file arrives whole, without the setuid bit', async () => {
    const { pool } = poolFor(loadConfig(), {});
    try {
      const c = (await pool.get(head.alias)).client;
      // Made by the node user with the node's own tools; downloaded through the node's real tar.
      const made = await exec(
        c,
        'rm -rf ~/art-benign && mkdir -p ~/art-benign/run/ckpt && cd ~/art-benign && ' +
          'printf weights > run/ckpt/model.bin && printf log > run/train.log && ' +
          'ln -s ckpt/model.bin run/latest && ln -s run/ckpt best && ln run/train.log train-copy.log && ' +
          'printf "#!/bin/sh\\n" > tool && chmod 4755 tool && stat -c %a tool',
      );
      assert.strictEqual(made.stdout.trim(), '4755', made.stderr);
      staged.push('art-benign');
      const dest = path.join(tmp, 'benign');
      const r = await cli(['download', '-c', 'sky-sbx', '~/art-benign', dest], sb.env());
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /Downloaded 3 file\(s\)/);
      assert.deepStrictEqual(listTree(dest), [
        'best',
        'run',
        'run/ckpt',
        'run/ckpt/model.bin',
        'run/latest',
        'run/train.log',
        'tool',
        'train-copy.log',
      ]);
      assert.strictEqual(fs.readlinkSync(path.join(dest, 'run', 'latest')), 'ckpt/model.bin');
      assert.strictEqual(fs.readlinkSync(path.join(dest, 'best')), 'run/ckpt');
      assert.strictEqual(fs.readFileSync(path.join(dest, 'best', 'model.bin'), 'utf8'), 'weights');
      assert.strictEqual(fs.readFileSync(path.join(dest, 'train-copy.log'), 'utf8'), 'log');
      assert.strictEqual(
        fs.statSync(path.join(dest, 'train-copy.log')).ino,
        fs.statSync(path.join(dest, 'run', 'train.log')).ino,
      );
      assert.strictEqual(fs.statSync(path.join(dest, 'tool')).mode & 0o7000, 0);
      assert.ok(fs.statSync(path.join(dest, 'tool')).mode & 0o100, 'still executable');
      assert.deepStrictEqual(listTree(outside), ['id_rsa']);
    } finally {
      pool.closeAll();
    }
  });
});
