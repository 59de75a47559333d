import * as path from 'path';
import { Command } from 'commander';
import type { CliContext } from './context';
import { loadConfig } from '../engine/config/config';
import {
  deleteBuckets,
  downloadToFolder,
  openStore,
  parseStoreKind,
  readRecords,
  syncLocalSourceToBucket,
} from '../engine/storage';
import type { StoreKind } from '../engine/storage';
import {
  STORE_KINDS,
  storeDescriptor,
  storeForSkyName,
  storeSources,
} from '../engine/storage/stores/registry';
import { parseStoreUri } from '../engine/storage/uri';
import { errorMessage, UsageError } from '../engine/util/errors';
import { formatBytes } from '../engine/util/progress';
import { EXIT_FAILURE, printJson, reportError, stderrLog, stderrProgress } from './output';
import { cancelOnSigint, cliUi } from './clusterContext';
import { lsNewest, registerObjectVerbs } from './storageObjects';

type LsOptions = { json?: boolean; all?: boolean; store?: string; newest?: boolean; n?: string };
import { deleteSkyPilotStorage, readSkyPilotState, type SkyPilotStorage } from '../engine/skypilot/state';
import type { SkyConfig } from '../engine/config/config';

/** SkyPilot's buckets when its `sky` is installed; a failure to read them is a warning, not the end of `ls`. */
async function skyPilotStorageOrWarn(config: SkyConfig): Promise<SkyPilotStorage[]> {
  try {
    return (await readSkyPilotState(config))?.storage ?? [];
  } catch (err) {
    process.stderr.write(`Warning: SkyPilot's buckets could not be read: ${errorMessage(err)}\n`);
    return [];
  }
}

