// The consumer test (issue #9): every publishable package is `pnpm pack`ed and installed with npm,
// as tarballs, into one fresh project holding
//  - a web app made from the current create-vite `vanilla-ts` template (its own tsconfig: strict,
//    erasableSyntaxOnly, verbatimModuleSyntax; its own typescript and vite versions):
//    `tsc --noEmit`, `vite build`, then the built app in Chromium exports a model to a zip Blob and
//    loads it back;
//  - a plain Node ESM script doing the same (Blob, directory, .zip path) and a NodeNext type check.
// It fails when a package's `types` point at TypeScript sources (the template's compiler settings
// would be applied to our code), when a packed manifest keeps a `workspace:` range, or when an
// exports target is missing from a tarball.
//
// Speed: npm's cache (~/.npm) serves the registry packages after the first run
// (`--prefer-offline`); one `npm install` per run. Needs the registry (or a warm npm cache) and
// the built packages (`pnpm build`; rebuilt here when dist/ is older than src/).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../packages/core/test/shared.js';
import { launchChromium } from './support/browser.js';
import { REPO } from './support/checks.js';
import { serveStatic, type StaticServer } from './support/server.js';

const CACHE = join(REPO, 'node_modules/.cache/savedmodel-js-consumer');
const TFJS = '4.22.0';

interface Manifest {
  name: string;
  private?: boolean;
  version: string;
  types?: string;
  main?: string;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  files?: string[];
  sideEffects?: boolean | string[];
}

const packageDirs = readdirSync(join(REPO, 'packages'))
  .map((d) => join(REPO, 'packages', d))
  .filter((d) => existsSync(join(d, 'package.json')))
  .filter((d) => !(JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as Manifest).private);

