#!/usr/bin/env node
'use strict';
// Runs the built CLI (dist/, made by `pnpm build`); inside the repo without a build it
// falls back to the TypeScript sources through tsx. One file, and CommonJS: Node starts a
// CommonJS main without its ES module loader, which an .mjs main cost (~8 ms of a ~130 ms
// start that `show` and `verify` keep near `node -e 0`'s); each further module the bin loaded
// cost ~4 ms more. Node's built-ins come from require(), which loads no ES module facade.
const nodeModule = require('node:module');
const { pathToFileURL } = require('node:url');

// ---- A V8 code cache for one CommonJS bundle, for Node versions without module.enableCompileCache
// (before 22.1): the bundle is compiled as a vm.Script with the cached data of an earlier run, and
// after a run that had none (or whose cache V8 rejected: another Node, another build) the code
// compiled so far — including the functions the command ran — is saved for the next one. What
// Node's own compile cache does, by hand. Measured on Node 20 (`node bench/cli.bench.mjs`): it
// removes most of the compile time of `show` / `verify`.
//
// Cache files live in $SAVEDMODEL_CACHE_DIR, else $XDG_CACHE_HOME/savedmodel-js, else
// ~/.cache/savedmodel-js (a per-user directory: a code cache is trusted like code). Any failure
// to read or write the cache just means no cache; SAVEDMODEL_CODE_CACHE=0 turns it off.
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

function cacheDir() {
  if (process.env.SAVEDMODEL_CACHE_DIR) return process.env.SAVEDMODEL_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(require('node:os').homedir(), '.cache');
  return join(base, 'savedmodel-js');
}

/**
 * Loads `file` (CommonJS) through the cache and calls its export `entry` with `argv`; resolves to
 * its exit code. Resolves to undefined, having run nothing, when the bundle cannot be loaded this
 * way (the caller then uses the ES module build).
 */
async function runWithCodeCache(file, entry, argv) {
  const cmd = argv[0];
  let source, key, dir, cached, script;
  try {
    // build.mjs keeps the bundle pure ASCII: read as latin1, the same string without UTF-8 decoding
    source = readFileSync(file, 'latin1');
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
    // the bundle needs Node's built-ins only (build.mjs checks): this file's require serves
    script.runInThisContext()(module.exports, require, module, file, dirname(file));
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

// ---- main
async function main(argv) {
  const dist = join(__dirname, '../dist/main.js');
  const inspect = join(__dirname, '../dist/inspect.cjs');
  // the read-only commands that dist/inspect.cjs holds (a test keeps this list equal to its own)
  const INSPECT_COMMANDS = ['show', 'checkpoint', 'verify', 'diff'];

  let code;
  if (nodeModule.enableCompileCache) {
    // Node >= 22.1 keeps V8's compiled code of the bundle on disk between runs.
    nodeModule.enableCompileCache();
  } else if (INSPECT_COMMANDS.includes(argv[0]) && process.env.SAVEDMODEL_CODE_CACHE !== '0' && existsSync(inspect)) {
    // Older Node: the same, by hand, for the commands that are meant to start fast.
    code = await runWithCodeCache(inspect, 'inspectMain', argv);
  }
  if (code === undefined) {
    let mod;
    if (existsSync(dist)) {
      mod = await import(pathToFileURL(dist).href);
    } else {
      const { tsImport } = await import('tsx/esm/api');
      mod = await tsImport('../src/main.ts', pathToFileURL(__filename).href);
    }
    code = await mod.main(argv);
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.exitCode = 1; throw e; },
);
