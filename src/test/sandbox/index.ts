// The test sandbox: real servers for the integration, vscode and e2e tiers and the demo.
//   ssh   — OpenSSH sshd cluster nodes (head + workers), each in its own network namespace when permitted
//   s3    — Ceph RGW (also stands in for R2 and IBM COS, which speak the S3 API)
//   azure — Azurite
//   gcs, oci — the named fakes of their HTTP APIs (fakes/gcsFake.ts, fakes/ociFake.ts)
// Everything listens on 127.0.0.1 or on the sandbox bridge's host address (reachable from the nodes),
// and stop() kills only the processes this sandbox started.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { createNet, netnsSupported, SandboxNet } from './net';
import { startSshCluster, SshCluster } from './sshNodes';
import { removeTestDir } from './proc';
import { startRgw, stopRgw, RgwServer } from './rgw';
import { startAzurite, AzuriteServer } from './azurite';
import { startGcsFake, type GcsFake } from './fakes/gcsFake';
import { startOciFake, type OciFake } from './fakes/ociFake';

export type { SandboxNode } from './sshNodes';

export interface Sandbox {
  dir: string;
  skyHome: string;
  /** 'netns' when nodes have their own network namespaces, else 'loopback'. */
  mode: 'netns' | 'loopback';
  /** The address servers listen on (bridge host address in netns mode). */
  serverHost: string;
  ssh?: Omit<SshCluster, 'processes'>;
  s3?: Omit<RgwServer, 'processes'> & { credentialsFile: string };
  azure?: Omit<AzuriteServer, 'process'>;
  gcs?: { endpoint: string };
  /** configFile is an ~/.oci/config-style file whose key the fake verifies signatures with. */
  oci?: { endpoint: string; namespace: string; compartment: string; configFile: string };
  env(): NodeJS.ProcessEnv;
  writeSkyConfig(extra?: Record<string, unknown>): string;
  /** Stops the servers; a folder the sandbox made itself is removed too (kept with SKY_KEEP_TEST_DIRS). */
  stop(): Promise<void>;
}

export interface SandboxOptions {
  ssh?: boolean | { workers: number };
  s3?: boolean;
  azure?: boolean;
  gcs?: boolean;
  oci?: boolean;
  dir?: string;
}

