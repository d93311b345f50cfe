// The demo app: a static, offline-capable PWA. `vite build` → dist/ with
//  - wasm/*.wasm  the TensorFlow.js wasm backend binaries, copied from node_modules (no CDN);
//  - sw.js        the hand-written service worker (sw/sw.js) with the list of every built file
//                 and a content hash prepended by the `precache` plugin below.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, defineConfig, type Logger, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = (p: string) => join(here, '..', p);
const require = createRequire(import.meta.url);
const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Copies the wasm backend binaries into the build (and serves them in dev) under wasm/. */
function tfjsWasm(): Plugin {
  return {
    name: 'demo-tfjs-wasm',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/wasm\/([\w.-]+\.wasm)$/.exec(req.url?.split('?')[0] ?? '');
        if (!m || !WASM_FILES.includes(m[1]!)) return next();
        res.setHeader('Content-Type', 'application/wasm');
        res.end(readFileSync(join(wasmDist, m[1]!)));
      });
    },
    generateBundle() {
      for (const f of WASM_FILES) this.emitFile({ type: 'asset', fileName: `wasm/${f}`, source: readFileSync(join(wasmDist, f)) });
    },
  };
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Writes dist/sw.js: `self.__SW_VERSION` (sha-256 of every built file) and `self.__SW_ASSETS`
 * (every built file, relative to the app root, plus './' for the start URL), then sw/sw.js.
 */
function precache(): Plugin {
  let outDir = '';
  return {
    name: 'demo-precache',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir;
    },
    writeBundle() {
      const files = walk(outDir)
        .map((f) => relative(outDir, f).split(sep).join('/'))
        .filter((f) => f !== 'sw.js' && !f.endsWith('.map'))
        .sort();
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update('\0').update(readFileSync(join(outDir, f)));
      const version = hash.digest('hex').slice(0, 16);
      const assets = ['./', ...files];
      const body = readFileSync(join(here, 'sw', 'sw.js'), 'utf8');
      writeFileSync(join(outDir, 'sw.js'), `self.__SW_VERSION = ${JSON.stringify(version)};\nself.__SW_ASSETS = ${JSON.stringify(assets, null, 1)};\n${body}`);
    },
  };
}

// tfjs-backend-cpu is imported statically by @tensorflow/tfjs and dynamically by savedmodel-js's
// loader (for Node); in this bundle both are the same chunk, as intended: drop vite's note on it.
function demoLogger(level: 'info' | 'warn'): Logger {
  const logger = createLogger(level);
  const warn = logger.warn.bind(logger);
  logger.warn = (msg, options) => {
    if (msg.includes('dynamic import will not move module into another chunk')) return;
    warn(msg, options);
  };
  return logger;
}

export default defineConfig(({ isPreview }) => ({
  // `vite preview` prints the URL it serves at (info level); builds stay quiet.
  customLogger: demoLogger(isPreview ? 'info' : 'warn'),
  root: here,
  base: './',
  // Sibling packages from their TypeScript sources (as the tests do): the demo never bundles a stale dist/.
  resolve: {
    alias: [
      { find: /^@savedmodel-js\/core$/, replacement: pkg('core/src/index.ts') },
      { find: /^@savedmodel-js\/trace$/, replacement: pkg('trace/src/index.ts') },
      { find: /^@savedmodel-js\/zip$/, replacement: pkg('zip/src/index.ts') },
      { find: /^@savedmodel-js\/export$/, replacement: pkg('export/src/index.ts') },
      { find: /^@savedmodel-js\/runtime$/, replacement: pkg('runtime/src/index.ts') },
      { find: /^@savedmodel-js\/convert$/, replacement: pkg('convert/src/index.ts') },
      { find: /^savedmodel-js$/, replacement: pkg('savedmodel-js/src/index.ts') },
      // Only the backends the picker offers: @tensorflow/tfjs without WebGL (see the file).
      { find: /^@tensorflow\/tfjs$/, replacement: join(here, 'src', 'tfjs-without-webgl.ts') },
    ],
  },
  plugins: [tfjsWasm(), precache()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
  },
  logLevel: isPreview ? 'info' : 'warn',
}));
