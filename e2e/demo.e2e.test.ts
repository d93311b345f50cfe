// End-to-end: the built demo (packages/demo/dist) served on 127.0.0.1, driven in Debian's
// Chromium through playwright-core. Issue #5's acceptance:
//  - on wasm and on webgpu (asserted): train → export → download the zip by clicking the page's
//    buttons; in Node the zip passes `unzip -t`, Python's zipfile.testzip(), core's
//    verifySavedModel and the `savedmodel verify` CLI; its checkpoint equals byte for byte the
//    one a Node export (same API, same weights) writes; loadSavedModel of it in Node reproduces
//    the page's predictions (1e-5), and so does loading it back through the page's file input;
//  - offline: after the first load, the context goes offline, the page reloads from the service
//    worker and exports again;
//  - OPFS: a ≥ 256 MiB model is streamed into OPFS; JS heap and process memory are reported.
// Chromium is required: without /usr/bin/chromium the suite fails with an install hint.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, verifySavedModel } from '@savedmodel-js/core';
import { zipSource } from '@savedmodel-js/zip';
import { exportModel, loadSavedModel } from 'savedmodel-js';
import { buildClassifier, importWeights, probeInputs, tf, type PlainWeight } from '../packages/demo/src/model.js';
import type { DemoState } from '../packages/demo/src/main.js';
import { assertChromium, CHROMIUM_ARGS, launchChromium } from './support/browser.js';
import { cliVerify, extract, pythonTestzip, unzipTest } from './support/checks.js';
import { browserRoots, sampleRss, type RssPeaks } from './support/processes.js';
import { serveStatic, type StaticServer } from './support/server.js';
import { DIST, ensureDemoBuilt } from './support/demo-build.js';

const MiB = 1024 * 1024;
const TOLERANCE = 1e-5;

// ---------- shared fixtures ----------

const timings: [string, number][] = [];
const report: string[] = [];
let server: StaticServer;
let browser: Browser;
let work: string;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([label, Date.now() - t0]);
  }
}

function watch(page: Page, tag: string): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`[${tag}] pageerror: ${e.message}`));
  // console clean: warnings count too (e.g. tfjs-converter's executeAsync notice on every run)
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`[${tag}] console.${m.type()}: ${m.text()} (${m.location().url})`); });
  return errors;
}

async function openDemo(context: BrowserContext, query = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = watch(page, query || 'page');
  await page.goto(`${server.url}${query}`);
  await waitReady(page);
  return { page, errors };
}

async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.ready === '1' && !!window.__demo, null, { timeout: 60_000 });
}

const demoState = (page: Page): Promise<DemoState> => page.evaluate(() => JSON.parse(JSON.stringify(window.__demo.state)) as DemoState);

async function waitIdle(page: Page, timeout = 120_000): Promise<DemoState> {
  await page.waitForFunction(() => window.__demo.state.busy === null, null, { timeout, polling: 100 });
  const s = await demoState(page);
  if (s.lastError) throw new Error(`page reported: ${s.lastError}`);
  return s;
}

/** Picks the backend with the page's radio button and checks what tfjs reports as active. */
async function pickBackend(page: Page, name: 'webgpu' | 'wasm' | 'cpu'): Promise<void> {
  const radio = page.getByTestId(`backend-${name}`);
  expect(await radio.isDisabled(), `the ${name} radio button is disabled (backend unavailable?)`).toBe(false);
  await radio.click();
  await page.waitForFunction((n) => window.__demo.state.backend === n && window.__demo.state.busy === null, name, { timeout: 60_000 });
  await waitIdle(page);
  expect(await page.getByTestId('backend-active').textContent()).toBe(name);
  expect(await page.evaluate(() => window.__demo.tf.getBackend())).toBe(name);
}

/** Train → Export → Download with the page's buttons; returns the saved zip's path and the state. */
async function trainExportDownload(page: Page, tag: string): Promise<{ zipPath: string; state: DemoState }> {
  await timed(`${tag}: train (click)`, async () => {
    await page.getByTestId('train').click();
    await page.waitForFunction(() => window.__demo.state.trained && window.__demo.state.busy === null, null, { timeout: 120_000 });
  });
  let state = await waitIdle(page);
  expect(state.losses.length).toBeGreaterThan(0);
  expect(state.losses.at(-1)!).toBeLessThan(state.losses[0]!);
  await timed(`${tag}: export (click)`, async () => {
    await page.getByTestId('export').click();
    await page.waitForFunction(() => window.__demo.state.export !== null && window.__demo.state.busy === null, null, { timeout: 120_000 });
  });
  state = await waitIdle(page);
  const zipPath = join(work, `${tag}-model.zip`);
  await timed(`${tag}: download`, async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    expect(download.suggestedFilename()).toBe('model.zip');
    await download.saveAs(zipPath);
  });
  return { zipPath, state };
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  a.forEach((row, i) => {
    expect(row.length).toBe(b[i]!.length);
    row.forEach((v, j) => { d = Math.max(d, Math.abs(v - b[i]![j]!)); });
  });
  return d;
}

