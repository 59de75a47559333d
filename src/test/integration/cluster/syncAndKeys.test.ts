import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { connect, SshPool } from '../../../engine/ssh/connect';
import { parseSshConfig } from '../../../engine/ssh/config';
import { exec } from '../../../engine/ssh/exec';
import { syncDirectory, planSync } from '../../../engine/sync/sync';
import { ScriptedUi } from '../../../ui/scriptedUi';
import { hashKnownHostsLine, sharedSandbox, type Sandbox } from '../../sandbox';
import { makeTestDir } from '../../sandbox/proc';

const NASTY = [
  'with space.txt',
  "quote'single.txt",
  'dq"uote.txt',
  '$(touch PWNED).txt',
  'ünïcødé-文件.txt',
  '-leading-dash.txt',
  'semi;colon&amp.txt',
  'back\\slash.txt',
  'new\nline.txt',
];

function sha(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('clusters over SSH: sync and host keys on real sshd nodes', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let tmp: string;
  let pool: SshPool;
  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    tmp = makeTestDir('sky-sync-');
    pool = new SshPool({
      sshConfig: parseSshConfig(sb.ssh!.sshConfigPath),
      knownHostsFile: sb.ssh!.knownHostsPath,
      strict: 'yes',
    });
  });
  after(() => pool.closeAll());

  it('nasty file names sync byte-identical, with no shell injection', async () => {
    const src = path.join(tmp, 'nasty');
    fs.mkdirSync(path.join(src, 'sub dir'), { recursive: true });
    for (const n of NASTY)
      fs.writeFileSync(path.join(src, 'sub dir', n), crypto.randomBytes(1000 + n.length));
    fs.symlinkSync('sub dir/with space.txt', path.join(src, 'link'));
    const c = (await pool.get('sky-sbx')).client;
    await syncDirectory(c, src, '~/nasty dest');
    const remoteRoot = path.join(sb.ssh!.nodes[0].home, 'nasty dest');
    for (const n of NASTY)
      assert.strictEqual(sha(path.join(remoteRoot, 'sub dir', n)), sha(path.join(src, 'sub dir', n)), n);
    assert.strictEqual(fs.readlinkSync(path.join(remoteRoot, 'link')), 'sub dir/with space.txt');
    assert.ok(
      !fs.existsSync(path.join(sb.ssh!.nodes[0].home, 'PWNED')) &&
        !fs.existsSync(path.join(remoteRoot, 'PWNED')),
    );
    // Nothing changed: the second sync sends nothing.
    const again = await syncDirectory(c, src, '~/nasty dest');
    assert.strictEqual(again.sentFiles, 0);
  });

  it('.skyignore replaces .gitignore; nested .gitignore applies to its subtree; --delete removes only what is gone', async () => {
    const src = path.join(tmp, 'ign');
    fs.mkdirSync(path.join(src, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(src, '.gitignore'), '*.log\n');
    fs.writeFileSync(path.join(src, 'a', '.gitignore'), 'secret.txt\n');
    for (const f of ['keep.txt', 'x.log', 'a/secret.txt', 'a/b/ok.txt', 'a/b/y.log'])
      fs.writeFileSync(path.join(src, f), f);
    const c = (await pool.get('sky-sbx')).client;
    const plan = await planSync(c, src, '~/ign');
    assert.deepStrictEqual(
      plan.send
        .filter((e) => e.type === 'f')
        .map((e) => e.rel)
        .sort(),
      ['.gitignore', 'a/.gitignore', 'a/b/ok.txt', 'keep.txt'],
    );
    assert.deepStrictEqual(plan.tree.excluded.find((x) => x.rel === 'a/secret.txt')?.rule, {
      file: 'a/.gitignore',
      line: 1,
      pattern: 'secret.txt',
    });
    await syncDirectory(c, src, '~/ign');
    fs.writeFileSync(path.join(src, '.skyignore'), 'keep.txt\n');
    const plan2 = await planSync(c, src, '~/ign');
    assert.ok(
      plan2.send.some((e) => e.rel === 'x.log'),
      '.gitignore no longer applies',
    );
    assert.ok(plan2.tree.excluded.some((x) => x.rel === 'keep.txt' && x.rule.file === '.skyignore'));
    await syncDirectory(c, src, '~/ign');
    fs.rmSync(path.join(src, 'a', 'b', 'ok.txt'));
    const home = sb.ssh!.nodes[0].home;
    await syncDirectory(c, src, '~/ign');
    assert.ok(
      fs.existsSync(path.join(home, 'ign', 'a', 'b', 'ok.txt')),
      'no --delete: the stale file stays (SkyPilot default)',
    );
    await syncDirectory(c, src, '~/ign', { delete: true });
    assert.ok(!fs.existsSync(path.join(home, 'ign', 'a', 'b', 'ok.txt')));
    assert.ok(fs.existsSync(path.join(home, 'ign', 'keep.txt')), 'excluded files are never deleted');
  });

  it('killing the connection mid-sync 20 times never leaves a partial file, and a re-run converges', async () => {
    const src = path.join(tmp, 'big');
    fs.mkdirSync(src);
    for (let i = 0; i < 40; i++)
      fs.writeFileSync(path.join(src, `f${i}.bin`), crypto.randomBytes(256 * 1024));
    const home = sb.ssh!.nodes[1].home;
    for (let round = 0; round < 20; round++) {
      fs.writeFileSync(path.join(src, `f${round}.bin`), crypto.randomBytes(256 * 1024));
      let destroy: (() => void) | undefined;
      const conn = await connect('sky-sbx-worker1', {
        sshConfig: parseSshConfig(sb.ssh!.sshConfigPath),
        knownHostsFile: sb.ssh!.knownHostsPath,
        strict: 'yes',
        onSocket: (d) => (destroy = d),
      });
      const delay = Math.floor(Math.random() * 150);
      const timer = setTimeout(() => destroy?.(), delay);
      await syncDirectory(conn.client, src, '~/big').catch(() => undefined);
      clearTimeout(timer);
      conn.close();
      // Whatever is under its final name is complete: either the old or the new content, never a prefix.
      const landed = fs.existsSync(path.join(home, 'big')) ? fs.readdirSync(path.join(home, 'big')) : [];
      for (const f of landed.filter((x) => x.endsWith('.bin'))) {
        assert.strictEqual(
          fs.statSync(path.join(home, 'big', f)).size,
          256 * 1024,
          `${f} is whole (round ${round})`,
        );
      }
    }
    const c = (await pool.get('sky-sbx-worker1')).client;
    await syncDirectory(c, src, '~/big');
    for (const f of fs.readdirSync(src))
      assert.strictEqual(sha(path.join(home, 'big', f)), sha(path.join(src, f)));
    assert.strictEqual((await planSync(c, src, '~/big')).send.length, 0);
  });

  it('a same-size rewrite within the second of the synced version is still sent (milliseconds compared)', async () => {
    const src = path.join(tmp, 'subsec');
    fs.mkdirSync(src);
    const f = path.join(src, 'a.txt');
    fs.writeFileSync(f, 'aaaa');
    fs.utimesSync(f, 1_700_000_000.1, 1_700_000_000.1);
    const c = (await pool.get('sky-sbx-worker1')).client;
    await syncDirectory(c, src, '~/subsec');
    fs.writeFileSync(f, 'bbbb');
    fs.utimesSync(f, 1_700_000_000.6, 1_700_000_000.6);
    assert.deepStrictEqual(
      (await planSync(c, src, '~/subsec')).send.map((e) => e.rel),
      ['a.txt'],
    );
    await syncDirectory(c, src, '~/subsec');
    assert.strictEqual(fs.readFileSync(path.join(sb.ssh!.nodes[1].home, 'subsec', 'a.txt'), 'utf8'), 'bbbb');
    assert.strictEqual((await planSync(c, src, '~/subsec')).send.length, 0);
  });

  it('host keys: known (plain or hashed) connects; unknown is refused under yes, asked under ask, recorded under accept-new; changed is refused with file and line', async () => {
    const node = sb.ssh!.nodes[0];
    const kh = path.join(tmp, 'kh');
    // Hashed entry only.
    fs.writeFileSync(
      kh,
      `${hashKnownHostsLine(node.port === 22 ? node.ip : `[${node.ip}]:${node.port}`, node.hostKey)}\n`,
    );
    // A config without UserKnownHostsFile, so only `kh` counts.
    const cfgFile = path.join(tmp, 'ssh_config');
    fs.writeFileSync(
      cfgFile,
      `Host n0\n  HostName ${node.ip}\n  Port ${node.port}\n  User ${node.user}\n  IdentityFile ${sb.ssh!.keyPath}\n`,
    );
    const cfg = { knownHostsFile: kh, sshConfig: parseSshConfig(cfgFile) };
    (await connect('n0', { ...cfg, strict: 'yes' })).close();
    // Unknown under 'yes': refused with the fingerprint.
    fs.writeFileSync(kh, '');
    await assert.rejects(connect('n0', { ...cfg, strict: 'yes' }), /not known: ssh-ed25519 SHA256:/);
    // Unknown under 'ask': the UI is asked with the fingerprint; 'no' refuses, 'yes' records.
    const no = new ScriptedUi([false]);
    await assert.rejects(connect('n0', { ...cfg, strict: 'ask', ui: no }), /not accepted/);
    assert.match(no.asked[0], /SHA256:/);
    (await connect('n0', { ...cfg, strict: 'ask', ui: new ScriptedUi([true]) })).close();
    assert.match(fs.readFileSync(kh, 'utf8'), /ssh-ed25519/);
    // accept-new records silently.
    fs.writeFileSync(kh, '');
    (await connect('n0', { ...cfg, strict: 'accept-new' })).close();
    (await connect('n0', { ...cfg, strict: 'yes' })).close();
    // Changed key: refused under every mode, naming file and line.
    const other = fs.readFileSync(`${sb.ssh!.keyPath}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const name = node.port === 22 ? node.ip : `[${node.ip}]:${node.port}`;
    fs.writeFileSync(kh, `# comment\n${name} ${other}\n`);
    for (const strict of ['yes', 'ask', 'accept-new'] as const) {
      await assert.rejects(
        connect('n0', { ...cfg, strict, ui: new ScriptedUi([true]) }),
        new RegExp(`changed \\(${kh.replace(/[/.]/g, '\\$&')} line 2\\)`),
      );
    }
    const r = await exec((await pool.get('sky-sbx')).client, 'echo ok');
    assert.strictEqual(r.stdout, 'ok\n');
  });
});