function ago(iso: string): string {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.round(s)} secs ago`;
  if (s < 3600) return `${Math.round(s / 60)} mins ago`;
  if (s < 86400) return `${Math.round(s / 3600)} hrs ago`;
  return `${Math.round(s / 86400)} days ago`;
}

function uriTarget(uri: string): { store: StoreKind; bucket: string; key: string } {
  const p = parseStoreUri(uri);
  if (!p.ok) throw new UsageError(p.error);
  const d = storeForSkyName(p.uri.store);
  if (!d) throw new UsageError(`The ${p.uri.store} store is not supported here.`);
  return { store: d.kind, bucket: p.uri.bucket, key: p.uri.key };
}

/** `sky-vscode storage ls|delete|upload|objects|download` — like `sky storage`, plus browsing. */
export function registerStorage(program: Command, ctx: CliContext): void {
  const storage = program
    .command('storage')
    .description('Buckets: the ones sky-vscode created (ls/delete), uploads, browsing and downloads.');
  const run = (fn: () => Promise<number>) => fn().then(ctx.exit, (err) => ctx.exit(reportError(err)));

  storage
    .command('ls')
    .description(
      'List the buckets sky-vscode created (--all: every bucket of every configured store); with --newest URI, the newest objects under a prefix.',
    )
    .argument('[uri]', 'with --newest: the bucket or prefix URI')
    .option('--json', 'machine-readable output on stdout')
    .option('--all', 'every bucket of every configured store')
    .option('--store <store>', `only this store (${STORE_KINDS.join(' | ')})`)
    .option('--newest', 'the most recently modified objects under URI, over every page (recursive)')
    .option('-n <n>', 'with --newest: how many (default 100)')
    .action((uri: string | undefined, opts: LsOptions) =>
      run(async () => {
        if (opts.newest || uri !== undefined) {
          if (!opts.newest || uri === undefined)
            throw new UsageError('A URI goes with --newest: storage ls --newest [-n N] URI.');
          return lsNewest(uri, opts);
        }
        const config = loadConfig();
        const only = opts.store ? parseStoreKind(opts.store) : undefined;
        if (opts.all) {
          const rows: {
            name: string;
            store: StoreKind;
            created?: string;
            managed: boolean;
            skypilot?: boolean;
          }[] = [];
          const managed = readRecords();
          const sky = await skyPilotStorageOrWarn(config);
          let failed = false;
          // Every store with a config section or SkyPilot's credentials; one that fails is reported
          // (naming the file or variable to fix) and the others are still listed.
          for (const src of storeSources(config).filter((s) => !only || s.kind === only)) {
            const kind = src.kind;
            try {
              const store = await openStore(kind, config);
              for (const b of await store.listBuckets())
                rows.push({
                  name: b.name,
                  store: kind,
                  created: b.created?.toISOString(),
                  managed: managed.some((r) => r.name === b.name && r.store === kind),
                  ...(sky.some((r) => r.name === b.name && r.stores.includes(kind))
                    ? { skypilot: true }
                    : {}),
                });
            } catch (err) {
              failed = true;
              const where = src.origin === 'skypilot' ? ` (found in ${src.from})` : '';
              process.stderr.write(`${storeDescriptor(kind).skyName}${where}: ${errorMessage(err)}\n`);
            }
          }
          if (opts.json) printJson(rows);
          else
            for (const r of rows)
              process.stdout.write(
                `${r.name.padEnd(40)} ${storeDescriptor(r.store).skyName.padEnd(9)} ${r.managed ? 'managed' : r.skypilot ? 'SkyPilot' : ''}\n`,
              );
          return failed ? EXIT_FAILURE : 0;
        }
        const records = readRecords().filter((r) => !only || r.store === only);
        // SkyPilot's own buckets (`sky storage ls`), marked as SkyPilot's.
        const sky = (await skyPilotStorageOrWarn(config)).filter((r) => !only || r.stores.includes(only));
        if (opts.json) {
          printJson([
            ...records.map((r) => ({
              name: r.name,
              store: storeDescriptor(r.store).skyName,
              created: r.created,
              updated: r.updated,
              source: r.source.join(', '),
              command: r.command,
              status: r.status,
            })),
            ...sky.map((r) => ({
              name: r.name,
              store: r.skyStores.join(', '),
              created: r.launchedAt,
              updated: r.launchedAt,
              command: r.lastUse,
              status: r.status,
              managedBy: 'skypilot',
            })),
          ]);
          return 0;
        }
        if (!records.length && !sky.length) {
          process.stdout.write('No existing storage.\n');
          return 0;
        }
        process.stdout.write(
          `${'NAME'.padEnd(32)}${'UPDATED'.padEnd(16)}${'STORE'.padEnd(10)}${'COMMAND'.padEnd(28)}STATUS\n`,
        );
        for (const r of records)
          process.stdout.write(
            `${r.name.padEnd(32)}${ago(r.updated).padEnd(16)}${storeDescriptor(r.store).skyName.padEnd(10)}${r.command.slice(0, 25).padEnd(28)}${r.status}\n`,
          );
        for (const r of sky)
          process.stdout.write(
            `${r.name.padEnd(32)}${(r.launchedAt ? ago(r.launchedAt) : '-').padEnd(16)}${(r.skyStores.join(',') || '-').padEnd(10)}${(r.lastUse ?? '').slice(0, 25).padEnd(28)}${r.status} (SkyPilot)\n`,
          );
        return 0;
      }),
    );

  storage
    .command('delete')
    .description(
      'Delete buckets sky-vscode created (names are glob patterns); --force also deletes another bucket named exactly (with --store).',
    )
    .argument('[names...]', 'bucket names or glob patterns')
    .option('-a, --all', 'every bucket sky-vscode created')
    .option('-y, --yes', 'do not ask')
    .option('--force', 'delete a bucket sky-vscode did not create (needs --store)')
    .option('--store <store>', `store of the buckets (${STORE_KINDS.join(' | ')})`)
    .action((names: string[], opts: { all?: boolean; yes?: boolean; force?: boolean; store?: string }) =>
      run(async () => {
        if (!opts.all === !names.length) throw new UsageError('Either --all or a name must be specified.');
        const config = loadConfig();
        // A name that only SkyPilot's records hold is deleted through SkyPilot (its records stay true).
        const ours = readRecords();
        const skyOnly = names.filter(
          (n) => !n.includes('*') && !ours.some((r) => r.name === n) && !opts.force,
        );
        const skyNames = skyOnly.length
          ? (await skyPilotStorageOrWarn(config)).map((r) => r.name).filter((n) => skyOnly.includes(n))
          : [];
        let skyFailed = false;
        for (const n of skyNames) {
          if (!opts.yes) {
            process.stderr.write(
              `${n} is SkyPilot's bucket: confirm with -y to delete it through SkyPilot.\n`,
            );
            skyFailed = true;
            continue;
          }
          try {
            await deleteSkyPilotStorage(n, config);
            process.stderr.write(`Deleted SkyPilot's storage ${n} (through SkyPilot).\n`);
          } catch (err) {
            skyFailed = true;
            process.stderr.write(`${n}: ${errorMessage(err)}\n`);
          }
        }
        names = names.filter((n) => !skyNames.includes(n));
        if (skyNames.length && !names.length && !opts.all) return skyFailed ? EXIT_FAILURE : 0;
        const outcomes = await deleteBuckets({
          config,
          patterns: names,
          all: opts.all,
          force: opts.force,
          store: opts.store ? parseStoreKind(opts.store) : undefined,
          ui: cliUi(false),
          yes: opts.yes,
          progress: stderrProgress(),
        });
        if (!outcomes.length && !opts.yes) process.stderr.write('Nothing deleted (confirm with -y).\n');
        for (const o of outcomes) process.stderr.write(`${o.message}\n`);
        return skyFailed || outcomes.some((o) => o.result === 'error') || (!outcomes.length && !opts.yes)
          ? EXIT_FAILURE
          : 0;
      }),
    );

  storage
    .command('upload')
    .description(
      'Create the bucket if missing, record it as managed, and upload the sources incrementally (SkyPilot layout).',
    )
    .requiredOption('--name <name>', 'bucket name')
    .requiredOption('--store <store>', STORE_KINDS.join(' | '))
    .argument('<sources...>', 'local directories or files')
    .action((sources: string[], opts: { name: string; store: string }) =>
      run(async () => {
        const source = cancelOnSigint();
        const r = await syncLocalSourceToBucket({
          config: loadConfig(),
          store: parseStoreKind(opts.store),
          name: opts.name,
          sources: sources.map((s) => path.resolve(s)),
          command: `sky-vscode storage upload --name ${opts.name}`,
          token: source.token,
          progress: stderrProgress(),
          log: stderrLog,
        });
        process.stderr.write(
          `\n${r.created ? 'Created and uploaded' : 'Synced'} ${opts.name}: ${r.uploaded} uploaded, ${r.skipped} unchanged. Status ${r.record.status}.\n`,
        );
        return 0;
      }),
    );

  storage
    .command('objects')
    .description(
      'List the objects and folders in a bucket URI (s3://b/prefix, https://acct.blob.core.windows.net/c/prefix, …).',
    )
    .argument('<uri>', 'bucket URI')
    .option('--prefix <p>', 'server-side prefix filter (added to the URI path)')
    .option('--json', 'machine-readable output on stdout')
    .action((uri: string, opts: { prefix?: string; json?: boolean }) =>
      run(async () => {
        const t = uriTarget(uri);
        const store = await openStore(t.store, loadConfig());
        let prefix = t.key && !t.key.endsWith('/') ? `${t.key}/` : t.key;
        prefix += opts.prefix ?? '';
        const objects = [];
        const folders: string[] = [];
        let token: string | undefined;
        do {
          const page = await store.listObjects({
            bucket: t.bucket,
            prefix,
            delimiter: '/',
            pageToken: token,
            pageSize: 1000,
          });
          objects.push(...page.objects);
          folders.push(...page.prefixes);
          token = page.nextPageToken;
        } while (token);
        if (opts.json)
          printJson({
            folders,
            objects: objects.map((o) => ({
              key: o.key,
              size: o.size,
              lastModified: o.lastModified?.toISOString(),
            })),
          });
        else {
          for (const f of folders) process.stdout.write(`${'DIR'.padStart(10)}  ${f}\n`);
          for (const o of objects) process.stdout.write(`${formatBytes(o.size).padStart(10)}  ${o.key}\n`);
        }
        return 0;
      }),
    );

  registerObjectVerbs(storage, run);

  storage
    .command('download')
    .description(
      'Download an object, or a folder (URI ending in /), into DEST; existing files are not overwritten unless --force.',
    )
    .argument('<uri>', 'bucket URI of an object or a folder (…/)')
    .argument('<dest>', 'local folder')
    .option('--force', 'overwrite existing files')
    .action((uri: string, dest: string, opts: { force?: boolean }) =>
      run(async () => {
        const t = uriTarget(uri);
        const store = await openStore(t.store, loadConfig());
        const source = cancelOnSigint();
        const answer = opts.force ? 'yesToAll' : 'noToAll';
        const r = await downloadToFolder(store, t.bucket, t.key, path.resolve(dest), {
          token: source.token,
          progress: stderrProgress(),
          ui: { ...cliUi(false), overwrite: async () => answer },
        });
        process.stderr.write(
          `\nDownloaded ${r.files} file(s), ${formatBytes(r.bytes)}${r.skipped ? `; ${r.skipped} existing file(s) kept (use --force)` : ''}.\n`,
        );
        return 0;
      }),
    );
}
