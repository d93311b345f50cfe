#!/usr/bin/env node
// Chromium rows (wasm, webgpu): in the page, our export of an MLP vs tfjs's own model.save, both
// into memory (core's fileMapSink vs a custom IOHandler keeping the artifacts), and our export
// streamed as a zip into OPFS vs tfjs's save to 'indexeddb://'. Driven through the e2e harness
// (e2e/support/browser.ts: Debian's Chromium via playwright-core, WebGPU on SwiftShader with
// --enable-unsafe-webgpu; e2e/support/server.ts serves the page). Contenders alternate (odd rounds
// ours first), one untimed warm-up each, ≥ 5 rounds; times are performance.now() in the page.
// Without Chromium (or playwright-core) the rows say why and the suite goes on. Before each timed
// run the page gives every weight a fresh tensor on the backend (untimed): webgpu keeps a CPU copy
// after a tensor's first read, which would otherwise leave only the writing to compare.
//
//   node bench/browser.bench.mjs [--mb 32] [--reps 5] [--browser-backend wasm,webgpu]
//
// Uses the built packages (dist/); the page is bundled with esbuild into a temporary directory.
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, REPS, fmtRatio, opt, stats } from './lib.mjs';

const MB = Number(opt('mb', '32'));
const PAIRS = [
  { row: 'export into memory', contender: 'oursMemory', baseline: 'tfjsMemory', baselineLabel: 'tfjs model.save (in-memory IOHandler)' },
  { row: 'export streamed into OPFS (zip)', contender: 'oursOpfs', baseline: 'tfjsIndexedDb', baselineLabel: "tfjs model.save('indexeddb://')" },
];

const skipped = (reason) => [{ row: 'Chromium export rows (wasm, webgpu)', baseline: 'tfjs model.save', ratio: 'skipped', note: reason }];

async function harness() {
  const { tsImport } = await import('tsx/esm/api');
  const browser = await tsImport('../e2e/support/browser.ts', import.meta.url);
  const server = await tsImport('../e2e/support/server.ts', import.meta.url);
  return { ...browser, ...server };
}

/** Bundles bench/browser/page.mjs (+ an index.html and tfjs's wasm binaries) into a temp dir. */
async function buildPage() {
  const dir = mkdtempSync(join(tmpdir(), 'savedmodel-bench-page-'));
  const { build } = await import('esbuild');
  // the demo depends on everything the page needs (tfjs backends, core, zip, the facade)
  const demoModules = join(ROOT, 'packages/demo/node_modules');
  await build({
    entryPoints: [join(ROOT, 'bench/browser/page.mjs')],
    outfile: join(dir, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    nodePaths: [demoModules],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  const wasmDist = dirname(createRequire(join(demoModules, '@tensorflow/tfjs-backend-wasm/package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
  const wasmDir = existsSync(join(wasmDist, 'tfjs-backend-wasm.wasm')) ? wasmDist : join(wasmDist, '..', 'dist');
  cpSync(wasmDir, join(dir, 'wasm'), { recursive: true, filter: (p) => !/\.(js|ts|map)$/.test(p) || p === wasmDir });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>savedmodel-js bench</title><script type="module" src="page.js"></script>\n');
  return dir;
}

export async function browserRows({ mb = MB, backends = opt('browser-backend', 'wasm,webgpu').split(',') } = {}) {
  let h;
  try {
    h = await harness();
  } catch (e) {
    return skipped(`e2e harness not loadable (${String(e?.message ?? e).split('\n')[0].slice(0, 120)})`);
  }
  if (!existsSync(h.CHROMIUM)) return skipped(`Chromium not found at ${h.CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  const dir = await buildPage();
  const server = await h.serveStatic(dir);
  const browser = await h.launchChromium();
  const rows = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
    await page.goto(server.url);
    await page.waitForFunction(() => window.__bench !== undefined);
    const env = await page.evaluate((base) => window.__bench.init(base), `${server.url}wasm/`);
    for (const backend of backends) {
      if (backend === 'webgpu' && !env.webgpu) {
        rows.push({ row: `Chromium webgpu rows`, baseline: 'tfjs model.save', ratio: 'skipped', note: 'no WebGPU adapter in this Chromium' });
        continue;
      }
      process.stderr.write(`bench: browser ${backend}, ${mb} MB MLP…\n`);
      const { weightBytes } = await page.evaluate(([b, m]) => window.__bench.backend(b, m), [backend, mb]);
      for (const pair of PAIRS) {
        if (pair.contender === 'oursOpfs' && !env.opfs) continue;
        const run = (name) => page.evaluate((n) => window.__bench.run(n), name);
        await run(pair.baseline);
        await run(pair.contender);
        const rounds = [];
        for (let r = 0; r < REPS; r++) {
          const got = {};
          for (const k of r % 2 ? ['c', 'b'] : ['b', 'c']) got[k] = await run(k === 'c' ? pair.contender : pair.baseline);
          rounds.push(got);
        }
        await page.evaluate(() => window.__bench.cleanup());
        const ratio = stats(rounds.map((g) => g.c.ms / g.b.ms));
        const ours = stats(rounds.map((g) => g.c.ms)), theirs = stats(rounds.map((g) => g.b.ms));
        rows.push({
          row: `Chromium ${pair.row}, ${(weightBytes / 2 ** 20).toFixed(0)} MiB MLP (${backend})`,
          baseline: pair.baselineLabel,
          ratio: fmtRatio(ratio),
          note: `ours ${ours.median.toFixed(0)} ms (${(rounds[0].c.bytes / 2 ** 20).toFixed(1)} MiB written), tfjs ${theirs.median.toFixed(0)} ms`,
        });
      }
    }
    if (rows.length) rows[rows.length - 1].note += ` — ${env.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium'}`;
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable, load } = await import('./lib.mjs');
  const before = load();
  printTable(await browserRows());
  console.log(`load average before ${before}, after ${load()}`);
}
