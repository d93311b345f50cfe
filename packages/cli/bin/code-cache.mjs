// A V8 code cache for one CommonJS bundle, for Node versions without module.enableCompileCache
// (before 22.1): the bundle is compiled as a vm.Script with the cached data of an earlier run, and
// after a run that had none (or whose cache V8 rejected: another Node, another build) the code
// compiled so far — including the functions the command ran — is saved for the next one. What
// Node's own compile cache does, by hand. Measured on Node 20 (`node bench/cli.bench.mjs`): it
// removes most of the compile time of `show` / `verify`.
//
// Cache files live in $SAVEDMODEL_CACHE_DIR, else $XDG_CACHE_HOME/savedmodel-js, else
// ~/.cache/savedmodel-js (a per-user directory: a code cache is trusted like code). Any failure
// to read or write the cache just means no cache; SAVEDMODEL_CODE_CACHE=0 turns it off.
// Built-ins through process.getBuiltinModule where it exists (Node >= 20.16; see savedmodel.mjs).
const builtin = process.getBuiltinModule ?? (await import('node:module')).createRequire(import.meta.url);
const { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = builtin('node:fs');
const { basename, dirname, join } = builtin('node:path');
const vm = builtin('node:vm');

/**
 * The require() the bundle gets: it needs Node's built-ins only (build.mjs checks), so where
 * process.getBuiltinModule exists that is all it is — module.createRequire costs ~2 ms.
 */
function bundleRequire(file) {
  const get = process.getBuiltinModule;
  if (!get) return builtin('node:module').createRequire(file);
  return (id) => {
    const m = get(id);
    if (m === undefined) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    return m;
  };
}

function cacheDir() {
  if (process.env.SAVEDMODEL_CACHE_DIR) return process.env.SAVEDMODEL_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(builtin('node:os').homedir(), '.cache');
  return join(base, 'savedmodel-js');
}

/**
 * Loads `file` (CommonJS) through the cache and calls its export `entry` with `argv`; resolves to
 * its exit code. Resolves to undefined, having run nothing, when the bundle cannot be loaded this
 * way (the caller then uses the ES module build).
 */
export async function runWithCodeCache(file, entry, argv) {
  const cmd = argv[0];
  let source, key, dir, cached, script;
  try {
    source = readFileSync(file, 'utf8');
    const st = statSync(file);
    dir = cacheDir();
    // the build (size, mtime), the engine and the command: each command caches what it ran
    key = `${basename(file)}-${cmd}-${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}.v8cache`;
    try {
      cached = readFileSync(join(dir, key));
    } catch {
      cached = undefined;
    }
    script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData: cached });
  } catch {
    return undefined;
  }
  let fn;
  try {
    const module = { exports: {} };
    script.runInThisContext()(module.exports, bundleRequire(file), module, file, dirname(file));
    fn = module.exports[entry];
    if (typeof fn !== 'function') return undefined;
  } catch {
    return undefined;
  }
  const code = await fn(argv);
  if (cached === undefined || script.cachedDataRejected) save(dir, key, `${basename(file)}-${cmd}-`, script);
  return code;
}

function save(dir, key, prefix, script) {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `${key}.${process.pid}.tmp`);
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    renameSync(tmp, join(dir, key));
    // caches of other builds / Node versions for this command are dead weight
    for (const f of readdirSync(dir)) if (f.startsWith(prefix) && f !== key && f.endsWith('.v8cache')) unlinkSync(join(dir, f));
  } catch {
    // no cache this time
  }
}
