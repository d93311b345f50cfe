// End-to-end: the demo's "Convert your model" panel in Chromium (issue #13, item 7). A tfjs graph
// model made here (a small CNN exported with saveModel, then written by convertSavedModelToTfjs
// as model.json + uint8-quantized weight shards) is dropped on the panel; the page converts it,
// shows the signature and runs it on zeros; the zip downloaded with the page's button passes the
// Node-side checks of the demo's exports (`unzip -t`, Python's zipfile.testzip(), core's
// verifySavedModel, the `savedmodel verify` CLI), its saved_model.pb equals byte for byte what
// convertTfjsModel writes in Node from the same files, and loadSavedModel of it answers like
// tfjs-converter's GraphModel.execute on the original (1e-5) and like the page's run on zeros.
// The keyboard path (Enter on the drop zone opens the picker) converts the picked files too.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, verifySavedModel } from '@savedmodel-js/core';
import { zipSource } from '@savedmodel-js/zip';
import { convertSavedModelToTfjs, convertTfjsModel, loadSavedModel, saveModel } from 'savedmodel-js';
import type { ConvertState } from '../packages/demo/src/convert-panel.js';
import { tf } from '../packages/demo/src/model.js';
import { assertChromium, launchChromium } from './support/browser.js';
import { cliVerify, extract, pythonTestzip, unzipTest } from './support/checks.js';
import { DIST, ensureDemoBuilt } from './support/demo-build.js';
import { serveStatic, type StaticServer } from './support/server.js';

let server: StaticServer;
let browser: Browser;
let work: string;
const report: string[] = [];

/** Files of a folder as [name, bytes]. */
function filesOf(dir: string): [string, Uint8Array][] {
  return readdirSync(dir).sort().map((n) => [n, new Uint8Array(readFileSync(join(dir, n)))]);
}

/** tf.loadGraphModel (Google's loader) on a model.json folder. */
async function googleGraphModel(dir: string): Promise<tf.GraphModel> {
  const files = new Map(filesOf(dir));
  const json = JSON.parse(new TextDecoder().decode(files.get('model.json')!)) as tf.io.ModelJSON;
  return tf.loadGraphModel({
    load: async () => tf.io.getModelArtifactsForJSON(json, async (manifest) => {
      const specs = manifest.flatMap((g) => g.weights);
      const parts = manifest.flatMap((g) => g.paths.map((p) => files.get(p)!));
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) { all.set(p, o); o += p.length; }
      return [specs, all.buffer];
    }),
  });
}

/** Drops files on the panel's drop zone as a user would (a DataTransfer of File objects). */
async function dropFiles(page: Page, files: [string, Uint8Array][]): Promise<void> {
  const payload = files.map(([name, bytes]) => ({ name, b64: Buffer.from(bytes).toString('base64') }));
  const dt = await page.evaluateHandle((fs) => {
    const d = new DataTransfer();
    for (const f of fs) {
      const bin = atob(f.b64);
      const u = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
      d.items.add(new File([u], f.name));
    }
    return d;
  }, payload);
  await page.getByTestId('convert-dropzone').dispatchEvent('drop', { dataTransfer: dt });
}

