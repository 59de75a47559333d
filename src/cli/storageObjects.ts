// `sky-vscode storage stat|find|cp|mv|presign|mkdir` and `storage ls --newest URI`: object verbs on any
// bucket URI SkyPilot accepts.
import { Command } from 'commander';
import { loadConfig } from '../engine/config/config';
import { copyUri } from '../engine/storage/copy';
import { findObjects } from '../engine/storage/find';
import { newestObjects } from '../engine/storage/newest';
import { openUri } from '../engine/storage/openUri';
import { parseDuration, presignUri } from '../engine/storage/presign';
import { statUri } from '../engine/storage/stat';
import type { ObjectInfo } from '../engine/storage/store';
import { UsageError } from '../engine/util/errors';
import { formatBytes } from '../engine/util/progress';
import { cancelOnSigint } from './clusterContext';
import { printJson, stderrProgress } from './output';
import { registerMkdir } from './storageMkdir';

const row = (o: ObjectInfo, uri: string) =>
  `${(o.lastModified?.toISOString() ?? '-').padEnd(25)}${formatBytes(o.size).padStart(10)}  ${uri}\n`;

const objectJson = (o: ObjectInfo, uri: string) => ({
  uri,
  key: o.key,
  size: o.size,
  lastModified: o.lastModified?.toISOString(),
});

/** `storage ls --newest [-n N] URI`: the newest objects under a prefix, over every page. */
export async function lsNewest(uri: string, opts: { n?: string; json?: boolean }): Promise<number> {
  const n = opts.n === undefined ? 100 : Number(opts.n);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`-n takes a positive whole number, not '${opts.n}'.`);
  const t = await openUri(loadConfig(), uri);
  const prefix = t.key && !t.key.endsWith('/') ? `${t.key}/` : t.key;
  const source = cancelOnSigint();
  const started = Date.now();
  const tty = process.stderr.isTTY;
  const r = await newestObjects(t.store, t.bucket, prefix, {
    n,
    token: source.token,
    onPage: (p) => {
      if (tty) process.stderr.write(`\r\x1b[K  ${p.scanned} objects listed, ${p.requests} list requests`);
    },
  });
  const secs = (Date.now() - started) / 1000;
  if (tty) process.stderr.write('\r\x1b[K');
  if (opts.json)
    printJson({
      uri: t.store.uri(t.bucket, prefix),
      scanned: r.scanned,
      listRequests: r.requests,
      seconds: secs,
      newest: r.newest.map((o) => objectJson(o, t.store.uri(t.bucket, o.key))),
    });
  else for (const o of r.newest) process.stdout.write(row(o, t.store.uri(t.bucket, o.key)));
  process.stderr.write(
    `${r.newest.length} newest of ${r.scanned} object(s); ${r.requests} list request(s) in ${secs.toFixed(1)} s.\n`,
  );
  return 0;
}

