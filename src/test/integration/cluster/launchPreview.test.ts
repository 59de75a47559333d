import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../../engine/config/config';
import type { LaunchPreview } from '../../../engine/launch/preview';
import { launchTask } from '../../../engine/launch/run';
import { createStorageMounter } from '../../../engine/mounts/attach';
import { openStore, readRecords } from '../../../engine/storage';
import { sharedSandbox, type Sandbox } from '../../sandbox';
import { makeTestDir } from '../../sandbox/proc';
import { CLI } from '../../harness/cli';

/** Every path under a node's home with its size, mode and mtime: what a dry run must leave alone. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const abs = path.join(dir, name);
      const st = fs.lstatSync(abs);
      out.set(abs, `${st.size} ${st.mode} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(abs);
    }
  };
  walk(root);
  return out;
}

/**
 * Waits until no earlier job's head-to-worker ControlMaster socket is left: the driver closes them in
 * the background when a job ends, and one vanishing mid-snapshot is not the dry run's doing.
 */
async function mastersClosed(homes: string[]): Promise<void> {
  const open = () =>
    homes.flatMap((h) => {
      const jobs = path.join(h, '.sky-vscode', 'jobs');
      if (!fs.existsSync(jobs)) return [];
      return fs
        .readdirSync(jobs)
        .flatMap((j) =>
          fs.statSync(path.join(jobs, j)).isDirectory() ? fs.readdirSync(path.join(jobs, j)) : [],
        )
        .filter((f) => f.startsWith('cm-'));
    });
  for (let i = 0; i < 100 && open().length; i++) await new Promise((r) => setTimeout(r, 200));
  assert.deepStrictEqual(open(), [], 'the earlier jobs closed their ControlMaster connections');
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe('launch --dry-run: the real preview against sandbox nodes and RGW', function () {
  this.timeout(240_000);
  let sb: Sandbox;
  let tmp: string;
  let homes: string[];
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], { env: sb.env(), encoding: 'utf8' });
  const nodesUnchanged = (before: Map<string, string>[]) =>
    homes.forEach((h, i) => assert.deepStrictEqual(snapshot(h), before[i], `${h} changed`));

  before(async () => {
    sb = await sharedSandbox({ ssh: true, s3: true, azure: true, gcs: true, oci: true });
    sb.writeSkyConfig();
    process.env.SKY_VSCODE_HOME = sb.skyHome;
    tmp = makeTestDir('sky-preview-');
    homes = [...new Set(sb.ssh!.nodes.map((n) => n.home))];
    // The workdir's remote side is shared with other tests: start this one from an empty one.
    for (const h of homes) fs.rmSync(path.join(h, 'sky_workdir'), { recursive: true, force: true });
  });

  it('lists sends, exclusions (file:line, pattern, !negation), --delete and bucket actions; the dry run changes nothing', async () => {
    const id = Date.now().toString(36);
    const bucket = `sky-preview-${id}`;
    const wd = path.join(tmp, 'wd');
    write(path.join(wd, '.gitignore'), '# build outputs\n*.log\n!keep.log\nbuild/\n');
    write(path.join(wd, 'sub', '.gitignore'), 'secret.txt\n');
    write(path.join(wd, 'a.txt'), 'alpha\n');
    write(path.join(wd, 'keep.log'), 'keep\n');
    write(path.join(wd, 'x.log'), 'x\n');
    write(path.join(wd, 'build', 'out.bin'), 'bin\n');
    write(path.join(wd, 'sub', 'secret.txt'), 'secret\n');
    write(path.join(wd, 'sub', 'b.txt'), 'bee\n');
    write(path.join(tmp, 'data', '.skyignore'), '*.tmp\n');
    write(path.join(tmp, 'data', '.gitignore'), 'd.txt\n');
    write(path.join(tmp, 'data', 'd.txt'), 'dataset\n');
    write(path.join(tmp, 'data', 't.tmp'), 'tmp\n');
    write(path.join(tmp, 'cfg.txt'), 'cfg=1\n');
    write(path.join(tmp, 'bsrc', '.gitignore'), '*.skip\n');
    write(path.join(tmp, 'bsrc', 'in.txt'), 'bucket input\n');
    write(path.join(tmp, 'bsrc', 'x.skip'), 'skip\n');
    const task = path.join(tmp, 'task.yaml');
    fs.writeFileSync(
      task,
      `num_nodes: 2
workdir: ./wd
file_mounts:
  ~/pv-${id}/data: ./data
  ~/pv-${id}/cfg.txt: ./cfg.txt
  ~/pv-${id}/bkt:
    name: ${bucket}
    source: ./bsrc
    store: s3
    mode: COPY
run: echo ok
`,
    );
    const size = (...p: string[]) => fs.statSync(path.join(...p)).size;
    const wdBytes = ['.gitignore', 'a.txt', 'keep.log', 'sub/.gitignore', 'sub/b.txt']
      .map((f) => size(wd, f))
      .reduce((a, b) => a + b);
    const nodes = ['sky-sbx', 'sky-sbx-worker1'];
    const s3 = await openStore('s3', loadConfig());

    // 1. Nothing on the nodes yet: everything local is to be sent; the bucket would be created.
    await mastersClosed(homes);
    let before = homes.map(snapshot);
    const r1 = cli('launch', '-c', 'sky-sbx', '--dry-run', '--json', task);
    assert.strictEqual(r1.status, 0, r1.stderr);
    const p1 = JSON.parse(r1.stdout) as LaunchPreview;
    nodesUnchanged(before);
    assert.strictEqual(await s3.bucketExists(bucket), false, 'the dry run created no bucket');
    assert.ok(!readRecords().some((r) => r.name === bucket), 'and recorded none');
    assert.deepStrictEqual(
      [p1.version, p1.kind, p1.cluster, p1.nodes, p1.compared, p1.delete],
      [1, 'launch', 'sky-sbx', nodes, true, false],
    );
    const [w1, d1, c1] = p1.syncs;
    assert.deepStrictEqual(
      [w1.what, w1.source, w1.target, w1.rules, w1.local],
      ['workdir', wd, '~/sky_workdir', 'gitignore', { files: 5, bytes: wdBytes }],
    );
    assert.deepStrictEqual(w1.excluded, [
      { path: 'build', file: '.gitignore', line: 4, pattern: 'build/' },
      { path: 'sub/secret.txt', file: 'sub/.gitignore', line: 1, pattern: 'secret.txt' },
      { path: 'x.log', file: '.gitignore', line: 2, pattern: '*.log' },
    ]);
    for (const n of w1.nodes) {
      assert.deepStrictEqual([n.files, n.bytes, n.delete], [5, wdBytes, []], n.node);
      assert.ok(n.paths.includes('keep.log'), '!keep.log brings it back');
    }
    assert.deepStrictEqual(
      w1.nodes.map((n) => n.node),
      nodes,
    );
    assert.deepStrictEqual(
      [d1.what, d1.target, d1.rules, d1.local, d1.excluded],
      [
        'file_mount',
        `~/pv-${id}/data`,
        'skyignore',
        { files: 3, bytes: size(tmp, 'data', '.skyignore') + size(tmp, 'data', '.gitignore') + 8 },
        [{ path: 't.tmp', file: '.skyignore', line: 1, pattern: '*.tmp' }],
      ],
    );
    assert.deepStrictEqual(
      [c1.isFile, c1.local, c1.nodes.map((n) => [n.files, n.bytes])],
      [
        true,
        { files: 1, bytes: 6 },
        [
          [1, 6],
          [1, 6],
        ],
      ],
    );
    assert.strictEqual(p1.buckets.length, 1);
    assert.deepStrictEqual(
      [p1.buckets[0].dst, p1.buckets[0].store, p1.buckets[0].bucket, p1.buckets[0].actions],
      [
        `~/pv-${id}/bkt`,
        's3',
        bucket,
        [
          { action: 'create', ifMissing: false },
          {
            action: 'upload',
            files: 2,
            bytes: size(tmp, 'bsrc', '.gitignore') + 13,
            localFiles: 2,
            compared: true,
          },
          { action: 'attach', mode: 'COPY', readOnly: false, nodes: 2 },
        ],
      ],
    );
    assert.deepStrictEqual(p1.buckets[0].excluded, [
      { path: 'bsrc/x.skip', file: '.gitignore', line: 1, pattern: '*.skip' },
    ]);
    assert.deepStrictEqual(
      p1.steps.map((s) => s.phase),
      ['Syncing workdir', 'File mounts', 'File mounts', 'Storage mounts', 'Running'],
    );

    // The same plan for a person, on stderr.
    const h1 = cli('launch', '-c', 'sky-sbx', '--dry-run', task);
    assert.strictEqual(h1.status, 0, h1.stderr);
    for (const line of [
      '- `x.log` by `*.log` in .gitignore:2',
      '- `sub/secret.txt` by `secret.txt` in sub/.gitignore:1',
      '- `t.tmp` by `*.tmp` in .skyignore:1',
      `- To send to each node (sky-sbx, sky-sbx-worker1): 5 files, ${wdBytes} B:`,
      `- Create \`${bucket}\` (s3)`,
      '- Upload 2 files',
      `- Attach \`${bucket}\` (s3) with mode COPY on each of the 2 nodes`,
    ])
      assert.ok(h1.stderr.includes(line), `${line}\nin\n${h1.stderr}`);

    // 2. A real launch, then a local delete and an edit: the preview compares like the re-sync.
    const r = await launchTask(
      { kind: 'launch', taskFile: task, cluster: 'sky-sbx' },
      {
        config: loadConfig(),
        mountStorage: createStorageMounter({ config: loadConfig(), command: 'test', cluster: 'sky-sbx' }),
      },
    );
    assert.strictEqual(r.exitCode, 0);
    fs.rmSync(path.join(wd, 'a.txt'));
    fs.appendFileSync(path.join(tmp, 'data', 'd.txt'), 'more\n');
    await mastersClosed(homes);
    before = homes.map(snapshot);
    const r2 = cli('launch', '-c', 'sky-sbx', '--dry-run', '--delete', '--json', task);
    assert.strictEqual(r2.status, 0, r2.stderr);
    nodesUnchanged(before);
    for (const h of homes)
      assert.ok(fs.existsSync(path.join(h, 'sky_workdir', 'a.txt')), 'not deleted by the dry run');
    const p2 = JSON.parse(r2.stdout) as LaunchPreview;
    assert.strictEqual(p2.delete, true);
    const [w2, d2, c2] = p2.syncs;
    for (const n of w2.nodes)
      assert.deepStrictEqual([n.files, n.bytes, n.paths, n.delete], [0, 0, [], ['a.txt']]);
    for (const n of d2.nodes)
      assert.deepStrictEqual([n.files, n.bytes, n.paths, n.delete], [1, 13, ['d.txt'], []]);
    for (const n of c2.nodes) assert.strictEqual(n.files, 0, JSON.stringify(c2));
    assert.deepStrictEqual(p2.buckets[0].actions, [
      { action: 'upload', files: 0, bytes: 0, localFiles: 2, compared: true },
      { action: 'attach', mode: 'COPY', readOnly: false, nodes: 2 },
    ]);
    const h2 = cli('launch', '-c', 'sky-sbx', '--dry-run', '--delete', task);
    assert.ok(
      h2.stderr.includes('- --delete would remove on each node (sky-sbx, sky-sbx-worker1) (1):\n  - `a.txt`'),
      h2.stderr,
    );

    // 3. --offline asks nobody: every local file counts, nothing is known about deletes.
    const r3 = cli('launch', '-c', 'sky-sbx', '--dry-run', '--offline', '--json', task);
    assert.strictEqual(r3.status, 0, r3.stderr);
    const p3 = JSON.parse(r3.stdout) as LaunchPreview;
    assert.deepStrictEqual([p3.compared, p3.notCompared], [false, 'offline: the nodes were not asked']);
    assert.deepStrictEqual(p3.syncs[0].nodes, []);
    assert.deepStrictEqual(p3.syncs[0].local, { files: 4, bytes: wdBytes - 6 });
    assert.strictEqual(p3.buckets[0].notCompared, 'offline');

    // exec syncs the workdir only (file_mounts with --with-file-mounts), and its dry run says so.
    const r4 = cli('exec', '-c', 'sky-sbx', '--dry-run', '--delete', '--json', task);
    assert.strictEqual(r4.status, 0, r4.stderr);
    const p4 = JSON.parse(r4.stdout) as LaunchPreview;
    assert.deepStrictEqual(
      [p4.kind, p4.compared, p4.syncs.map((x) => x.what), p4.buckets, p4.syncs[0].nodes.map((n) => n.delete)],
      ['exec', true, ['workdir'], [], [['a.txt'], ['a.txt']]],
    );
  });

  it('a node that cannot be reached: the preview says which and why, and counts everything local', () => {
    const wd = path.join(tmp, 'gone-wd');
    write(path.join(wd, '.gitignore'), '*.tmp\n');
    write(path.join(wd, 'a.txt'), 'a\n');
    write(path.join(wd, 'b.tmp'), 'b\n');
    const task = path.join(tmp, 'gone.yaml');
    fs.writeFileSync(task, 'workdir: ./gone-wd\nrun: echo ok\n');
    // Port 1 on this machine: nothing listens there.
    sb.writeSkyConfig({ clusters: { gone: { nodes: [{ host: '127.0.0.1', port: 1, user: 'x' }] } } });
    try {
      const r = cli('launch', '-c', 'gone', '--dry-run', '--json', task);
      assert.strictEqual(r.status, 0, r.stderr);
      const p = JSON.parse(r.stdout) as LaunchPreview;
      assert.strictEqual(p.compared, false);
      assert.match(p.notCompared ?? '', /^gone is not reachable: .*connection refused/);
      assert.deepStrictEqual(
        [p.syncs[0].local, p.syncs[0].nodes, p.syncs[0].excluded],
        [{ files: 2, bytes: 8 }, [], [{ path: 'b.tmp', file: '.gitignore', line: 1, pattern: '*.tmp' }]],
      );
    } finally {
      sb.writeSkyConfig();
    }
  });

  it('an unreadable .gitignore stops the dry run and the launch, naming the file', async () => {
    const wd = path.join(tmp, 'loop');
    write(path.join(wd, 'loop-only.txt'), 'a\n');
    // A symlink loop cannot be read by anyone (root included): ELOOP, not "no rules".
    fs.symlinkSync('.gitignore', path.join(wd, '.gitignore'));
    const task = path.join(tmp, 'loop.yaml');
    fs.writeFileSync(task, 'workdir: ./loop\nrun: echo ok\n');
    const r = cli('launch', '-c', 'sky-sbx', '--dry-run', task);
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`Cannot read the exclusion rules in ${path.join(wd, '.gitignore')} \\(ELOOP\\)`),
    );
    await assert.rejects(
      launchTask({ kind: 'exec', taskFile: task, cluster: 'sky-sbx' }, { config: loadConfig() }),
      /Cannot read the exclusion rules in .*loop\/\.gitignore/,
    );
    for (const h of homes)
      assert.ok(
        !fs.existsSync(path.join(h, 'sky_workdir', 'loop-only.txt')),
        'nothing was synced without the rules',
      );
  });
});
