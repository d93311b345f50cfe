// Bundle budget: what savedmodel-js adds to a browser app on top of TensorFlow.js, minified and
// gzipped, for (a) export only, (b) load only, (c) everything the facade exports. Each app is
// bundled by esbuild (browser conditions, tree-shaken, minified) from the built packages (dist/,
// as a user gets them), the baseline being the same app importing tfjs alone.
// `node bundle.bench.mjs [--json]`; needs `pnpm build` first.
import { build } from 'esbuild';
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

async function measure(source) {
  const r = await build({
    stdin: { contents: source, resolveDir: here, loader: 'js' },
    bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'error',
    // The facade reaches Node-only code only through lazy specifiers bundlers do not follow.
    external: ['node:*'],
    metafile: true,
  });
  const code = r.outputFiles.map((f) => f.contents);
  const min = code.reduce((n, c) => n + c.byteLength, 0);
  const gz = code.reduce((n, c) => n + gzipSync(c, { level: 9 }).byteLength, 0);
  const registry = Object.entries(r.metafile.outputs).reduce((n, [, o]) => n + Object.entries(o.inputs)
    .filter(([p]) => /registry\/.*\.gen\.json|registry-.*\.js|ops.*\.gen/.test(p)).reduce((m, [, i]) => m + i.bytesInOutput, 0), 0);
  return { min, gz, registry };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const results = {};
for (const [name, src] of Object.entries(APPS)) results[name] = await measure(src);
const base = results['tfjs alone'];
const rows = Object.entries(results).map(([name, r]) => ({
  app: name,
  min: r.min, gz: r.gz,
  addedMin: r.min - base.min, addedGz: r.gz - base.gz,
  opRegistryMin: r.registry,
}));
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows, null, 1));
} else {
  console.log('bundle: savedmodel-js on top of @tensorflow/tfjs (esbuild, browser, minified; gzip -9)');
  for (const r of rows) {
    const added = r.app === 'tfjs alone' ? '' : `  +${kb(r.addedMin)} min, +${kb(r.addedGz)} gz`;
    console.log(`  ${r.app.padEnd(12)} ${kb(r.min).padStart(11)} min ${kb(r.gz).padStart(10)} gz${added}  (op registry in bundle: ${kb(r.opRegistryMin)})`);
  }
}
