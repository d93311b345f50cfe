#!/usr/bin/env node
// Runs the built CLI (dist/, made by `pnpm build`); inside the repo without a build it
// falls back to the TypeScript sources through tsx.
//
// Node's built-ins come from process.getBuiltinModule (Node >= 20.16) rather than import
// statements: an ES module import of node:fs builds its ESM facade, which loads node:stream and
// more (~6 ms of a ~150 ms start).
const builtin = process.getBuiltinModule ?? (await import('node:module')).createRequire(import.meta.url);
const nodeModule = builtin('node:module');
const { existsSync } = builtin('node:fs');
const { fileURLToPath, pathToFileURL } = builtin('node:url');

const argv = process.argv.slice(2);
const dist = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const inspect = fileURLToPath(new URL('../dist/inspect.cjs', import.meta.url));
// the read-only commands that dist/inspect.cjs holds (a test keeps this list equal to its own)
const INSPECT_COMMANDS = ['show', 'checkpoint', 'verify', 'diff'];

let code;
if (nodeModule.enableCompileCache) {
  // Node ≥ 22.1 keeps V8's compiled code of the bundle on disk between runs.
  nodeModule.enableCompileCache();
} else if (INSPECT_COMMANDS.includes(argv[0]) && process.env.SAVEDMODEL_CODE_CACHE !== '0' && existsSync(inspect)) {
  // Older Node: the same, by hand, for the commands that are meant to start fast.
  const { runWithCodeCache } = await import('./code-cache.mjs');
  code = await runWithCodeCache(inspect, 'inspectMain', argv);
}
if (code === undefined) {
  let mod;
  if (existsSync(dist)) {
    mod = await import(pathToFileURL(dist).href);
  } else {
    const { tsImport } = await import('tsx/esm/api');
    mod = await tsImport('../src/main.ts', import.meta.url);
  }
  code = await mod.main(argv);
}
process.exitCode = code;
