import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseConfig } from '../../../engine/config/config';
import { rcloneRemoteFor } from '../../../engine/mounts/rcloneRemote';
import { parseStoreKind, SUPPORTED_STORES } from '../../../engine/storage';
import { validateBucketName } from '../../../engine/storage/names';
import {
  ALL_NODE_MODES,
  allStores,
  storeForSkyName,
  STORE_KINDS,
} from '../../../engine/storage/stores/registry';
import { s3Settings } from '../../../engine/storage/stores/s3Settings';
import { formatStoreUri, parseStoreUri, STORE_TYPES } from '../../../engine/storage/uri';
import { makeTestDir } from '../../sandbox/proc';

describe('store registry: every row is complete and everything derives from it', () => {
  const tmp = makeTestDir('sky-registry-');
  const creds = path.join(tmp, 'credentials');
  fs.writeFileSync(
    creds,
    ['default', 'nebius', 'cw', 'vastdata']
      .map((p) => `[${p}]\naws_access_key_id = AKIDREG\naws_secret_access_key = registry-secret\n`)
      .join(''),
  );

  it('lists the six stores of before and SkyPilot’s three other S3-API stores', () => {
    assert.deepStrictEqual(STORE_KINDS, [
      's3',
      'r2',
      'ibm',
      'nebius',
      'coreweave',
      'vastdata',
      'gcs',
      'azure',
      'oci',
    ]);
    assert.deepStrictEqual(SUPPORTED_STORES, STORE_KINDS);
  });

  for (const d of allStores()) {
    it(`${d.kind}: SkyPilot name, URI scheme, name rule, config section, CLI name and node modes`, async () => {
      // SkyPilot's name, and the URI forms of that store parse back to this row.
      assert.ok(STORE_TYPES.includes(d.skyName), d.skyName);
      assert.strictEqual(storeForSkyName(d.skyName), d);
      const uri = formatStoreUri({
        store: d.skyName,
        scheme: d.scheme,
        bucket: 'my-bucket-1',
        key: 'a/b.txt',
        account: 'acct1',
      });
      assert.ok(uri.startsWith(`${d.scheme}://`), uri);
      const parsed = parseStoreUri(uri);
      assert.ok(parsed.ok, uri);
      assert.strictEqual(parsed.uri.store, d.skyName);
      assert.strictEqual(parsed.uri.bucket, 'my-bucket-1');
      assert.strictEqual(parsed.uri.key, 'a/b.txt');
      // Its bucket-name rule takes a plain name and refuses an upper-case one.
      assert.strictEqual(validateBucketName(d.skyName, 'my-bucket-1'), undefined);
      if (d.api !== 'oci') assert.ok(validateBucketName(d.skyName, 'My_Bucket'));
      // Words for people.
      assert.ok(d.label.length > 2 && d.credentials.length > 10, `${d.kind} label/credentials`);
      // The config takes its section (and it as defaultStore); --store takes its kind and SkyPilot's name.
      const cfg = parseConfig(`defaultStore: ${d.kind}\nstores:\n  ${d.kind}: {}\n`);
      assert.deepStrictEqual(cfg.stores[d.kind], {});
      assert.throws(
        () => parseConfig(`stores:\n  ${d.kind}: { nonsense: 1 }\n`),
        new RegExp(`unknown key 'stores\\.${d.kind}\\.nonsense'`),
      );
      // Its example (the new config file's template) is a valid section.
      assert.ok(parseConfig(`stores:\n  ${d.kind}: ${d.example}\n`).stores[d.kind]);
      assert.strictEqual(parseStoreKind(d.kind), d.kind);
      assert.strictEqual(parseStoreKind(d.skyName), d.kind);
      // Node modes: a subset of SkyPilot's, COPY always possible.
      assert.ok(d.nodeModes.length && d.nodeModes.every((m) => ALL_NODE_MODES.includes(m)));
      assert.ok(d.nodeModes.includes('COPY'));
      if (d.api === 's3') {
        const s3 = d.s3!;
        assert.ok(s3 && s3.region && s3.rcloneProvider, `${d.kind}: S3 defaults`);
        // Endpoint: the store's own, or a hint saying where to set one (AWS's, R2's account one and IBM's regional one come from the config).
        if (!['S3', 'R2', 'IBM'].includes(d.skyName))
          assert.ok(s3.endpoint || s3.endpointHint, `${d.kind}: endpoint or endpointHint`);
      }
      // Every store that mounts gets an rclone remote from the config alone.
      if (d.nodeModes.includes('MOUNT')) {
        const section =
          d.api === 's3'
            ? { endpoint: 'http://10.9.8.7:7480', credentialsFile: creds }
            : d.api === 'gcs'
              ? { endpoint: 'http://10.9.8.7:4443' }
              : {
                  connectionString:
                    'BlobEndpoint=http://10.9.8.7:10000/acct1;SharedAccessSignature=sv=1&sig=x',
                };
        const remote = await rcloneRemoteFor(
          d.kind,
          'my-bucket-1',
          parseConfig(`stores:\n  ${d.kind}: ${JSON.stringify(section)}\n`),
        );
        assert.match(remote.section, new RegExp(`^\\[sky-${d.kind}-my-bucket-1\\]\\ntype = `));
        if (d.api === 's3') {
          assert.match(remote.section, /\nendpoint = http:\/\/10\.9\.8\.7:7480\n/);
          assert.match(
            remote.section,
            new RegExp(`\\nprovider = ${d.kind === 's3' ? 'Other' : d.s3!.rcloneProvider}\\n`),
          );
        }
      }
    });
  }

  it('SkyPilot’s endpoints and credential files for Nebius, CoreWeave and VAST; CoreWeave never creates', () => {
    const nebius = storeForSkyName('NEBIUS')!;
    assert.deepStrictEqual(
      { ...s3Settings(nebius, { region: 'eu-west1' }) },
      {
        endpoint: 'https://storage.eu-west1.nebius.cloud',
        region: 'eu-west1',
        forcePathStyle: undefined,
        credentialsFile: undefined,
        profile: 'nebius',
      },
    );
    const cw = storeForSkyName('COREWEAVE')!;
    const cws = s3Settings(cw, {});
    assert.strictEqual(cws.endpoint, 'https://cwobject.com');
    assert.strictEqual(cws.profile, 'cw');
    assert.match(cws.credentialsFile!, /\/\.coreweave\/cw\.credentials$/);
    assert.strictEqual(cw.canCreate, false);
    // The config's own file and profile replace the store's pair.
    assert.deepStrictEqual(
      [
        s3Settings(cw, { credentialsFile: creds }).credentialsFile,
        s3Settings(cw, { credentialsFile: creds }).profile,
      ],
      [creds, undefined],
    );
    const vast = storeForSkyName('VASTDATA')!;
    assert.throws(
      () => s3Settings(vast, {}),
      (e: Error & { hint?: string }) =>
        /VAST Data store has no endpoint/.test(e.message) &&
        /~\/\.vastdata\/vastdata\.config/.test(e.hint ?? ''),
    );
    assert.match(
      s3Settings(vast, { endpoint: 'https://vast.example' }).credentialsFile!,
      /\/\.vastdata\/vastdata\.credentials$/,
    );
    assert.ok(
      allStores()
        .filter((d) => !d.canCreate)
        .every((d) => d.kind === 'coreweave'),
    );
  });
});
