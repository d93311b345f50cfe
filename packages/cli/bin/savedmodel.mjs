#!/usr/bin/env node
// Runs the built CLI (dist/, made by `pnpm build`); inside the repo without a build it
// falls back to the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import nodeModule from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../dist/main.js', import.meta.url));
let mod;
// Node ≥ 22.1 keeps V8's compiled code of the bundle on disk between runs (a no-op on Node 20).
nodeModule.enableCompileCache?.();
if (existsSync(dist)) {
  mod = await import(pathToFileURL(dist).href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  mod = await tsImport('../src/main.ts', import.meta.url);
}
process.exitCode = await mod.main(process.argv.slice(2));
