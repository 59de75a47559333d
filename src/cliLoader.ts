// The `sky-vscode` command as installed (dist/cli.js): loads the CLI bundle (dist/cli-bundle.js)
// and the chunks it loads later (the cloud SDKs, dist/*.cli.js) with a V8 code cache. Compiling
// them and the functions a command runs is most of a fresh process's start-up, and every CLI call
// is a fresh process; Node 20 has no built-in compile cache (module.enableCompileCache came in
// Node 22), so this does what it does: keep V8's cached data of the last run, per command, and hand
// it back to V8, which checks it against the source and its own version and ignores it otherwise.
import * as crypto from 'crypto';
import * as fs from 'fs';
import Module from 'module';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';

type ModuleInternals = typeof Module & {
  _extensions: Record<string, (m: Module, filename: string) => void>;
  _nodeModulePaths(dir: string): string[];
};
type Wrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: Module,
  filename: string,
  dirname: string,
) => void;

const bundle = path.join(__dirname, 'cli-bundle.js');
const disabled = !!process.env.SKY_VSCODE_NO_CODE_CACHE;
/** What V8 caches is the code the run compiled, and `validate` runs other functions than `exec`. */
const verb = ((v) => (v && /^[a-z]+$/.test(v) ? v : 'other'))(
  process.argv.slice(2).find((a) => !a.startsWith('-')),
);

/** ~/.cache/sky-vscode/v8 (or under $XDG_CACHE_HOME): the user's own, like the bundle itself. */
function cacheFile(name: string, source: string): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const key = crypto
    .createHash('sha256')
    .update(`${process.version}\0${process.arch}\0`)
    .update(source)
    .digest('hex')
    .slice(0, 16);
  return path.join(base, 'sky-vscode', 'v8', `${name}-${key}-${verb}.bin`);
}

function readCache(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined; // no cache yet (or unreadable): compile from source, as plain node would
  }
}

/**
 * Written whole (temp file, then rename) so a concurrent run never reads half a cache; the same
 * file's caches of earlier builds or Node versions are removed, so upgrades do not pile them up.
 */
function writeCache(name: string, file: string, data: Buffer): void {
  try {
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file);
    const stale = new RegExp(`^${name}-[0-9a-f]{16}-${verb}\\.bin$`);
    for (const f of fs.readdirSync(dir))
      if (stale.test(f) && f !== path.basename(file)) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    // A read-only or full home only costs the next run its start-up time; the command still ran.
  }
}

/** Compiles one CommonJS file with its cache; a missing or rejected cache is written at exit. */
function compile(name: string, filename: string): Wrapper {
  let source = fs.readFileSync(filename, 'utf8');
  if (source.startsWith('#!')) source = `//${source.slice(2)}`;
  const file = disabled ? undefined : cacheFile(name, source);
  const cachedData = file ? readCache(file) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename, cachedData });
  if (file && (!cachedData || script.cachedDataRejected)) {
    // After the run: the cache then holds the functions this command compiled lazily too.
    process.once('exit', () => writeCache(name, file, script.createCachedData()));
  }
  return script.runInThisContext() as Wrapper;
}

function run(mod: Module, filename: string, fn: Wrapper): void {
  mod.filename = filename;
  mod.paths = (Module as ModuleInternals)._nodeModulePaths(path.dirname(filename));
  const req = Module.createRequire(filename);
  fn.call(mod.exports, mod.exports, req, mod, filename, path.dirname(filename));
}

// The bundle loads its chunks with require('./<id>.cli.js'): those are compiled the same way.
const extensions = (Module as ModuleInternals)._extensions;
const plainJs = extensions['.js'];
extensions['.js'] = (mod, filename) => {
  if (path.dirname(filename) === __dirname && filename.endsWith('.cli.js')) {
    run(mod, filename, compile(`chunk-${path.basename(filename, '.cli.js')}`, filename));
    return;
  }
  plainJs(mod, filename);
};

// The bundle sees itself as the main script, as when node ran it directly.
process.argv[1] = bundle;
run(new Module(bundle, undefined), bundle, compile('cli', bundle));
