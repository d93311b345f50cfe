// Bundle budget: what savedmodel-js adds to a browser app's initial bundle on top of TensorFlow.js,
// minified and gzipped, for (a) export only, (b) load only, (c) everything the facade exports. Each app is
// bundled from the built packages (dist/, as a user gets them) twice: by esbuild (browser conditions,
// code splitting, minified) and by vite's production build (rollup, what a create-vite app runs),
// the baseline being the same app importing tfjs alone. The two differ: esbuild assigns whole files
// to chunks, so a module that is imported lazily but also re-exported (unused) from an index lands in
// the initial load; rollup drops the unused re-export.
// `node bundle.bench.mjs [--json]`; needs `pnpm build` first.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

const TFJS = `import * as tf from '@tensorflow/tfjs';\nglobalThis.__tf = tf;\n`;
const APPS = {
  'tfjs alone': TFJS,
  'export only': `${TFJS}import { exportModel, saveToZipBlob } from 'savedmodel-js';\nglobalThis.__x = [exportModel, saveToZipBlob];\n`,
  'load only': `${TFJS}import { loadSavedModel } from 'savedmodel-js';\nglobalThis.__x = [loadSavedModel];\n`,
  everything: `${TFJS}import * as sm from 'savedmodel-js';\nglobalThis.__x = sm;\n`,
};

// Code splitting on, as an app bundler does: what is imported lazily (the rest of the op registry,
// the wasm CRC fallback, …) lands in chunks fetched on first use and is reported apart; "initial"
// is the entry plus every chunk it imports statically.
const tmp = join(here, 'node_modules/.cache/bundle-bench');

async function measure(name, source) {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const entry = join(here, `.bundle-entry-${name.replace(/\W+/g, '-')}.mjs`);
  writeFileSync(entry, source);
  let r;
  try {
    r = await build({
      entryPoints: [entry], outdir: tmp, splitting: true,
      bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'error',
      // The facade reaches Node-only code only through lazy specifiers bundlers do not follow.
      external: ['node:*'],
      metafile: true,
    });
  } finally {
    rmSync(entry, { force: true });
  }
  const outputs = r.metafile.outputs;
  const bytes = new Map(r.outputFiles.map((f) => [f.path.slice(f.path.indexOf(tmp)), f.contents]));
  const key = (p) => [...bytes.keys()].find((k) => k.endsWith(p.replace(/^.*?node_modules\/\.cache\/bundle-bench/, '')));
  // Lazy chunks are entry points too (dynamic import targets): pick the app's own.
  const entryOut = Object.keys(outputs).find((o) => outputs[o].entryPoint?.endsWith(entry.slice(entry.lastIndexOf('/') + 1)));
  const initial = new Set();
  const visit = (o) => {
    if (initial.has(o)) return;
    initial.add(o);
    for (const i of outputs[o].imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
  };
  visit(entryOut);
  let min = 0, gz = 0, lazyMin = 0, registry = 0;
  for (const o of Object.keys(outputs)) {
    if (o.endsWith('.map')) continue;
    const c = bytes.get(key(o));
    if (!c) continue;
    if (initial.has(o)) {
      min += c.byteLength;
      gz += gzipSync(c, { level: 9 }).byteLength;
      registry += Object.entries(outputs[o].inputs).filter(([p]) => /op-registry-.*\.gen\.json/.test(p)).reduce((m, [, i]) => m + i.bytesInOutput, 0);
    } else lazyMin += c.byteLength;
  }
  return { min, gz, registry, lazyMin };
}

// The same app through `vite build` (rollup + esbuild minify): initial = entry chunk + its static imports.
async function measureVite(name, source) {
  const { build: viteBuild } = await import('vite');
  const dir = join(here, `node_modules/.cache/bundle-bench-vite/${name.replace(/\W+/g, '-')}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<script type="module" src="./main.js"></script>\n');
  writeFileSync(join(dir, 'main.js'), source);
  const out = await viteBuild({
    root: dir, configFile: false, logLevel: 'error',
    build: { write: false, minify: 'esbuild', modulePreload: false, rollupOptions: { external: [/^node:/] } },
  });
  const output = (Array.isArray(out) ? out[0] : out).output;
  const chunks = new Map(output.filter((o) => o.type === 'chunk').map((c) => [c.fileName, c]));
  const initial = new Set();
  const visit = (f) => {
    if (initial.has(f)) return;
    initial.add(f);
    for (const i of chunks.get(f)?.imports ?? []) visit(i);
  };
  visit(output.find((o) => o.type === 'chunk' && o.isEntry).fileName);
  let min = 0, gz = 0, registry = 0, lazyMin = 0;
  for (const [f, c] of chunks) {
    const code = Buffer.from(c.code);
    if (!initial.has(f)) { lazyMin += code.byteLength; continue; }
    min += code.byteLength;
    gz += gzipSync(code, { level: 9 }).byteLength;
    registry += Object.entries(c.modules).filter(([p]) => /op-registry-.*\.gen\.json/.test(p)).reduce((m, [, i]) => m + i.renderedLength, 0);
  }
  rmSync(dir, { recursive: true, force: true });
  return { min, gz, registry, lazyMin };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const bundlers = process.argv.includes('--esbuild-only') ? ['esbuild'] : ['esbuild', 'vite'];
const rows = [];
for (const bundler of bundlers) {
  const results = {};
  for (const [name, src] of Object.entries(APPS)) results[name] = await (bundler === 'vite' ? measureVite : measure)(name, src);
  const base = results['tfjs alone'];
  rows.push(...Object.entries(results).map(([name, r]) => ({
  bundler,
  app: name,
  min: r.min, gz: r.gz,
  addedMin: r.min - base.min, addedGz: r.gz - base.gz,
  opRegistryMin: r.registry,
  lazyChunksMin: r.lazyMin,
})));
}
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows, null, 1));
} else {
  console.log('bundle: savedmodel-js on top of @tensorflow/tfjs (browser, minified; gzip -9)');
  for (const r of rows) {
    if (r.app === 'tfjs alone') console.log(` ${r.bundler}:`);
    const added = r.app === 'tfjs alone' ? '' : `  +${kb(r.addedMin)} min, +${kb(r.addedGz)} gz`;
    console.log(`  ${r.app.padEnd(12)} ${kb(r.min).padStart(11)} min ${kb(r.gz).padStart(10)} gz${added}  (op registry in it: ${kb(r.opRegistryMin)}; lazy chunks: ${kb(r.lazyChunksMin)} min)`);
  }
}