/** Runs a command without blocking the vitest worker (npm install and builds take minutes). */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 600_000): Promise<string> {
  return new Promise((resolveRun, reject) => {
    // No NODE_ENV: vitest's 'test' would make vite build a development bundle, and 'production'
    // would make npm skip the template's devDependencies (vite, typescript).
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
    delete env.NODE_ENV;
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolveRun(out);
      else reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${code ?? signal}:\n${out.slice(-6000)}`));
    });
  });
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the libraries when any dist/ is missing or older than its src/ or package.json. */
async function ensureBuilt(): Promise<void> {
  const stale = packageDirs.some((d) => {
    const dist = join(d, 'dist');
    if (!existsSync(dist)) return true;
    return Math.max(newestMtime(join(d, 'src')), statSync(join(d, 'package.json')).mtimeMs) > oldestMtime(dist);
  });
  if (stale) await run('pnpm', ['-r', '--filter', './packages/**', '--filter', '!@savedmodel-js/demo', 'build'], REPO, 900_000);
}

function oldestMtime(dir: string): number {
  let t = Infinity;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.min(t, e.isDirectory() ? oldestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** The create-vite package (latest), unpacked once per version into the cache. */
async function viteTemplate(): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const version = (await run('npm', ['view', 'create-vite', 'version', '--prefer-offline'], CACHE)).trim().split('\n').at(-1)!.trim();
  const dir = join(CACHE, `create-vite-${version}`);
  if (!existsSync(join(dir, 'package/template-vanilla-ts/tsconfig.json'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await run('npm', ['pack', `create-vite@${version}`, '--prefer-offline'], dir);
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    execFileSync('tar', ['xzf', tgz], { cwd: dir });
  }
  return join(dir, 'package/template-vanilla-ts');
}

/** Lists a tarball's files (without the leading package/) and reads its package.json. */
function readTarball(tgz: string): { files: Set<string>; manifest: Manifest } {
  const list = execFileSync('tar', ['tzf', tgz], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const files = new Set(list.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')));
  const manifest = JSON.parse(execFileSync('tar', ['xzOf', tgz, 'package/package.json'], { encoding: 'utf8' })) as Manifest;
  return { files, manifest };
}

/** Every file an exports map (or main/types) can resolve to, with the conditions leading to it. */
function exportTargets(m: Manifest): { path: string; conditions: string[] }[] {
  const out: { path: string; conditions: string[] }[] = [];
  const walk = (v: unknown, conditions: string[]): void => {
    if (typeof v === 'string') out.push({ path: v, conditions });
    else if (v && typeof v === 'object') for (const [k, w] of Object.entries(v)) walk(w, [...conditions, k]);
  };
  walk(m.exports ?? {}, []);
  if (m.types) out.push({ path: m.types, conditions: ['types'] });
  if (m.main) out.push({ path: m.main, conditions: ['main'] });
  return out;
}

let work: string;
const tarballs = new Map<string, string>();
let app: string;
let server: StaticServer | undefined;
let browser: Browser | undefined;
const timings: [string, number][] = [];

async function timed<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([label, Date.now() - t0]);
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'smjs-consumer-'));
  await timed('build (if stale)', ensureBuilt);
  const packs = join(work, 'tarballs');
  mkdirSync(packs);
  await timed('pnpm pack', async () => {
    for (const d of packageDirs) {
      const out = (await run('pnpm', ['pack', '--pack-destination', packs], d)).trim().split('\n');
      const tgz = out.reverse().find((l) => l.trim().endsWith('.tgz'))!.trim();
      const m = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as Manifest;
      tarballs.set(m.name, tgz.startsWith('/') ? tgz : join(packs, tgz));
    }
  });

  // One project: the vite template's files + the Node consumer, one npm install.
  app = join(work, 'app');
  cpSync(await timed('create-vite template', viteTemplate), app, { recursive: true });
  rmSync(join(app, 'src'), { recursive: true, force: true });
  cpSync(join(REPO, 'e2e/consumer/web'), app, { recursive: true });
  cpSync(join(REPO, 'e2e/consumer/node'), join(app, 'node'), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Manifest & { devDependencies: Record<string, string>; overrides?: Record<string, string> };
  pkg.name = 'smjs-consumer';
  const local = Object.fromEntries([...tarballs].map(([n, t]) => [n, `file:${t}`]));
  pkg.dependencies = { '@tensorflow/tfjs': TFJS, ...local };
  pkg.devDependencies = { ...pkg.devDependencies, '@types/node': '^20.19.0' };
  // The tarballs depend on each other by version (0.1.0, unpublished): resolve them to the tarballs.
  pkg.overrides = local;
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  // The template as a user gets it, plus the strictness the issue names (TS 6+ defaults to strict).
  const tsconfig = readFileSync(join(app, 'tsconfig.json'), 'utf8');
  expect(tsconfig).toMatch(/"erasableSyntaxOnly": true/);
  expect(tsconfig).toMatch(/"verbatimModuleSyntax": true/);
  writeFileSync(join(app, 'tsconfig.json'), tsconfig.replace('"compilerOptions": {', '"compilerOptions": {\n    "strict": true,'));
  await timed('npm install', () => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app, 900_000));
}, 1_800_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work && !process.env.SMJS_CONSUMER_KEEP) rmSync(work, { recursive: true, force: true });
  else if (work) console.log(`consumer test project kept in ${work}`);
  if (timings.length) console.log(`consumer timings:\n${timings.map(([l, ms]) => `  ${l}: ${(ms / 1000).toFixed(1)} s`).join('\n')}`);
});

describe('packed tarballs', () => {
  it('every package: compiled .d.ts and JS behind every entry, no workspace: ranges, README, nothing but dist/src', () => {
    expect(tarballs.size).toBeGreaterThanOrEqual(8);
    for (const [name, tgz] of tarballs) {
      const { files, manifest } = readTarball(tgz);
      const where = `${name} (${tgz})`;
      for (const deps of [manifest.dependencies, manifest.peerDependencies]) {
        for (const [dep, range] of Object.entries(deps ?? {})) expect(range, `${where}: ${dep}`).not.toMatch(/^workspace:/);
      }
      expect(files.has('README.md'), `${where}: README.md`).toBe(true);
      for (const f of files) expect(f, `${where}: unexpected file`).toMatch(/^(dist\/|src\/|package\.json$|README\.md$|LICENSE$|bin\/)/);
      expect(manifest.types, `${where}: types`).toMatch(/^\.\/dist\/.*\.d\.ts$/);
      expect(manifest.sideEffects, `${where}: sideEffects`).toBeDefined();
      const targets = exportTargets(manifest);
      expect(targets.length, where).toBeGreaterThan(0);
      for (const { path, conditions } of targets) {
        if (conditions.includes('@savedmodel-js/source')) continue; // the repo's own typecheck condition
        expect(files.has(path.replace(/^\.\//, '')), `${where}: ${conditions.join('.')} → ${path} is not in the tarball`).toBe(true);
        if (conditions.includes('types')) expect(path, `${where}: ${conditions.join('.')} must be a declaration file`).toMatch(/\.d\.ts$/);
        else if (path !== './package.json') expect(path, `${where}: ${conditions.join('.')}`).toMatch(/^\.\/dist\/.*\.js$/);
      }
    }
  });
});

describe('fresh vite TypeScript app', () => {
  it('type-checks with the template tsconfig (tsc --noEmit)', async () => {
    await timed('app: tsc --noEmit', () => run('npx', ['--no-install', 'tsc', '--noEmit', '-p', 'tsconfig.json'], app));
  });

  it('builds (vite build) without pulling Node-only code', async () => {
    const out = await timed('app: vite build', () => run('npx', ['--no-install', 'vite', 'build'], app));
    const js = readdirSync(join(app, 'dist/assets')).filter((f) => f.endsWith('.js'));
    expect(js.length, out).toBeGreaterThan(0);
    for (const f of js) expect(readFileSync(join(app, 'dist/assets', f), 'utf8')).not.toMatch(/from\s*["']node:/);
  });

  it('in Chromium: exports a model to a zip Blob and loads it back (same predictions); a path is a typed error', async () => {
    server = await serveStatic(join(app, 'dist'));
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => (window as { __roundTrip?: unknown }).__roundTrip !== undefined, null, { timeout: 120_000 });
    const r = await page.evaluate(() => (window as { __roundTrip?: unknown }).__roundTrip) as Record<string, unknown>;
    expect(r.error, JSON.stringify(r)).toBeUndefined();
    expect(errors).toEqual([]);
    expect(r.maxAbsDiff).toBeLessThan(1e-5);
    expect(r.zipBytes).toBeGreaterThan(1000);
    expect(r.files).toEqual(expect.arrayContaining(['saved_model.pb', 'variables/variables.index', 'variables/variables.data-00000-of-00001']));
    expect(r.pathError).toMatch(/^INVALID_ARGUMENT: .*paths need Node; pass a FileSource\/Blob/);
  });
});

describe('plain Node ESM project', () => {
  it('exports to a zip Blob, a directory and a .zip path and loads each back, printing nothing', async () => {
    const out = await timed('node: round trip', () => run('node', ['node/round-trip.mjs'], app));
    const line = out.split('\n').reverse().find((l) => l.startsWith('{'));
    expect(line, out).toBeDefined();
    const r = JSON.parse(line!) as Record<string, number>;
    expect(r.blob).toBeLessThan(1e-5);
    expect(r.zipPath).toBeLessThan(1e-5);
    expect(r.dir).toBeLessThan(1e-5);
    expect(r.exportLogLines).toBe(0);
  });

  it('the installed `savedmodel` CLI runs show and verify (code cache path and ES module path alike)', async () => {
    const model = join(FIXTURES, 'half_plus_two_tf2');
    expect(existsSync(model), `fixture ${model}`).toBe(true);
    const cache = mkdtempSync(join(tmpdir(), 'smjs-consumer-cache-'));
    try {
      const cli = (env: Record<string, string>, ...args: string[]) =>
        execFileSync(join(app, 'node_modules/.bin/savedmodel'), args, { encoding: 'utf8', env: { ...process.env, SAVEDMODEL_CACHE_DIR: cache, ...env } });
      const esm = cli({ SAVEDMODEL_CODE_CACHE: '0' }, 'show', model, '--all');
      expect(esm).toContain("signature_def['serving_default']");
      expect(cli({}, 'show', model, '--all')).toBe(esm); // writes the cache (Node < 22.1)
      expect(cli({}, 'show', model, '--all')).toBe(esm); // reads it
      expect(cli({}, 'verify', model)).toMatch(/^OK: /m);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('type-checks under NodeNext resolution (types conditions, /node entries)', async () => {
    await timed('node: tsc nodenext', () => run('npx', ['--no-install', 'tsc', '-p', 'node/tsconfig.json'], app));
  });
});
