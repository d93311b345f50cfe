#!/usr/bin/env node
// Applies the publishing pattern (README "Publishing: the package pattern") to every package
// under packages/ that is not private: exports map (source / types / browser / node / default;
// Node entries null under `browser`), main / types at dist/, files, sideEffects (false unless a
// list is already there), the build script and tsconfig.build.json. Entry points: src/index.ts
// (or src/main.ts) as ".", src/node.ts as "./node", plus any "./x" → src/x.ts already exported.
//   node scripts/package-pattern.mjs          rewrite the package.json files that differ
//   node scripts/package-pattern.mjs --check  exit 1 listing the packages that differ
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const BUILD = 'vite build && tsc -p tsconfig.build.json';
// The CLI is one esbuild bundle with code splitting (packages/cli/build.mjs), for its start time.
const BUILD_OF = { '@savedmodel-js/cli': 'node build.mjs && tsc -p tsconfig.build.json' };
const ORDER = ['name', 'version', 'private', 'description', 'type', 'license', 'main', 'types', 'exports', 'files', 'sideEffects', 'bin'];
const differs = [];

for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const pkgDir = join(root, 'packages', dir);
  const file = join(pkgDir, 'package.json');
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  const pkg = JSON.parse(text);
  if (pkg.private) continue;
  const src = (n) => existsSync(join(pkgDir, 'src', `${n}.ts`));
  const entries = new Map();
  const main = src('index') ? 'index' : 'main';
  entries.set('.', main);
  if (src('node')) entries.set('./node', 'node');
  for (const k of Object.keys(pkg.exports ?? {})) {
    const m = /^\.\/([\w-]+)$/.exec(k);
    if (m && m[1] !== 'package.json' && src(m[1])) entries.set(k, m[1]);
  }
  const nodeOnly = (k, n) => k === './node' || n === 'main';
  const exports = {};
  for (const [k, n] of entries) {
    exports[k] = {
      '@savedmodel-js/source': `./src/${n}.ts`,
      types: `./dist/${n}.d.ts`,
      browser: nodeOnly(k, n) ? null : `./dist/${n}.js`,
      node: `./dist/${n}.js`,
      default: `./dist/${n}.js`,
    };
  }
  exports['./package.json'] = './package.json';
  const next = { ...pkg };
  next.main = `./dist/${main}.js`;
  next.types = `./dist/${main}.d.ts`;
  next.exports = exports;
  // bin/: the CLI's launcher and its code cache (npm ships a bin entry's own file only)
  next.files = [...(pkg.bin ? ['bin'] : []), 'dist', 'src', 'README.md'];
  next.sideEffects = Array.isArray(pkg.sideEffects) ? pkg.sideEffects : false;
  next.scripts = { ...pkg.scripts, build: BUILD_OF[pkg.name] ?? BUILD };
  const ordered = {};
  for (const k of ORDER) if (k in next) ordered[k] = next[k];
  for (const k of Object.keys(next)) if (!(k in ordered)) ordered[k] = next[k];
  const out = `${JSON.stringify(ordered, null, 2)}\n`;
  const tsBuild = join(pkgDir, 'tsconfig.build.json');
  const tsText = `${JSON.stringify({ extends: '../../tsconfig.lib.json', compilerOptions: { rootDir: 'src', outDir: 'dist', types: src('node') || main === 'main' ? ['node'] : [] }, include: ['src/**/*.ts'] }, null, 2)}\n`;
  const problems = [];
  if (out !== text) problems.push('package.json');
  if (!existsSync(tsBuild)) problems.push('tsconfig.build.json');
  if (!existsSync(join(pkgDir, 'README.md'))) problems.push('README.md (write one)');
  if (problems.length) differs.push(`${pkg.name}: ${problems.join(', ')}`);
  if (!check) {
    if (out !== text) writeFileSync(file, out);
    if (!existsSync(tsBuild)) writeFileSync(tsBuild, tsText);
  }
}
if (differs.length) {
  console[check ? 'error' : 'log'](`package-pattern${check ? ' --check' : ''}: ${check ? 'differs' : 'updated'}:\n  ${differs.join('\n  ')}`);
  if (check) process.exit(1);
} else console.log('package-pattern: every package follows the pattern');