async function openPage(): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${server.url}?backend=wasm`);
  await page.waitForFunction(() => document.body.dataset.ready === '1' && !!window.__demo, null, { timeout: 60_000 });
  return { page, errors, close: () => context.close() };
}

/** A graph model with tfjs-converter's Conv1D (no TensorFlow op): model.json + one weights file. */
function conv1dModel(): [string, Uint8Array][] {
  const b64 = (x: string) => Buffer.from(x).toString('base64');
  const filter = new Float32Array(3 * 2 * 4).map((_, i) => Math.sin(i) * 0.5);
  const json = {
    format: 'graph-model',
    modelTopology: { node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '5' }, { size: '2' }] } } } },
      { name: 'filter', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }, { size: '2' }, { size: '4' }] } } } } },
      { name: 'y', op: 'Conv1D', input: ['x', 'filter'], attr: { stride: { i: '1' }, padding: { s: b64('SAME') }, data_format: { s: b64('NWC') }, dilation: { i: '1' }, T: { type: 'DT_FLOAT' } } },
      { name: 'out', op: 'Relu', input: ['y'], attr: { T: { type: 'DT_FLOAT' } } },
    ], versions: { producer: 1645 } },
    weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'filter', shape: [3, 2, 4], dtype: 'float32' }] }],
  };
  return [['conv1d.json', new TextEncoder().encode(JSON.stringify(json))], ['w.bin', new Uint8Array(filter.buffer)]];
}

/**
 * A graph model as TF >= 2.4 writes it: DepthwiseConv2dNative carrying explicit_paddings=[], an
 * attr TF 2.2 does not declare (the page loads TF 2.21's op table, a chunk of its own, to drop it).
 */
function newerTfModel(): [string, Uint8Array][] {
  const b64 = (x: string) => Buffer.from(x).toString('base64');
  const ints = (xs: number[]) => ({ list: { i: xs.map(String) } });
  const filter = new Float32Array(3 * 3 * 2).map((_, i) => Math.cos(i) * 0.5);
  const json = {
    format: 'graph-model',
    modelTopology: { node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '5' }, { size: '5' }, { size: '2' }] } } } },
      { name: 'filter', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }, { size: '3' }, { size: '2' }, { size: '1' }] } } } } },
      { name: 'dw', op: 'DepthwiseConv2dNative', input: ['x', 'filter'], attr: {
        T: { type: 'DT_FLOAT' }, strides: ints([1, 1, 1, 1]), dilations: ints([1, 1, 1, 1]), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') }, explicit_paddings: { list: {} },
      } },
      { name: 'out', op: 'Relu', input: ['dw'], attr: { T: { type: 'DT_FLOAT' } } },
    ], versions: { producer: 1645 } },
    weightsManifest: [{ paths: ['dw.bin'], weights: [{ name: 'filter', shape: [3, 3, 2, 1], dtype: 'float32' }] }],
  };
  return [['newer-tf.json', new TextEncoder().encode(JSON.stringify(json))], ['dw.bin', new Uint8Array(filter.buffer)]];
}

async function waitConverted(page: Page, source: string): Promise<ConvertState> {
  await page.waitForFunction((s) => window.__demo.state.busy === null && (window.__demo.convertState()?.source === s || window.__demo.state.lastError !== null), source, { timeout: 120_000, polling: 100 });
  const err = await page.evaluate(() => window.__demo.state.lastError);
  if (err) throw new Error(`page reported: ${err}`);
  return page.evaluate(() => JSON.parse(JSON.stringify(window.__demo.convertState())) as ConvertState);
}

let graphDir: string;

beforeAll(async () => {
  assertChromium();
  await ensureDemoBuilt();
  work = mkdtempSync(join(tmpdir(), 'savedmodel-e2e-convert-'));
  cpSync(DIST, join(work, 'dist'), { recursive: true });
  browser = await launchChromium();

  await tf.setBackend('cpu');
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const cnn = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(1), name: 'conv' }),
    tf.layers.flatten({ name: 'flat' }),
    tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(2), name: 'probs' }),
  ] });
  const saved = join(work, 'saved');
  await saveModel(cnn, saved);
  graphDir = join(work, 'graph');
  await convertSavedModelToTfjs(saved, graphDir, { quantize: 'uint8', shardBytes: 128 });
  // served beside the page, for the URL form
  cpSync(graphDir, join(work, 'dist', 'models', 'cnn'), { recursive: true });
  server = await serveStatic(join(work, 'dist'));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  console.log(`\ne2e convert panel (Chromium ${browser?.version() ?? '?'})\n${report.map((r) => `  ${r}`).join('\n')}`);
});

describe('demo: Convert your model', () => {
  it('converts a dropped graph model; the downloaded zip passes the Node checks and answers like tfjs-converter', async () => {
    const { page, errors, close } = await openPage();
    try {
      const files = filesOf(graphDir);
      expect(files.filter(([n]) => n.endsWith('.bin')).length).toBeGreaterThan(1);
      await dropFiles(page, files);
      const st = await waitConverted(page, 'model.json');
      expect(st.format).toBe('graph-model');
      expect(st.path).toBe('rebuilt');
      expect(Object.keys(st.quantized)).toEqual(['uint8']);
      expect(st.progressEvents).toBeGreaterThan(files.length - 1);
      expect(st.signature).toBe('serving_default');
      expect(st.inputs.map((i) => i.shape)).toEqual([[-1, 6, 6, 2]]);
      expect(st.testRun.map((o) => o.shape)).toEqual([[1, 3]]);
      expect(await page.getByTestId('convert-progress').evaluate((e) => (e as HTMLProgressElement).value)).toBe(1);
      expect(await page.getByTestId('convert-signature').textContent()).toContain("signature_def['serving_default']:");
      expect(await page.getByTestId('convert-run').textContent()).toContain('on zeros');

      const zipPath = join(work, 'converted.zip');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('convert-download').click()]);
      expect(download.suggestedFilename()).toBe('saved_model.zip');
      await download.saveAs(zipPath);

      // the Node-side checks of the demo's exports
      const bytes = new Uint8Array(readFileSync(zipPath));
      expect(bytes.length).toBe(st.bytes);
      unzipTest(zipPath);
      expect(pythonTestzip(zipPath)).toEqual(expect.arrayContaining(['saved_model.pb', 'fingerprint.pb', 'assets.extra/tfjs_model_metadata.json']));
      const source = await zipSource(bytes);
      const verdict = await verifySavedModel(source, { strict: true });
      expect(verdict.findings.filter((f) => f.severity === 'error').map((f) => `${f.code} ${f.where}: ${f.message}`)).toEqual([]);
      const dir = join(work, 'converted');
      extract(zipPath, dir);
      const cli = cliVerify(dir);
      expect(cli.status, cli.output).toBe(0);

      // the same conversion in Node writes the same graph
      const node = fileMapSink();
      await convertTfjsModel(new Map(files), node);
      expect(Buffer.from(await source.read('saved_model.pb')).equals(Buffer.from(node.files.get('saved_model.pb')!)), 'saved_model.pb differs from Node\'s conversion').toBe(true);

      // numbers: tfjs-converter on the original graph model vs our loader on the page's zip
      const gm = await googleGraphModel(graphDir);
      const sm = await loadSavedModel(source);
      try {
        const key = sm.inputKeys[0]!;
        const zeros = tf.zeros([1, 6, 6, 2]);
        const onZeros = Array.from((sm.predict({ [key]: zeros }) as tf.Tensor).dataSync());
        onZeros.forEach((v, i) => expect(Math.abs(v - st.testRun[0]!.head[i]!)).toBeLessThanOrEqual(1e-5));
        const x = tf.randomUniform([2, 6, 6, 2], -1, 1, 'float32', 7);
        const want = (gm.execute({ [gm.inputs[0]!.name]: x }) as tf.Tensor).dataSync();
        const got = (sm.predict({ [key]: x }) as tf.Tensor).dataSync();
        let d = 0;
        got.forEach((v, i) => { d = Math.max(d, Math.abs(v - want[i]!) / Math.max(1, Math.abs(want[i]!))); });
        report.push(`dropped graph model (${files.length} files, uint8): zip ${bytes.length} B; saved_model.pb identical to Node's; vs GraphModel.execute max rel Δ ${d.toExponential(2)}`);
        expect(d).toBeLessThanOrEqual(1e-5);
      } finally {
        gm.dispose();
        sm.dispose();
      }

      // keyboard: Enter on the focused drop zone opens the picker; the picked files convert too
      const zone = page.getByTestId('convert-dropzone');
      await zone.focus();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('convert-dropzone');
      const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 60_000 }), zone.press('Enter')]);
      expect(chooser.isMultiple()).toBe(true);
      await chooser.setFiles(readdirSync(graphDir).map((n) => join(graphDir, n)));
      await page.waitForFunction(() => window.__demo.state.busy === null && window.__demo.convertState() !== null, null, { timeout: 120_000 });
      const again = await waitConverted(page, 'model.json');
      expect(again.bytes).toBe(st.bytes);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 300_000);

  it('converts from a URL typed in the form, and traces a graph it cannot rebuild (Conv1D), saying why', async () => {
    const { page, errors, close } = await openPage();
    try {
      const url = `${server.url}models/cnn/model.json`;
      await page.getByTestId('convert-url').fill(url);
      await page.getByTestId('convert-url').press('Enter');
      const fromUrl = await waitConverted(page, url);
      expect(fromUrl.path).toBe('rebuilt');
      expect(fromUrl.inputs.map((i) => i.shape)).toEqual([[-1, 6, 6, 2]]);

      const files = conv1dModel();
      await dropFiles(page, files);
      const st = await waitConverted(page, 'conv1d.json');
      expect(st.path).toBe('traced');
      expect(st.reason).toMatch(/Conv1D.*neither in TensorFlow's op registry/);
      expect(await page.getByTestId('convert-log').textContent()).toMatch(/traced \(op Conv1D/);
      expect(st.opHistogram['Conv2D']).toBe(1);
      expect(st.testRun.map((o) => o.shape)).toEqual([[1, 5, 4]]);

      const zipPath = join(work, 'traced.zip');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('convert-download').click()]);
      await download.saveAs(zipPath);
      unzipTest(zipPath);
      const source = await zipSource(new Uint8Array(readFileSync(zipPath)));
      const verdict = await verifySavedModel(source, { strict: true });
      expect(verdict.findings.filter((f) => f.severity === 'error').map((f) => `${f.code} ${f.where}: ${f.message}`)).toEqual([]);
      const gm = await tf.loadGraphModel(tf.io.fromMemory({
        modelTopology: JSON.parse(new TextDecoder().decode(files[0]![1])).modelTopology,
        weightSpecs: [{ name: 'filter', shape: [3, 2, 4], dtype: 'float32' }], weightData: files[1]![1].slice().buffer,
      }));
      const sm = await loadSavedModel(source);
      try {
        const x = tf.randomUniform([3, 5, 2], -1, 1, 'float32', 3);
        const want = (gm.execute({ x }) as tf.Tensor).dataSync();
        const got = (sm.predict({ [sm.inputKeys[0]!]: x }) as tf.Tensor).dataSync();
        expect(got.length).toBe(want.length);
        got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i]!))));
        report.push(`traced in the page (Conv1D): zip verifies strictly; equals GraphModel.execute at batch 3`);
      } finally {
        gm.dispose();
        sm.dispose();
      }
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 300_000);

  it('rebuilds a graph model with attrs TF 2.2 does not declare (explicit_paddings=[]), dropped at their TF 2.21 default', async () => {
    const { page, errors, close } = await openPage();
    try {
      const files = newerTfModel();
      await dropFiles(page, files);
      const st = await waitConverted(page, 'newer-tf.json');
      expect(st.path).toBe('rebuilt');
      expect(st.opHistogram['DepthwiseConv2dNative']).toBe(1);
      expect(st.testRun.map((o) => o.shape)).toEqual([[1, 5, 5, 2]]);
      // the same SavedModel as convertTfjsModel writes in Node from the same files
      const zipPath = join(work, 'newer-tf.zip');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('convert-download').click()]);
      await download.saveAs(zipPath);
      const source = await zipSource(new Uint8Array(readFileSync(zipPath)));
      const node = fileMapSink();
      await convertTfjsModel(new Map(files.map(([n, b]) => [n === 'newer-tf.json' ? 'model.json' : n, b])), node);
      expect(Buffer.from(await source.read('saved_model.pb')).equals(Buffer.from(node.files.get('saved_model.pb')!))).toBe(true);
      report.push('rebuilt in the page with explicit_paddings dropped (TF 2.21 table loaded as its own chunk); saved_model.pb equals Node\'s');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 300_000);
});