export function registerObjectVerbs(storage: Command, run: (fn: () => Promise<number>) => void): void {
  storage
    .command('stat')
    .description('Show an object’s size, last modified, ETag/generation, content type, metadata and tags.')
    .argument('<uri>', 'object URI (s3://b/k, gs://…, https://acct.blob.core.windows.net/c/k, oci://…)')
    .option('--json', 'machine-readable output on stdout')
    .action((uri: string, opts: { json?: boolean }) =>
      run(async () => {
        const s = await statUri(loadConfig(), uri);
        if (opts.json) {
          printJson({ ...s, lastModified: s.lastModified?.toISOString() });
          return 0;
        }
        const lines: [string, string | undefined][] = [
          ['URI', s.uri],
          ['Store', s.store],
          ['Size', `${formatBytes(s.size)} (${s.size} bytes)`],
          ['Last modified', s.lastModified?.toISOString()],
          ['ETag', s.etag],
          ['Generation', s.generation],
          ['Content type', s.contentType],
          ['MD5', s.md5],
        ];
        for (const [k, v] of lines) if (v !== undefined) process.stdout.write(`${`${k}:`.padEnd(15)}${v}\n`);
        const kv = (title: string, m?: Record<string, string>) => {
          if (m === undefined) return process.stdout.write(`${`${title}:`.padEnd(15)}(not available)\n`);
          const e = Object.entries(m);
          process.stdout.write(`${`${title}:`.padEnd(15)}${e.length ? '' : '(none)'}\n`);
          for (const [k, v] of e) process.stdout.write(`  ${k} = ${v}\n`);
        };
        kv('Metadata', s.metadata);
        kv('Tags', s.tags);
        return 0;
      }),
    );

  storage
    .command('find')
    .description(
      'Find objects under a prefix whose name contains TEXT (--starts-with: names starting with TEXT, matched by the store).',
    )
    .argument('<uri>', 'bucket or prefix URI to search under')
    .argument('<text>', 'text the object name (relative to the prefix) contains')
    .option(
      '--starts-with',
      'match names that start with TEXT (a server-side prefix: lists only the matches)',
    )
    .option('-i, --ignore-case', 'case-insensitive (always a full listing)')
    .option('-n <n>', 'stop after N matches')
    .option('--json', 'machine-readable output on stdout')
    .action(
      (
        uri: string,
        text: string,
        opts: { startsWith?: boolean; ignoreCase?: boolean; n?: string; json?: boolean },
      ) =>
        run(async () => {
          const t = await openUri(loadConfig(), uri);
          const limit = opts.n === undefined ? undefined : Number(opts.n);
          if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0))
            throw new UsageError(`-n takes a positive whole number, not '${opts.n}'.`);
          const r = await findObjects(t.store, t.bucket, t.key, text, {
            startsWith: opts.startsWith,
            ignoreCase: opts.ignoreCase,
            limit,
            token: cancelOnSigint().token,
            onMatch: opts.json
              ? undefined
              : (o) => process.stdout.write(row(o, t.store.uri(t.bucket, o.key))),
          });
          if (opts.json)
            printJson({
              listedPrefix: t.store.uri(t.bucket, r.listedPrefix),
              scanned: r.scanned,
              listRequests: r.requests,
              truncated: r.truncated,
              matches: r.matches.map((o) => objectJson(o, t.store.uri(t.bucket, o.key))),
            });
          process.stderr.write(
            `${r.matches.length} match(es) among ${r.scanned} object(s) under ${t.store.uri(t.bucket, r.listedPrefix)}; ${r.requests} list request(s).\n`,
          );
          return 0;
        }),
    );

  for (const verb of ['cp', 'mv'] as const)
    storage
      .command(verb)
      .description(
        verb === 'cp'
          ? 'Copy an object or a prefix (…/) to another URI: inside one store the store copies; across stores it streams through this machine.'
          : 'Move (rename) an object or a prefix: copy, check each copy, then delete its source.',
      )
      .argument('<src>', 'source object or prefix URI')
      .argument('<dst>', 'destination object or prefix URI (ending in / to keep the source name)')
      .option('--force', 'replace existing destination objects')
      .option('--json', 'machine-readable output on stdout')
      .action((src: string, dst: string, opts: { force?: boolean; json?: boolean }) =>
        run(async () => {
          const r = await copyUri(loadConfig(), src, dst, {
            move: verb === 'mv',
            overwrite: opts.force,
            token: cancelOnSigint().token,
            progress: stderrProgress(),
          });
          if (opts.json) printJson(r);
          else
            process.stderr.write(
              `\n${r.moved ? 'Moved' : 'Copied'} ${r.objects.length} object(s), ${formatBytes(r.bytes)} (${r.mode === 'server' ? 'server-side' : 'streamed through this machine'}).\n`,
            );
          return 0;
        }),
      );

  storage
    .command('presign')
    .description('Make a link that lets anyone holding it download one object until it expires.')
    .argument('<uri>', 'object URI')
    .option('--expires <duration>', 'how long the link works: 90s, 15m, 12h, 7d', '1h')
    .option('--json', 'machine-readable output on stdout')
    .action((uri: string, opts: { expires: string; json?: boolean }) =>
      run(async () => {
        const r = await presignUri(loadConfig(), uri, parseDuration(opts.expires));
        if (opts.json) printJson({ ...r, expires: r.expires.toISOString() });
        else {
          process.stdout.write(`${r.url}\n`);
          process.stderr.write(`${r.grants}\n`);
        }
        return 0;
      }),
    );

  registerMkdir(storage, run);
}
