// What a node gets to reach an Azure container: an account SAS that ends in 7 days, never the key.
import * as assert from 'assert';
import { rcloneRemoteFor } from '../../../engine/mounts/rcloneRemote';
import { emptyConfig } from '../../../engine/config/config';

describe('mounts: the rclone remote a node gets for Azure', () => {
  const accountKey = Buffer.from('an account key that must stay on this machine').toString('base64');

  for (const [what, azure] of [
    ['account + accountKey', { account: 'acct', accountKey }],
    [
      'a connection string with AccountKey',
      {
        connectionString: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${accountKey};EndpointSuffix=core.windows.net`,
      },
    ],
  ] as const) {
    it(`${what}: a 7-day account SAS URL, without the key`, async () => {
      const config = emptyConfig();
      config.stores.azure = azure;
      const before = Date.now();
      const r = await rcloneRemoteFor('azure', 'data', config);
      assert.strictEqual(r.profile, 'sky-azure-data');
      const m = /^sas_url = (\S+)$/m.exec(r.section);
      assert.ok(m, r.section);
      assert.match(r.section, /^type = azureblob$/m);
      assert.ok(!r.section.includes(accountKey), 'the account key is not in the conf');
      const url = new URL(m[1]);
      assert.strictEqual(url.host, 'acct.blob.core.windows.net');
      assert.strictEqual(url.searchParams.get('sp'), 'rwdlacup');
      assert.ok(url.searchParams.get('sig'), 'signed');
      const expiry = Date.parse(url.searchParams.get('se') ?? '');
      const days = (expiry - before) / 86_400_000;
      assert.ok(days > 6.99 && days < 7.01, `expires in ${days} days`);
    });
  }
});