// ---------- Node side: the same model, exported with the same API ----------

let nodeModel: tf.LayersModel | undefined;

/** The classifier built once in this process (names match a page that built it once), with the page's weights. */
async function nodeExport(weights: PlainWeight[]): Promise<Map<string, Uint8Array>> {
  if (!nodeModel) {
    await tf.setBackend('cpu');
    nodeModel = buildClassifier();
  }
  expect(nodeModel.weights.map((w) => w.name)).toEqual(weights.map((w) => w.name));
  importWeights(nodeModel, weights);
  const sink = fileMapSink();
  await exportModel(nodeModel, sink, { verbose: false });
  return sink.files;
}

/** Every Node-side check of a zip downloaded from the page. */
async function checkZipInNode(page: Page, zipPath: string, state: DemoState, tag: string): Promise<void> {
  const bytes = new Uint8Array(readFileSync(zipPath));
  expect(bytes.length).toBe(state.export!.bytes);

  // Independent zip readers
  unzipTest(zipPath);
  const names = pythonTestzip(zipPath);
  expect(names).toEqual(expect.arrayContaining(['saved_model.pb', 'variables/variables.index', 'variables/variables.data-00000-of-00001']));

  // The SavedModel: core's verifier and the CLI
  const source = await zipSource(bytes);
  const verdict = await verifySavedModel(source);
  const errors = verdict.findings.filter((f) => f.severity === 'error');
  expect(errors, errors.map((f) => `${f.code} ${f.where}: ${f.message}`).join('\n')).toEqual([]);
  const dir = join(work, `${tag}-extracted`);
  extract(zipPath, dir);
  const cli = cliVerify(dir);
  expect(cli.status, cli.output).toBe(0);

  // Checkpoint: byte for byte what the Node export of the same weights writes
  const weights = await page.evaluate(() => window.__demo.weights());
  const nodeFiles = await nodeExport(weights);
  const ckpt = [...nodeFiles.keys()].filter((p) => p.startsWith('variables/')).sort();
  expect(ckpt).toEqual(['variables/variables.data-00000-of-00001', 'variables/variables.index']);
  expect((await source.list()).filter((p) => p.startsWith('variables/')).sort()).toEqual(ckpt);
  for (const p of ckpt) {
    const fromPage = await source.read(p);
    const fromNode = nodeFiles.get(p)!;
    expect(fromPage.length, p).toBe(fromNode.length);
    expect(Buffer.from(fromPage).equals(Buffer.from(fromNode)), `${p} differs between the page's and Node's export`).toBe(true);
  }
  const samePb = Buffer.from(await source.read('saved_model.pb')).equals(Buffer.from(nodeFiles.get('saved_model.pb')!));
  report.push(`${tag}: zip ${bytes.length} B; checkpoint identical to Node's export; saved_model.pb ${samePb ? 'identical too' : 'differs (not required)'}`);

  // loadSavedModel in Node reproduces the page's predictions
  const loaded = await loadSavedModel(source);
  try {
    const x = tf.tensor2d(probeInputs());
    const y = loaded.predict(x) as tf.Tensor;
    const nodePred = (await y.array()) as number[][];
    tf.dispose([x, y]);
    const d = maxAbsDiff(nodePred, state.predictions!);
    report.push(`${tag}: loadSavedModel in Node vs the page's model.predict on ${state.backend}: max |Δ| = ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(TOLERANCE);
  } finally {
    loaded.dispose();
  }
}

// ---------- suite ----------

beforeAll(async () => {
  assertChromium();
  const buildMs = await ensureDemoBuilt();
  if (buildMs > 0) timings.push(['build demo', buildMs]);
  work = mkdtempSync(join(tmpdir(), 'savedmodel-e2e-'));
  // Serve a snapshot: a `pnpm build` running meanwhile (it empties dist/) cannot pull files from
  // under the service worker's precache.
  cpSync(DIST, join(work, 'dist'), { recursive: true });
  server = await serveStatic(join(work, 'dist'));
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  const lines = timings.map(([k, ms]) => `  ${k.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(7)} s`);
  console.log(`\ne2e (Chromium ${browser?.version() ?? '?'}; flags ${CHROMIUM_ARGS.join(' ')})\n${lines.join('\n')}\n${report.map((r) => `  ${r}`).join('\n')}`);
});

describe.each(['wasm', 'webgpu'] as const)('demo on %s', (backend) => {
  it(`trains, exports and downloads a SavedModel zip that Node verifies, loads and matches byte for byte (${backend})`, async () => {
    const context = await browser.newContext();
    try {
      const { page, errors } = await openDemo(context);
      const initial = await demoState(page);
      if (backend === 'webgpu') expect(initial.webgpu, 'WebGPU has no adapter in this Chromium (SwiftShader / --enable-unsafe-webgpu)').toBe(true);
      await timed(`${backend}: pick backend (click)`, () => pickBackend(page, backend));

      const { zipPath, state } = await trainExportDownload(page, backend);
      expect(state.backend).toBe(backend);
      expect(state.export!.backend).toBe(backend);
      expect(state.export!.signatures).toEqual(['serve', 'serving_default']);
      expect(state.export!.progressEvents).toBeGreaterThan(0);
      expect(state.export!.lastProgress!.filesWritten).toBe(4);
      // The page lists the archive's files and shows the signatures in saved_model_cli layout
      const listed = await page.getByTestId('export-files').locator('tbody tr td:first-child').allTextContents();
      expect(listed.sort()).toEqual(['fingerprint.pb', 'saved_model.pb', 'variables/variables.data-00000-of-00001', 'variables/variables.index']);
      const show = (await page.getByTestId('export-show').textContent()) ?? '';
      expect(show).toContain("MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:");
      expect(show).toContain("signature_def['serving_default']:");
      expect(show).toContain('shape: (-1, 4)');
      expect(await page.getByTestId('export-progress').evaluate((e) => (e as HTMLProgressElement).value)).toBe(1);

      await timed(`${backend}: Node checks`, () => checkZipInNode(page, zipPath, state, backend));

      // Load the downloaded zip back through the page's file input and run it there
      await timed(`${backend}: load zip in page (file input)`, async () => {
        await page.getByTestId('load-file').setInputFiles(zipPath);
        await page.waitForFunction(() => window.__demo.state.loaded !== null && window.__demo.state.busy === null, null, { timeout: 120_000 });
      });
      const after = await waitIdle(page);
      expect(after.loaded!.signature).toBe('serving_default');
      expect(after.loaded!.backend).toBe(backend);
      const d = maxAbsDiff(after.loaded!.predictions, state.predictions!);
      report.push(`${backend}: the zip loaded back in the page (loadSavedModel over zipSource) vs model.predict: max |Δ| = ${d.toExponential(2)}`);
      expect(d).toBeLessThanOrEqual(TOLERANCE);
      expect(await page.getByTestId('predictions').locator('tbody tr').count()).toBe(probeInputs().length);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);
});

describe('offline', () => {
  it('reloads from the service worker with the network cut and exports again', async () => {
    const context = await browser.newContext();
    try {
      const { page, errors } = await openDemo(context, '?backend=wasm');
      // First visit: the service worker installs (precaches every built file) and takes control.
      await timed('offline: service worker ready', async () => {
        const sw = await page.getByTestId('sw-status').textContent();
        expect(sw, 'service worker registration').toMatch(/offline ready/);
        await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 30_000 });
      });
      // Requests still in flight from the first visit (the manifest's icons, a late precache fetch on
      // a loaded machine) must land before the count is taken: wait until it holds still for 1 s.
      let before = new Map(server.requests);
      for (let t = 0; t < 10; t++) {
        await new Promise((r) => setTimeout(r, 1000));
        const now = new Map(server.requests);
        const same = now.size === before.size && [...now].every(([k, v]) => before.get(k) === v);
        before = now;
        if (same) break;
      }
      const served = [...before.values()].reduce((a, b) => a + b, 0);

      await context.setOffline(true);
      await timed('offline: reload', async () => {
        await page.reload();
        await waitReady(page);
      });
      // navigator.onLine under CDP network emulation is Chromium's business and differs between
      // versions (Debian's 150 reports true after a reload): reported, not asserted. The network
      // really being cut is asserted below (a non-precached fetch fails, the server sees nothing).
      const onLine = await page.evaluate(() => navigator.onLine);
      report.push(`offline: navigator.onLine after the reload = ${onLine}; net-status "${await page.getByTestId('net-status').textContent()}"`);
      expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
      // The network really is cut: a file that was never cached cannot be fetched.
      expect(await page.evaluate(() => fetch('./not-precached.txt').then(() => 'fetched', () => 'failed'))).toBe('failed');

      await pickBackend(page, 'wasm'); // the .wasm binary comes from the cache
      const { zipPath, state } = await trainExportDownload(page, 'offline');
      expect(state.export!.backend).toBe('wasm');
      unzipTest(zipPath);
      pythonTestzip(zipPath);
      const verdict = await verifySavedModel(await zipSource(new Uint8Array(readFileSync(zipPath))));
      expect(verdict.errors).toBe(0);
      // Nothing reached the server while offline.
      const reached = [...server.requests].filter(([k, v]) => v !== (before.get(k) ?? 0)).map(([k]) => k);
      expect(reached, 'requests that reached the server while offline').toEqual([]);
      report.push(`offline: reload served by the service worker (${served} requests before, none after); export ${state.export!.bytes} B ok`);
      // The one failure allowed: the deliberate fetch of a file that was never cached.
      expect(errors.filter((e) => !/not-precached\.txt/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);
});

describe('OPFS', () => {
  /**
   * The big model's export, on one backend, in a fresh context of a browser of its own (so its
   * processes can be told apart): JS heap from the page (performance.memory, exact with
   * --enable-precise-memory-info, collected first with --expose-gc), CDP's JSHeapUsedSize, and
   * the RSS of Chromium's processes from ps.
   */
  async function opfsRun(big: Browser, rootPid: number, backend: 'cpu' | 'wasm') {
    const context = await big.newContext();
    try {
      const { page, errors } = await openDemo(context, `?backend=${backend}`);
      await pickBackend(page, backend);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      let cdpPeak = 0;
      const cdpTimer = setInterval(() => {
        cdp.send('Performance.getMetrics').then((r) => {
          cdpPeak = Math.max(cdpPeak, r.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
        }, () => undefined);
      }, 250);
      const rss = sampleRss(rootPid, 150);
      let peaks: RssPeaks;
      let opfs: NonNullable<DemoState['opfs']>;
      try {
        opfs = await timed(`OPFS (${backend}): build + export 256 MiB model`, () => page.evaluate(() => window.__demo.opfsExport(256)));
      } finally {
        clearInterval(cdpTimer);
        peaks = rss.stop();
      }
      expect(await page.evaluate(() => window.__demo.opfsList())).toContainEqual({ name: 'big-model.zip', size: opfs.bytes });
      expect(opfs.modelBytes).toBeGreaterThanOrEqual(256 * MiB);
      expect(opfs.bytes).toBeGreaterThan(opfs.modelBytes);
      expect(opfs.files).toBe(4);
      expect(opfs.progressEvents).toBeGreaterThan(3);
      expect(opfs.gcExposed).toBe(true);
      expect(opfs.heapPeak!).toBeLessThan(opfs.heapLimit!);
      const f = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
      const growth = opfs.heapPeak! - opfs.heapBefore!;
      report.push(
        `OPFS ${backend}: ${f(opfs.bytes)} zip of ${f(opfs.modelBytes)} weights; build ${(opfs.buildMs / 1000).toFixed(1)} s, export ${(opfs.exportMs / 1000).toFixed(1)} s`,
        `OPFS ${backend}: performance.memory.usedJSHeapSize before ${f(opfs.heapBefore!)} (after GC), peak ${f(opfs.heapPeak!)} (+${f(growth)} = ${(growth / opfs.modelBytes).toFixed(2)}× the weights), after ${f(opfs.heapAfter!)}, after GC ${f(opfs.heapAfterGc!)}; limit ${f(opfs.heapLimit!)}`,
        `OPFS ${backend}: CDP JSHeapUsedSize peak ${f(cdpPeak)}; RSS peak: renderer ${f(peaks.rendererKiB * 1024)}, all Chromium processes ${f(peaks.totalKiB * 1024)} (${peaks.samples} samples)`,
      );
      await page.evaluate(() => window.__demo.opfsClear());
      expect(await page.evaluate(() => window.__demo.opfsList())).toEqual([]);
      expect(errors).toEqual([]);
      return { opfs, growth, peaks };
    } finally {
      await context.close();
    }
  }

  it('streams a ≥ 256 MiB model into OPFS (cpu and wasm) and reports memory', async () => {
    const before = browserRoots();
    const big = await launchChromium(['--js-flags=--expose-gc']);
    const roots = [...browserRoots()].filter((p) => !before.has(p));
    expect(roots.length, 'could not find the Chromium process just launched').toBe(1);
    try {
      // cpu: tfjs hands the weights' own arrays to the exporter (no read-out copy), so what the
      // heap gains is what the export itself holds: the tracer's copy of the captured variables
      // (1× the weights). A buffered archive would add another 1×: the bound catches that.
      const cpu = await opfsRun(big, roots[0]!, 'cpu');
      expect(cpu.growth).toBeLessThan(1.5 * cpu.opfs.modelBytes);
      // wasm: read-outs copy out of the wasm heap and the heap may grow while tensors move
      // between backends for the trace, so only a sanity bound.
      const wasm = await opfsRun(big, roots[0]!, 'wasm');
      expect(wasm.growth).toBeLessThan(2.5 * wasm.opfs.modelBytes);
    } finally {
      await big.close();
    }
  }, 300_000);
});
