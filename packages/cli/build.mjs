// Builds dist/ as one esbuild bundle with code splitting, so the CLI starts fast: Node resolves and
// compiles a handful of files instead of ~90 modules. The workspace packages (core, zip, export,
// runtime, keras, convert, the facade) are bundled from their TypeScript sources, once each; each
// command is its own lazy chunk, and only run / convert / example reach the external tfjs packages
// (and h5wasm), which stay ordinary dependencies of this package. Declarations come from
// `tsc -p tsconfig.build.json` afterwards.
import { writeFileSync } from 'node:fs';
import { copyFile, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Large generated JSON tables (the proto descriptor, …) as JSON.parse('…'): V8 parses a JSON
 * string several times faster than the same object literal. The op registry tables are not
 * parsed at all: their module is the file's text (one op per line), which core's op-table.ts
 * indexes by name and parses an op at a time, when asked for.
 */
const jsonAsString = {
  name: 'json-as-string',
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, async ({ path }) => {
      const raw = await readFile(path, 'utf8');
      if (/[\\/]registry[\\/]op-registry-[^\\/]*\.gen\.json$/.test(path)) return { contents: `export default ${JSON.stringify(raw)};`, loader: 'js' };
      const text = JSON.stringify(JSON.parse(raw));
      return { contents: `export default JSON.parse(${JSON.stringify(text)});`, loader: 'js' };
    });
  },
};

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/**
 * dist/inspect.cjs only: the op registry parts core loads lazily (rest, 2.21: ~450 KB of text) stay
 * files beside the bundle, read (latin1: they are ASCII) when a command first needs them. In the
 * bundle they were read, held as a string and kept in every code cache of a command that used
 * them, on each start of `show` / `verify` alike (~3 ms of a ~70 ms start over `node -e 0`).
 */
const LAZY_REGISTRY = /[\\/]registry[\\/](op-registry-(?:rest|2\.21)\.gen\.json)$/;
const registryBesideBundle = {
  name: 'registry-beside-bundle',
  setup(b) {
    b.onLoad({ filter: LAZY_REGISTRY }, async ({ path }) => {
      const name = LAZY_REGISTRY.exec(path)[1];
      const text = await readFile(path, 'utf8');
      if (/[^\x00-\x7f]/.test(text)) throw new Error(`${name} is not ASCII: it cannot be read as latin1`);
      await copyFile(path, here(`dist/${name}`));
      return { contents: `export default require("node:fs").readFileSync(require("node:path").join(__dirname, ${JSON.stringify(name)}), "latin1");`, loader: 'js' };
    });
  },
};

/**
 * The libraries hide their Node-only entries from browser bundlers behind a constant
 * (`const CORE_NODE = '@savedmodel-js/core/node'; … import(/* @vite-ignore *\/ CORE_NODE)`); here
 * they are wanted, bundled like the rest, so each such import gets its literal back.
 */
const literalNodeImports = {
  name: 'literal-node-imports',
  setup(b) {
    b.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]src[\\/].*\.ts$/ }, async ({ path }) => {
      const text = await readFile(path, 'utf8');
      if (!text.includes('@vite-ignore')) return undefined;
      const consts = new Map([...text.matchAll(/const (\w+) = '(@savedmodel-js\/[^']+|node:[^']+)';/g)].map((m) => [m[1], m[2]]));
      const contents = text.replace(/import\(\/\* @vite-ignore \*\/ (\w+)\)/g, (all, name) => {
        const spec = consts.get(name);
        if (!spec) throw new Error(`${path}: ${all}: no constant ${name} naming a @savedmodel-js entry or a node: module`);
        return `import(${JSON.stringify(spec)})`;
      });
      return { contents, loader: 'ts' };
    });
  },
};

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
  plugins: [jsonAsString, literalNodeImports],
  logLevel: 'warning',
  metafile: true,
});
// Only tfjs, h5wasm and Node's built-ins may stay outside the bundle: anything else would be
// missing from an installed package (its workspace packages are devDependencies).
const builtins = new Set(builtinModules);
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  for (const i of out.imports) {
    if (i.external && !(i.path.startsWith('node:') || builtins.has(i.path) || /^@tensorflow\/tfjs(-[a-z-]+)?$/.test(i.path) || i.path === 'h5wasm')) {
      throw new Error(`${file} imports ${i.path}, which is neither bundled nor a dependency`);
    }
  }
}

// dist/inspect.cjs: the read-only commands (show, checkpoint, verify, diff) once more, as one
// CommonJS script with no import() left in it, so that the bin can run it through a V8 code cache
// (vm.Script cachedData) on Node versions without module.enableCompileCache. ~1 MB more in the
// package; saves the compile that was most of those commands' start on Node 20.
const inspect = await build({
  entryPoints: [here('src/inspect-main.ts')],
  outfile: here('dist/inspect.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  conditions: ['@savedmodel-js/source'],
  external: ['@tensorflow/*', 'h5wasm'],
  // a vm.Script has no module loader for import(): lazy imports become require() of bundled code
  supported: { 'dynamic-import': false },
  // whitespace only (names stay for stack traces): a quarter less source to read and hash each start
  minifyWhitespace: true,
  plugins: [registryBesideBundle, jsonAsString, literalNodeImports],
  logLevel: 'warning',
  metafile: true,
});
for (const [file, out] of Object.entries(inspect.metafile.outputs)) {
  for (const i of out.imports) {
    if (i.external && !(i.path.startsWith('node:') || builtins.has(i.path))) throw new Error(`${file} imports ${i.path}: the inspect commands must need nothing but Node's built-ins`);
  }
}
let inspectText = await readFile(here('dist/inspect.cjs'), 'utf8');
if (/\bimport\(/.test(inspectText)) throw new Error('dist/inspect.cjs still calls import(), which a vm.Script cannot run');
// Pure ASCII, so that Node reads it into a one-byte string (a single "→" in a comment made it a
// two-byte string of twice the size: ~10 ms more to read, and V8 hashes and scans it as such).
// esbuild already escapes non-ASCII in code (charset: 'ascii'); what is left is in comments,
// where a \uXXXX escape (one per UTF-16 unit, valid in any string or regex too) is just text.
if (/[^\x00-\x7f]/.test(inspectText)) {
  inspectText = inspectText.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(here('dist/inspect.cjs'), inspectText);
}
// CLI_METAFILE=path writes esbuild's metafile there (which module landed in which chunk)
if (process.env.CLI_METAFILE) {
  writeFileSync(process.env.CLI_METAFILE, JSON.stringify(result.metafile));
  writeFileSync(process.env.CLI_METAFILE.replace(/(\.json)?$/, '.inspect.json'), JSON.stringify(inspect.metafile));
}
