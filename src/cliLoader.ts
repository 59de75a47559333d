// The `sky-vscode` command as installed (dist/cli.js): loads the CLI bundle (dist/cli-bundle.js)
// with a V8 code cache. Compiling the 1.3 MB bundle and the functions a command runs is most of a
// fresh process's start-up, and every CLI call is a fresh process; Node 20 has no built-in compile
// cache (module.enableCompileCache came in Node 22), so this does what it does: keep V8's cached
// data of the last run, per command, and hand it back to V8, which checks it against the source
// and the V8 version and ignores it when they differ.
import * as crypto from 'crypto';
import * as fs from 'fs';
import Module from 'module';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';

const bundle = path.join(__dirname, 'cli-bundle.js');

/** ~/.cache/sky-vscode/v8 (or under $XDG_CACHE_HOME): the user's own, like the bundle itself. */
function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'sky-vscode', 'v8');
}

/**
 * One cache file per bundle build, Node version and command: what V8 caches is the code the run
 * compiled, and `validate` runs other functions than `exec`.
 */
function cacheFile(source: string): string {
  const verb = process.argv.slice(2).find((a) => !a.startsWith('-'));
  const key = crypto
    .createHash('sha256')
    .update(`${process.version}\0${process.arch}\0${source.length}\0`)
    .update(source)
    .digest('hex')
    .slice(0, 16);
  return path.join(cacheDir(), `cli-${key}-${verb && /^[a-z]+$/.test(verb) ? verb : 'other'}.bin`);
}

function readCache(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined; // no cache yet (or unreadable): compile from source, as plain node would
  }
}

/** Written whole (temp file, then rename) so a concurrent run never reads half a cache. */
function writeCache(file: string, data: Buffer): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    // A read-only or full home only costs the next run its start-up time; the command still ran.
  }
}

function run(): void {
  let source = fs.readFileSync(bundle, 'utf8');
  if (source.startsWith('#!')) source = `//${source.slice(2)}`;
  const disabled = !!process.env.SKY_VSCODE_NO_CODE_CACHE;
  const file = disabled ? undefined : cacheFile(source);
  const cachedData = file ? readCache(file) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  if (file && (!cachedData || script.cachedDataRejected)) {
    // After the run: the cache then holds the functions this command compiled lazily too.
    process.once('exit', () => writeCache(file, script.createCachedData()));
  }
  const mod = new Module(bundle, undefined);
  mod.filename = bundle;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(__dirname);
  // The bundle sees itself as the main script, as when node ran it directly.
  process.argv[1] = bundle;
  const req = ((id: string) => mod.require(id)) as NodeJS.Require;
  const fn = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: Module,
    filename: string,
    dirname: string,
  ) => void;
  fn.call(mod.exports, mod.exports, req, mod, bundle, __dirname);
}

run();
