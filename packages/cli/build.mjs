// Builds dist/ as one esbuild bundle with code splitting, so the CLI starts fast: Node resolves and
// compiles a handful of files instead of ~90 modules. The workspace packages (core, zip, export,
// runtime, keras, convert, the facade) are bundled from their TypeScript sources, once each; each
// command is its own lazy chunk, and only run / convert / example reach the external tfjs packages
// (and h5wasm), which stay ordinary dependencies of this package. Declarations come from
// `tsc -p tsconfig.build.json` afterwards.
import { writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Large generated JSON tables (op registries, the proto descriptor) as JSON.parse('…'): V8 parses a
 * JSON string several times faster than the same object literal.
 */
const jsonAsString = {
  name: 'json-as-string',
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, async ({ path }) => {
      const text = JSON.stringify(JSON.parse(await readFile(path, 'utf8')));
      return { contents: `export default JSON.parse(${JSON.stringify(text)});`, loader: 'js' };
    });
  },
};

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

await rm(here('dist'), { recursive: true, force: true });
const result = await build({
  entryPoints: { main: here('src/main.ts') },
  outdir: here('dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // the workspace packages' TypeScript sources, as vitest resolves them
  conditions: ['@savedmodel-js/source'],
  external: ['@tensorflow/*', 'h5wasm'],
  // CommonJS dependencies bundled into ESM (protobufjs, jszip's helpers) may call require()
  banner: { js: "import { createRequire as __smCreateRequire } from 'node:module'; const require = __smCreateRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  plugins: [jsonAsString],
  logLevel: 'warning',
  // CLI_METAFILE=path writes esbuild's metafile there (which module landed in which chunk)
  metafile: process.env.CLI_METAFILE !== undefined,
});
if (process.env.CLI_METAFILE) writeFileSync(process.env.CLI_METAFILE, JSON.stringify(result.metafile));