/** An OpenSSH hashed known_hosts entry (|1|salt|HMAC-SHA1(salt, host)) for `host` (or `[host]:port`). */
export function hashKnownHostsLine(host: string, keyLine: string): string {
  const salt = crypto.randomBytes(20);
  const hash = crypto.createHmac('sha1', salt).update(host).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')} ${keyLine}`;
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sky-sandbox-'));
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  const skyHome = path.join(dir, 'sky-vscode-home');
  fs.mkdirSync(skyHome, { recursive: true });
  const workers = typeof opts.ssh === 'object' ? opts.ssh.workers : 1;
  let net: SandboxNet | undefined;
  let ssh: SshCluster | undefined;
  let rgw: RgwServer | undefined;
  let azurite: AzuriteServer | undefined;
  let gcs: GcsFake | undefined;
  let oci: (OciFake & { compartment: string; configFile: string }) | undefined;
  const cleanup = async () => {
    await Promise.all([
      ssh ? Promise.all(ssh.processes.map((p) => p.stop())) : undefined,
      rgw ? stopRgw(rgw.processes) : undefined,
      azurite?.process.stop(),
      gcs?.stop(),
      oci?.stop(),
    ]);
    await net?.destroy();
  };
  try {
    const useNetns = opts.ssh !== undefined && opts.ssh !== false && (await netnsSupported());
    if (useNetns) net = await createNet(workers + 1);
    const serverHost = net ? net.hostIp : '127.0.0.1';
    // Start the slow parts in parallel (RGW takes ~15 s).
    // Each part is recorded as soon as it is up, so a failure elsewhere still stops it.
    const results = await Promise.allSettled([
      opts.ssh ? startSshCluster(dir, workers, net).then((x) => (ssh = x)) : undefined,
      opts.s3 ? startRgw(path.join(dir, 'rgw'), serverHost).then((x) => (rgw = x)) : undefined,
      opts.azure ? startAzurite(dir, serverHost).then((x) => (azurite = x)) : undefined,
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (opts.gcs) gcs = await startGcsFake({ host: serverHost });
    if (opts.oci) oci = await startOciWithConfig(dir, serverHost);
    let credentialsFile = '';
    if (rgw) {
      credentialsFile = path.join(dir, 'aws-credentials');
      fs.writeFileSync(
        credentialsFile,
        `[default]\naws_access_key_id = ${rgw.accessKeyId}\naws_secret_access_key = ${rgw.secretAccessKey}\n`,
        { mode: 0o600 },
      );
      fs.writeFileSync(path.join(dir, 'aws-config'), `[default]\nregion = ${rgw.region}\n`);
    }
    const sandbox: Sandbox = {
      dir,
      skyHome,
      mode: net ? 'netns' : 'loopback',
      serverHost,
      ssh: ssh && (({ processes: _p, ...rest }) => rest)(ssh),
      s3: rgw && { ...(({ processes: _p, ...rest }) => rest)(rgw), credentialsFile },
      azure: azurite && (({ process: _p, ...rest }) => rest)(azurite),
      gcs: gcs && { endpoint: gcs.endpoint },
      oci: oci && {
        endpoint: oci.endpoint,
        namespace: oci.namespace,
        compartment: oci.compartment,
        configFile: oci.configFile,
      },
      env() {
        const e: NodeJS.ProcessEnv = { ...process.env, SKY_VSCODE_HOME: skyHome };
        delete e.AWS_PROFILE;
        if (rgw) {
          e.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
          e.AWS_CONFIG_FILE = path.join(dir, 'aws-config');
        }
        return e;
      },
      writeSkyConfig(extra = {}) {
        const stores: Record<string, unknown> = {};
        if (rgw) {
          const s3 = { endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true, credentialsFile };
          stores.s3 = s3;
          stores.r2 = { ...s3 };
          stores.ibm = { ...s3 };
        }
        if (azurite) stores.azure = { connectionString: azurite.connectionString };
        if (gcs) stores.gcs = { endpoint: gcs.endpoint, projectId: 'sky-sandbox' };
        if (oci)
          stores.oci = { endpoint: oci.endpoint, configFile: oci.configFile, compartment: oci.compartment };
        // S3 (RGW) is the default store for buckets whose task names none (the quickstart's outputs).
        const cfg: Record<string, unknown> = { stores, ...(rgw ? { defaultStore: 's3' } : {}) };
        if (ssh)
          cfg.ssh = {
            configFile: ssh.sshConfigPath,
            knownHostsFile: ssh.knownHostsPath,
            strictHostKeyChecking: 'yes',
          };
        const merged = deepMerge(cfg, extra);
        const file = path.join(skyHome, 'config.yaml');
        fs.writeFileSync(file, stringify(merged), { mode: 0o600 });
        return file;
      },
      stop: async () => {
        await cleanup();
        if (!opts.dir) removeTestDir(dir);
      },
    };
    fs.writeFileSync(
      path.join(dir, 'sandbox.json'),
      JSON.stringify(
        {
          dir,
          skyHome,
          mode: sandbox.mode,
          serverHost,
          ssh: sandbox.ssh,
          s3: sandbox.s3 && { endpoint: rgw!.endpoint },
          azure: sandbox.azure && { endpoint: azurite!.endpoint },
          gcs: sandbox.gcs,
          oci: sandbox.oci,
          pid: process.pid,
        },
        null,
        2,
      ),
    );
    return sandbox;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** The OCI fake plus an ~/.oci/config-style file and API key the SDK signs with. */
async function startOciWithConfig(dir: string, host: string) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = path.join(dir, 'oci_api_key.pem');
  fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const tenancy = 'ocid1.tenancy.oc1..sandbox';
  const user = 'ocid1.user.oc1..sandbox';
  const fingerprint = crypto
    .createHash('md5')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .replace(/(..)(?!$)/g, '$1:');
  const fake = await startOciFake({
    host,
    keyId: `${tenancy}/${user}/${fingerprint}`,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  const configFile = path.join(dir, 'oci-config');
  fs.writeFileSync(
    configFile,
    `[DEFAULT]\nuser=${user}\nfingerprint=${fingerprint}\ntenancy=${tenancy}\nregion=us-ashburn-1\nkey_file=${keyFile}\n`,
    { mode: 0o600 },
  );
  return Object.assign(fake, { compartment: tenancy, configFile });
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    // null removes a key (e.g. writeSkyConfig({ defaultStore: null })).
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

let shared: Promise<Sandbox> | undefined;
let sharedParts: SandboxOptions = {};

/**
 * One sandbox per test process with every part the tests asked for. The first call starts it; a
 * later call that needs a part not yet running restarts it with the union of parts.
 */
export async function sharedSandbox(parts: {
  ssh?: boolean;
  s3?: boolean;
  azure?: boolean;
  gcs?: boolean;
  oci?: boolean;
}): Promise<Sandbox> {
  const missing = (Object.keys(parts) as (keyof typeof parts)[]).some((k) => parts[k] && !sharedParts[k]);
  if (shared && !missing) return shared;
  if (shared) await (await shared.catch(() => undefined))?.stop();
  sharedParts = {
    ssh: !!(parts.ssh || sharedParts.ssh),
    s3: !!(parts.s3 || sharedParts.s3),
    azure: !!(parts.azure || sharedParts.azure),
    gcs: !!(parts.gcs || sharedParts.gcs),
    oci: !!(parts.oci || sharedParts.oci),
  };
  shared = startSandbox(sharedParts);
  return shared;
}

export async function stopSharedSandbox(): Promise<void> {
  if (!shared) return;
  const s = await shared.catch(() => undefined);
  shared = undefined;
  sharedParts = {};
  await s?.stop();
}
