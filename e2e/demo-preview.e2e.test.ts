// End-to-end against the real `vite preview` (the demo package's own `preview` script, the README's
// command; it sends `Vary: Origin`, which the harness's own server never did), in Debian's
// Chromium through playwright-core:
//  - preview prints its URL;
//  - offline: after the first visit the network is cut and the page reloads from the service
//    worker, on wasm and on webgpu (the backend then runs from the cache);
//  - keyboard only: Tab to the drop zone (visible focus), Enter opens the file chooser, the zip
//    picked there loads;
//  - the input editor: one row per signature input (dtype, shape; unknown dims editable, 1 by
//    default), "random" / "zeros", Run shows every output (name, dtype, shape, first values),
//    checked against TensorFlow-written fixtures' known answers and against Node's run;
//  - a failed load leaves nothing of the previous model and says what failed;
//  - the console stays clean: any warning or error not expected by the test fails it.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipBlobSink } from '@savedmodel-js/zip';
import { loadSavedModel } from 'savedmodel-js';
import type { DemoState } from '../packages/demo/src/main.js';
import type { LoadedState } from '../packages/demo/src/load-panel.js';
import { assertChromium, launchChromium } from './support/browser.js';
import { unzipTest } from './support/checks.js';
import { DIST, ensureDemoBuilt } from './support/demo-build.js';
import { startVitePreview, type VitePreview } from './support/vite-preview.js';
import { FIXTURES, FIXTURES_MORE } from '../packages/core/test/shared.js';


let preview: VitePreview;
let browser: Browser;
let work: string;
const zips: Record<'power' | 'multi' | 'broken', Buffer> = {} as never;
const report: string[] = [];

function filesOf(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) filesOf(p, out);
    else out.push(p);
  }
  return out;
}

/** A SavedModel directory (as TensorFlow wrote it) as zip bytes, made with our zip writer. */
async function zipDir(dir: string, skip: (path: string) => boolean = () => false): Promise<Buffer> {
  const sink = zipBlobSink();
  for (const f of filesOf(dir)) {
    const path = relative(dir, f).split(sep).join('/');
    if (path === 'PROVENANCE.txt' || skip(path)) continue;
    await sink.write(path, new Uint8Array(readFileSync(f)));
  }
  await sink.commit();
  return Buffer.from(await sink.blob().arrayBuffer());
}

/** Console warnings/errors and page errors of a page, for the "console clean" assertions. */
function watchConsole(page: Page): string[] {
  const seen: string[] = [];
  page.on('pageerror', (e) => seen.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') seen.push(`console.${m.type()}: ${m.text()}`);
  });
  return seen;
}

async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.ready === '1' && !!window.__demo, null, { timeout: 60_000 });
}

const demoState = (page: Page): Promise<DemoState> => page.evaluate(() => JSON.parse(JSON.stringify(window.__demo.state)) as DemoState);

async function waitIdle(page: Page): Promise<DemoState> {
  await page.waitForFunction(() => window.__demo.state.busy === null, null, { timeout: 60_000, polling: 50 });
  return demoState(page);
}

/** First visit (the service worker precaches everything and takes control), then offline, reload. */
async function openOffline(context: BrowserContext, backend: 'wasm' | 'webgpu'): Promise<{ page: Page; seen: string[] }> {
  const page = await context.newPage();
  const seen = watchConsole(page);
  await page.goto(`${preview.url}?backend=${backend}`);
  await waitReady(page);
  expect(await page.getByTestId('sw-status').textContent()).toMatch(/offline ready/);
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 30_000 });
  await context.setOffline(true);
  await page.reload();
  await waitReady(page);
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  // the network really is cut: a file that was never cached cannot be fetched
  expect(await page.evaluate(() => fetch('./not-precached.txt').then(() => 'fetched', () => 'failed'))).toBe('failed');
  // the backend came up from cached files (wasm: the .wasm binary) and computes
  expect(await page.getByTestId('backend-active').textContent()).toBe(backend);
  expect(await page.evaluate(async () => Array.from(await window.__demo.tf.add(window.__demo.tf.tensor1d([1, 2]), 1).data()))).toEqual([2, 3]);
  return { page, seen };
}

/** What the test allows on the console: the deliberate not-precached fetch (and `extra`). */
function unexpected(seen: string[], extra: RegExp[] = []): string[] {
  return seen.filter((l) => !/not-precached\.txt|ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(l) && !extra.some((r) => r.test(l)));
}

async function loaded(page: Page, runs: number): Promise<LoadedState> {
  await page.waitForFunction((n) => window.__demo.state.busy === null && (window.__demo.state.loaded?.runs ?? 0) >= n, runs, { timeout: 60_000, polling: 50 });
  const s = await demoState(page);
  if (s.lastError) throw new Error(`page reported: ${s.lastError}`);
  return s.loaded!;
}

