import * as assert from 'assert';
import { check, expectNone, expectOne, underlined } from './helpers';

describe('task rules', () => {
  describe('names and num_nodes', () => {
    it('task name pattern', () => {
      for (const ok of ['a', 'train-v2', 'a.b_c--d', 'A1__b']) expectNone(`name: ${ok}\n`, 'task-name');
      for (const bad of ['-a', 'a-', 'a---b', 'my task', 'a/b'])
        expectOne(`name: "${bad}"\n`, 'task-name', '/name');
    });
    it('num_nodes >= 1', () => {
      expectNone('num_nodes: 1\n');
      const d = expectOne('num_nodes: 0\n', 'range', '/num_nodes');
      assert.strictEqual(underlined('num_nodes: 0\n', d), '0');
    });
  });

  describe('duplicate keys and YAML errors', () => {
    it('duplicate key underlines the second key', () => {
      const y = 'name: a\nresources:\n  cpus: 2\n  cpus: 4\n';
      const d = expectOne(y, 'duplicate-key', '/resources/cpus');
      assert.strictEqual(d.range.start.line, 3);
      assert.strictEqual(underlined(y, d), 'cpus');
      assert.match(d.message, /'cpus'/);
    });
    it('syntax errors are reported, not thrown', () => {
      const ds = check('name: [unclosed\nrun: x\n');
      assert.ok(ds.some((d) => d.code === 'yaml'));
    });
    it('a document that is not a mapping', () => {
      expectOne('just a string\n', 'not-a-mapping', '');
      expectOne('- a\n- b\n', 'not-a-mapping', '');
    });
  });

  describe('envs and secrets', () => {
    it('null env value is an error on the key unless --env gives it (SkyPilot refuses to load it)', () => {
      const y = 'envs:\n  TOKEN:\n  OK: 1\n';
      const d = expectOne(y, 'env-null', '/envs/TOKEN');
      assert.strictEqual(d.severity, 'error');
      assert.strictEqual(underlined(y, d), 'TOKEN');
      expectNone(y, 'env-null', { env: { TOKEN: 'x' } });
    });
    it('env name pattern', () => {
      expectOne('envs:\n  1X: a\n', 'env-name', '/envs/1X');
      expectOne('envs:\n  MY-VAR: a\n', 'env-name', '/envs/MY-VAR');
      expectNone('envs:\n  _X1: a\n');
    });
    it('secrets dict: references must be null, inline nulls warn', () => {
      expectNone('secrets:\n  "secrets:team.KEY":\n  API: abc\n');
      expectOne('secrets:\n  "secrets:KEY": value\n', 'secret-ref-value', '/secrets/secrets:KEY');
      assert.strictEqual(expectOne('secrets:\n  API:\n', 'secret-null', '/secrets/API').severity, 'warning');
    });
    it('secrets list: every item is a reference', () => {
      expectNone('secrets: ["secrets:A", "secrets:scope.B"]\n');
      expectOne('secrets: ["secrets:A", "B"]\n', 'secret-ref', '/secrets/1');
    });
  });

  describe('resources', () => {
    it('infra together with cloud/region/zone', () => {
      expectOne('resources: {infra: aws, region: us-east-1}\n', 'infra-and-cloud', '/resources/region');
      expectNone('resources: {cloud: aws, region: us-east-1}\n');
    });
    it('any_of and ordered are exclusive', () => {
      expectOne(
        'resources:\n  any_of: [{infra: aws}]\n  ordered: [{infra: gcp}]\n',
        'any-of-and-ordered',
        '/resources/ordered',
      );
    });
    it('accelerator strings', () => {
      expectNone('resources: {accelerators: "A100:8"}\n');
      expectNone('resources: {accelerators: [A100:8, "H100:8"]}\n');
      expectOne('resources: {accelerators: "A100:eight"}\n', 'accelerators', '/resources/accelerators');
      expectOne(
        'resources:\n  any_of:\n    - accelerators: "A:1:2"\n',
        'accelerators',
        '/resources/any_of/0/accelerators',
      );
    });
    it('accelerator strings as SkyPilot parses them (memory forms, manufacturer, sets)', () => {
      for (const ok of [
        '80GB+',
        'nvidia:24GB+:1',
        '24GB+:2',
        'nvidia:24GB',
        'A100:0.5',
        'tpu-v2-8',
        '"{A100:1, V100:1}"',
      ]) {
        expectNone(`resources: {accelerators: ${ok}}\n`);
      }
      expectNone('resources:\n  accelerators: {A100:1, V100:1}\n');
      expectOne('resources: {accelerators: "nvidia:big:1"}\n', 'accelerators', '/resources/accelerators');
      expectOne('resources: {accelerators: "24GB:two"}\n', 'accelerators', '/resources/accelerators');
      expectOne(
        'resources: {accelerators: {A100: 1, "B:x:y": null}}\n',
        'accelerators',
        '/resources/accelerators/B:x:y',
      );
    });
    it('gpus is an alias of accelerators', () => {
      expectNone('resources: {gpus: H100:8}\n');
      expectNone('resources:\n  any_of:\n    - gpus: A100:1\n');
      expectOne(
        'resources: {gpus: H100:8, accelerators: A100:1}\n',
        'gpus-and-accelerators',
        '/resources/gpus',
      );
      expectOne('resources: {gpus: "H100:x"}\n', 'accelerators', '/resources/gpus');
    });
    it('deprecated autostop hook warns', () => {
      assert.strictEqual(
        expectOne(
          'resources:\n  autostop: {idle_minutes: 5, hook: echo}\n',
          'deprecated',
          '/resources/autostop/hook',
        ).severity,
        'warning',
      );
    });
    it('service and pool together', () => {
      expectOne('service: {}\npool: {}\n', 'service-and-pool', '/pool');
    });
  });

  describe('file_mounts strings', () => {
    it('trailing slash on destination and source, with fixes', () => {
      const y = 'file_mounts:\n  /data/: s3://bkt\n';
      const d = expectOne(y, 'trailing-slash', '/file_mounts/~1data~1');
      assert.strictEqual(underlined(y, d), '/data/');
      assert.strictEqual(d.fix?.edits[0].newText, '/data');
      const y2 = 'file_mounts:\n  /data: "./local/"\n';
      const d2 = expectOne(y2, 'trailing-slash', '/file_mounts/~1data');
      assert.strictEqual(d2.fix?.edits[0].newText, '"./local"');
    });
    it('destination may not be a URI or ~/sky_workdir with a workdir', () => {
      expectOne('file_mounts:\n  s3://x/y: /tmp\n', 'dst-cloud', '/file_mounts/s3:~1~1x~1y');
      expectOne(
        'workdir: .\nfile_mounts:\n  ~/sky_workdir: /tmp\n',
        'dst-workdir',
        '/file_mounts/~0~1sky_workdir',
      );
      expectNone('file_mounts:\n  ~/sky_workdir: /tmp\n', 'dst-workdir');
    });
    it('URI sources: every store ok, unknown schemes and malformed forms rejected', () => {
      expectNone(
        'file_mounts:\n  /a: s3://b-1/k\n  /b: gs://b-1\n  /c: https://acct.blob.core.windows.net/ctr/k\n  /d: cos://eu-de/b-1/k\n  /e: hf://datasets/o/d\n',
      );
      expectOne('file_mounts:\n  /a: ftp://h/k\n', 'uri', '/file_mounts/~1a');
      expectOne('file_mounts:\n  /a: cos://nowhere/b\n', 'uri', '/file_mounts/~1a');
      expectOne('file_mounts:\n  /a: https://example.com/x\n', 'uri', '/file_mounts/~1a');
    });
    it('$VAR substitution from envs and dict secrets', () => {
      expectNone('envs: {B: bucket-1}\nfile_mounts:\n  /a: s3://$B\n');
      // Substituted value decides: ${SCHEME} expands into an unsupported scheme.
      expectOne('envs: {S: ftp}\nfile_mounts:\n  /a: ${S}://host/x\n', 'uri', '/file_mounts/~1a');
      expectOne('envs: {D: "/x/"}\nfile_mounts:\n  $D: s3://b-1\n', 'trailing-slash', '/file_mounts/$D');
      const d = expectOne('file_mounts:\n  /a: s3://$NOPE\n', 'unknown-var', '/file_mounts/~1a');
      assert.strictEqual(d.severity, 'information');
      expectNone('secrets: {B: bucket-1}\nfile_mounts:\n  /a: s3://$B\n', 'unknown-var');
    });
    it('values given at launch (envs without a value) postpone the checks that need them', () => {
      expectNone(
        'envs: {BUCKET: null}\nfile_mounts:\n  /m: {name: $BUCKET, mode: MOUNT}\n  /u: {source: "s3://${BUCKET}"}\n',
        'bucket-name',
      );
      expectNone('envs: {DIR: null}\nworkdir: $DIR\nfile_mounts:\n  /d: $DIR/data\n', 'workdir', {
        localChecks: true,
      });
      expectOne('envs: {DIR: null}\nworkdir: $DIR\n', 'env-null', '/envs/DIR', { localChecks: true });
      expectOne('file_mounts:\n  /m: {name: $UNDECLARED}\n', 'bucket-name', '/file_mounts/~1m/name');
    });
  });

  describe('storage specs', () => {
    const fm = (spec: string) =>
      `file_mounts:\n  /m:\n${spec
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`;
    it('name prefix', () => {
      expectOne(fm('name: s3://bucket'), 'name-prefix', '/file_mounts/~1m/name');
    });
    it('COPY needs a source; no name and no source', () => {
      expectOne(fm('name: b-1\nmode: COPY'), 'copy-without-source', '/file_mounts/~1m');
      expectOne(fm('mode: MOUNT\npersistent: false'), 'no-name-no-source', '/file_mounts/~1m');
      expectNone(fm('name: b-1\nmode: MOUNT'));
    });
    it('local source needs a name; URI source must not have one', () => {
      expectOne(fm('source: ./data'), 'local-without-name', '/file_mounts/~1m');
      expectOne(fm('name: x-1\nsource: s3://b-1'), 'name-with-uri', '/file_mounts/~1m/name');
      expectNone(fm('source: s3://b-1'));
    });
    it('MOUNT of a sub-path is rejected, COPY allows it, Azure and HF sub-paths pass', () => {
      expectOne(fm('source: s3://b-1/sub'), 'mount-subpath', '/file_mounts/~1m/source');
      expectOne(fm('source: gs://b-1/sub\nmode: MOUNT_CACHED'), 'mount-subpath', '/file_mounts/~1m/source');
      expectOne(fm('source: cos://us-east/b-1/sub'), 'mount-subpath', '/file_mounts/~1m/source');
      expectNone(fm('source: cos://us-east/b-1'));
      expectNone(fm('source: s3://b-1/sub\nmode: COPY'));
      expectNone(fm('source: https://acct.blob.core.windows.net/ctr/sub'));
      expectNone(fm('source: hf://buckets/org/b/sub'));
      const d = expectOne(fm('source: s3://b-1/'), 'mount-subpath', '/file_mounts/~1m/source');
      assert.strictEqual(d.fix?.edits[0].newText, 's3://b-1');
    });
    it('mode-specific fields', () => {
      expectOne(fm('name: b-1\ntype: DATASET_RO'), 'storage-mode-config', '/file_mounts/~1m/type');
      expectOne(
        fm('name: b-1\nmode: COPY\nsource: s3://x/y\nconfig: {mount: {read_only: true}}'),
        'storage-mode-config',
        '/file_mounts/~1m/config/mount',
      );
      expectOne(
        fm('name: b-1\nconfig: {mount_cached: {transfers: 2}}'),
        'storage-mode-config',
        '/file_mounts/~1m/config/mount_cached',
      );
      expectNone(
        fm('name: b-1\nmode: mount_cached\ntype: dataset_rw\nconfig: {mount_cached: {transfers: 2}}'),
      );
      expectNone(fm('name: b-1\nconfig: {mount: {read_only: true}}'));
    });
    it('bucket names per store, store from infra, unknown store lenient', () => {
      expectOne(fm('name: Bad_Name\nstore: s3'), 'bucket-name', '/file_mounts/~1m/name');
      expectNone(fm('name: Good_Name\nstore: oci'));
      expectNone(fm('name: under_score.ok\nstore: gcs'));
      expectOne(
        `resources: {infra: aws}\n${fm('name: under_score')}`,
        'bucket-name',
        '/file_mounts/~1m/name',
      );
      expectNone(`resources: {infra: gcp}\n${fm('name: under_score')}`);
      expectOne(fm('name: UPPER'), 'bucket-name', '/file_mounts/~1m/name');
      expectOne(fm('source: s3://Bad_Bucket'), 'bucket-name', '/file_mounts/~1m/source');
    });
    it('store: volume (lower case only; a named GCP disk in a region)', () => {
      const gcp = 'resources: {infra: gcp/us-central1}\n';
      expectNone(fm('store: volume\nname: scratch\nconfig: {disk_size: 100}') + gcp);
      expectOne(fm('store: volume\nname: scratch'), 'store-volume', '/file_mounts/~1m/store');
      expectOne(
        fm('store: volume\nname: scratch') + 'resources: {infra: aws}\n',
        'store-volume',
        '/file_mounts/~1m/store',
      );
      expectOne(
        fm('store: volume\nname: scratch') + 'resources: {infra: gcp}\n',
        'store-volume',
        '/file_mounts/~1m/name',
      );
      expectOne(fm('store: volume') + gcp, 'store-volume', '/file_mounts/~1m');
      const d = expectOne(fm('store: VOLUME\nname: scratch'), 'store-volume-case', '/file_mounts/~1m/store');
      assert.strictEqual(d.fix?.edits[0].newText, 'volume');
    });
    it('cross-store sources', () => {
      expectOne(fm('source: s3://b-1\nstore: azure'), 'cross-store', '/file_mounts/~1m/store');
      expectNone(fm('source: s3://b-1\nstore: gcs'), 'cross-store');
      assert.strictEqual(
        expectOne(fm('source: gs://b-1\nstore: s3'), 'cross-store', '/file_mounts/~1m/store').severity,
        'warning',
      );
    });
    it('list sources: duplicate basenames, URIs, trailing slash', () => {
      expectOne(
        fm('name: b-1\nsource: [a/x.txt, b/x.txt]'),
        'duplicate-basename',
        '/file_mounts/~1m/source/1',
      );
      expectOne(fm('name: b-1\nsource: [a/x.txt, s3://b-2]'), 'list-uri', '/file_mounts/~1m/source/1');
      expectOne(fm('name: b-1\nsource: [a/dir/]'), 'trailing-slash', '/file_mounts/~1m/source/0');
    });
    it('mixed-case enum gets an information hint with a fix', () => {
      const y = fm('name: b-1\nmode: Mount');
      const d = expectOne(y, 'enum-case', '/file_mounts/~1m/mode');
      assert.strictEqual(d.severity, 'information');
      assert.strictEqual(d.fix?.edits[0].newText, 'MOUNT');
      expectNone(fm('name: b-1\nmode: mount'), 'enum-case');
    });
  });

  describe('volumes and env values', () => {
    it('volume mount paths must be absolute or ~', () => {
      expectNone('volumes:\n  /mnt/vol: my-volume\n  ~/v2: other\n');
      expectOne('volumes:\n  data: my-volume\n', 'volume-path', '/volumes/data');
    });
    it('env values of any type are accepted (SkyPilot applies str())', () => {
      expectNone('envs:\n  A: [1, 2]\n  B: {x: 1}\n  C: 3.5\n');
    });
  });

  describe('multi-document files', () => {
    it('pipeline header and per-document pointers', () => {
      const y = 'name: pipe\n---\nname: a\nrun: x\n---\nname: b\nrnu: y\n';
      const ds = check(y);
      assert.strictEqual(ds.length, 1);
      assert.strictEqual(ds[0].document, 2);
      assert.strictEqual(ds[0].path, '/rnu');
      assert.strictEqual(ds[0].range.start.line, 6);
    });
    it('job group: names required and unique, execution values', () => {
      expectOne('execution: parallel\n---\nrun: a\n---\nname: b\nrun: b\n', 'job-name', '');
      const d = expectOne('execution: parallel\n---\nname: a\n---\nname: a\n', 'duplicate-name', '/name');
      assert.strictEqual(d.severity, 'error');
      expectOne('execution: whenever\n---\nname: a\n', 'execution', '/execution');
    });
  });
});