async function outputsTable(page: Page): Promise<string[][]> {
  return page.getByTestId('outputs').locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent ?? '')));
}

beforeAll(async () => {
  assertChromium();
  await ensureDemoBuilt();
  work = mkdtempSync(join(tmpdir(), 'savedmodel-e2e-preview-'));
  cpSync(DIST, join(work, 'dist'), { recursive: true });
  preview = await startVitePreview(join(work, 'dist'));
  zips.power = await zipDir(join(FIXTURES_MORE, 'keras3_power_consumption'));
  zips.multi = await zipDir(join(FIXTURES, 'model_multi_output'));
  // a zip whose SavedModel has no saved_model.pb: the load fails
  zips.broken = await zipDir(join(FIXTURES, 'model_multi_output'), (p) => p === 'saved_model.pb');
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await preview?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  if (report.length) console.log(`\ndemo under vite preview\n${report.map((r) => `  ${r}`).join('\n')}`);
});

describe('demo under vite preview', () => {
  it('prints its URL and serves with Vary (what the service worker must ignore)', async () => {
    expect(preview.output()).toMatch(/Local:\s+http:\/\/127\.0\.0\.1:\d+\//);
    const r = await fetch(`${preview.url}index.html`);
    expect(r.status).toBe(200);
    report.push(`preview: ${preview.url}; Vary: ${r.headers.get('vary') ?? '(none)'}`);
  });

  it('offline reload on wasm; keyboard-only load of a zip; the input editor and every output', async () => {
    const context = await browser.newContext();
    try {
      const { page, seen } = await openOffline(context, 'wasm');
      // only the backends the picker offers are registered (no WebGL from @tensorflow/tfjs)
      expect(await page.evaluate(() => Object.keys(window.__demo.tf.engine().registryFactory).sort())).toEqual(['cpu', 'wasm', 'webgpu']);

      // Keyboard only: Tab until the drop zone has focus, which is visible. (Listening first:
      // playwright intercepts file choosers only once a listener is attached, asynchronously.)
      const chooserEvent = page.waitForEvent('filechooser', { timeout: 30_000 });
      chooserEvent.catch(() => undefined); // awaited below; no unhandled rejection if a check fails first
      let focused = false;
      for (let i = 0; i < 40 && !focused; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => document.activeElement?.id === 'dropzone');
      }
      expect(focused, 'Tab never reached the drop zone').toBe(true);
      expect(await page.getByTestId('dropzone').evaluate((e) => { const s = getComputedStyle(e); return `${s.outlineStyle} ${s.outlineWidth}`; })).toMatch(/^solid [1-9]/);
      await page.keyboard.press('Enter');
      const chooser = await chooserEvent;
      await chooser.setFiles({ name: 'power.zip', mimeType: 'application/zip', buffer: zips.power });
      let s = await loaded(page, 1);
      expect(s.name).toBe('power.zip');
      expect(s.backend).toBe('wasm');
      expect(s.inputSpecs).toEqual([{ key: 'keras_tensor', dtype: 'float32', tfDtype: 'DT_FLOAT', shape: [-1, 25] }]);
      // the unknown batch dim is editable and 1 by default; the values start as zeros
      expect(await page.getByTestId('dim-keras_tensor-0').inputValue()).toBe('1');
      expect((await page.getByTestId('input-keras_tensor').inputValue()).split(/[\s,]+/)).toEqual(Array(25).fill('0'));
      expect(s.results.map((r) => [r.key, r.dtype, r.shape])).toEqual([['output_0', 'float32', [1, 1]]]);
      expect(await outputsTable(page)).toEqual([['output_0', 'float32 (DT_FLOAT)', '[1, 1]', expect.any(String)]]);

      // 3 rows of random values, Run: the page's output equals Node's run of the same values
      await page.getByTestId('dim-keras_tensor-0').fill('3');
      await page.getByTestId('dim-keras_tensor-0').dispatchEvent('change');
      await page.getByTestId('random-keras_tensor').click();
      const text = await page.getByTestId('input-keras_tensor').inputValue();
      const values = text.split(/[\s,]+/).map(Number);
      expect(values).toHaveLength(75);
      expect(new Set(values).size).toBeGreaterThan(1);
      await page.getByTestId('run').click();
      s = await loaded(page, 2);
      expect(s.results[0]!.shape).toEqual([3, 1]);
      const node = await loadSavedModel(new Uint8Array(zips.power));
      try {
        const rows = [0, 1, 2].map((i) => values.slice(i * 25, (i + 1) * 25));
        const want = (await node.run({ keras_tensor: rows })).output_0!.values as number[];
        const got = s.results[0]!.head as number[];
        expect(got).toHaveLength(3);
        const d = Math.max(...got.map((v, i) => Math.abs(v - want[i]!)));
        report.push(`wasm offline: keras3_power_consumption on 3 random rows, page vs Node max |Δ| = ${d.toExponential(2)}`);
        expect(d).toBeLessThanOrEqual(1e-4 * Math.max(1, ...want.map(Math.abs)));
      } finally {
        node.dispose();
      }
      expect(unexpected(seen)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('offline reload on webgpu; every output of a two-input two-output model; a failed load leaves nothing stale', async () => {
    const context = await browser.newContext();
    try {
      const { page, seen } = await openOffline(context, 'webgpu');
      expect((await demoState(page)).webgpu, 'WebGPU has no adapter in this Chromium').toBe(true);
      const zipPath = join(work, 'multi.zip');
      writeFileSync(zipPath, zips.multi);
      await page.getByTestId('load-file').setInputFiles(zipPath);
      let s = await loaded(page, 1);
      expect(s.backend).toBe('webgpu');
      // TF 2.0's model_multi_output: __call__(x, y) on int32 scalars → (x * 2, y)
      expect(s.inputSpecs.map((i) => [i.key, i.dtype, i.shape])).toEqual([['x', 'int32', []], ['y', 'int32', []]]);
      expect(s.outputs).toEqual(['output_0', 'output_1']);
      await page.getByTestId('input-x').fill('21');
      await page.getByTestId('random-y').click();
      const y = Number(await page.getByTestId('input-y').inputValue());
      await page.getByTestId('run').click();
      s = await loaded(page, 2);
      expect(s.results).toEqual([
        { key: 'output_0', dtype: 'int32', tfDtype: 'DT_INT32', shape: [], size: 1, head: [42] },
        { key: 'output_1', dtype: 'int32', tfDtype: 'DT_INT32', shape: [], size: 1, head: [y] },
      ]);
      expect(await outputsTable(page)).toEqual([
        ['output_0', 'int32 (DT_INT32)', '[]', '42'],
        ['output_1', 'int32 (DT_INT32)', '[]', String(y)],
      ]);
      // a bad value is reported, naming the input, and the page stays usable
      await page.getByTestId('input-x').fill('seven');
      await page.getByTestId('run').click();
      await waitIdle(page);
      expect((await demoState(page)).lastError).toMatch(/input 'x'.*not a number/);

      // A zip without saved_model.pb: nothing of the previous model stays, the log says what failed.
      await page.getByTestId('load-file').setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: zips.broken });
      await page.waitForFunction(() => window.__demo.state.busy === null && window.__demo.state.lastError?.startsWith('load:'), null, { timeout: 30_000 });
      const after = await demoState(page);
      expect(after.loaded).toBeNull();
      expect(after.lastError).toMatch(/saved_model/);
      expect(await outputsTable(page)).toEqual([]);
      expect(await page.getByTestId('input-editor').evaluate((e) => e.childElementCount)).toBe(0);
      expect(await page.getByTestId('load-show').textContent()).toBe('');
      expect(await page.getByTestId('run').isDisabled()).toBe(true);
      const log = (await page.getByTestId('load-log').textContent()) ?? '';
      expect(log).toContain('opening broken.zip');
      expect(log).toMatch(/✗ broken\.zip: (reading the zip|loading the SavedModel) failed/);
      expect(log).not.toContain('output_0');
      report.push(`webgpu offline: model_multi_output x=21, y=${y} → (42, ${y}); failed load: ${after.lastError!.slice(0, 120)}`);
      // the two failures the test caused are logged as errors; nothing else
      expect(unexpected(seen, [/input 'x'/, /saved_model/])).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('OPFS export of a 64 MiB model: progress steps at most 2 %; its button downloads the zip', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const seen = watchConsole(page);
      await page.goto(`${preview.url}?backend=cpu`);
      await waitReady(page);
      await page.locator('#opfs-mib').fill('64');
      await page.getByTestId('opfs-export').click();
      await page.waitForFunction(() => window.__demo.state.opfs !== null && window.__demo.state.busy === null, null, { timeout: 120_000, polling: 100 });
      const s = await demoState(page);
      expect(s.lastError).toBeNull();
      const o = s.opfs!;
      expect(o.modelBytes).toBe(64 * 1024 * 1024 + 4096 * 4);
      report.push(`OPFS 64 MiB (cpu): ${o.progressEvents} progress events, largest step ${(o.maxProgressStep * 100).toFixed(2)} %, export ${(o.exportMs / 1000).toFixed(1)} s`);
      expect(o.maxProgressStep).toBeLessThanOrEqual(0.02);
      expect(o.progressEvents).toBeGreaterThanOrEqual(50);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('opfs-download').click()]);
      expect(download.suggestedFilename()).toBe('big-model.zip');
      const path = join(work, 'big-model.zip');
      await download.saveAs(path);
      expect(statSync(path).size).toBe(o.bytes);
      unzipTest(path);
      await page.evaluate(() => window.__demo.opfsClear());
      expect(unexpected(seen)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
