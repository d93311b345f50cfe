// End-to-end: on webgpu in headless Chromium (SwiftShader) a synchronous read of a value on the
// GPU answers zeros, and tfjs caches them on the tensor. Exports must read such values
// asynchronously. A page bundled here (esbuild, the demo's dependencies) saves, on webgpu:
//  - a Module whose function closes over a 300k-element tensor computed by GPU kernels (a
//    constant of the traced graph);
//  - a layers model whose weights were just rewritten by a GPU kernel;
//  - a tfjs graph model loaded and run on webgpu (its weights frozen as constants of the trace).
// Both SavedModels are loaded back in the page on cpu and answer with the values the page reads
// back asynchronously on webgpu. And a loaded SavedModel runs on webgpu a host op (checked int64
// AddV2) whose input a GPU kernel computed: values read asynchronously, never zeros.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertChromium, launchChromium } from './support/browser.js';
import { serveStatic, type StaticServer } from './support/server.js';

const ROOT = join(import.meta.dirname, '..');
let dir: string;
let server: StaticServer;
let browser: Browser;

const PAGE = `
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { attr, fileMapSink, node, tensorflow, writeSavedModel } from '@savedmodel-js/core';
import { convertSavedModelToTfjs, exportModel, loadSavedModel, Module, saveModel, tfFunction, TensorSpec } from 'savedmodel-js';
const N = 300000;
const first = (y) => (y instanceof tf.Tensor ? y : Array.isArray(y) ? y[0] : Object.values(y)[0]);
window.__t = {
  async gpu() { return (await tf.setBackend('webgpu')) && tf.getBackend() === 'webgpu'; },
  async capturedConstant() {
    await tf.setBackend('webgpu');
    const c = tf.tidy(() => tf.range(0, N).mul(2).add(1)); // 1, 3, 5, ... on the GPU
    const m = new Module();
    m.f = tfFunction((x) => tf.add(x, c), { inputSignature: [new TensorSpec([N], 'float32', 'x')] });
    const sink = fileMapSink();
    await saveModel(m, sink, { signatures: m.f });
    const want = Array.from(await c.data());
    await tf.setBackend('cpu');
    const got = Array.from(await first((await loadSavedModel(sink.files)).predict(tf.zeros([N]))).data());
    return { n: got.length, mismatches: got.filter((v, i) => v !== want[i]).length, zeros: got.filter((v) => v === 0).length, head: got.slice(0, 3) };
  },
  async rewrittenWeights() {
    await tf.setBackend('webgpu');
    const x = tf.input({ shape: [64] });
    const model = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 64 }).apply(x) });
    for (const w of model.weights) { const v = tf.tidy(() => w.read().mul(3).add(1)); w.write(v); v.dispose(); }
    const sink = fileMapSink();
    await exportModel(model, sink, { verbose: false });
    const probe = tf.ones([2, 64]);
    const want = Array.from(await model.predict(probe).data());
    await tf.setBackend('cpu');
    const got = Array.from(await first((await loadSavedModel(sink.files)).predict(tf.ones([2, 64]))).data());
    return { n: got.length, maxDiff: Math.max(...got.map((v, i) => Math.abs(v - want[i]))), head: got.slice(0, 2), wantHead: want.slice(0, 2) };
  },
  async graphModel() {
    // a tfjs graph model (made on cpu: export, then convert), loaded and run on webgpu, saved from there
    await tf.setBackend('cpu');
    const x = tf.input({ shape: [64] });
    const layers = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 64, activation: 'tanh' }).apply(x) });
    const sm = fileMapSink();
    await exportModel(layers, sm, { verbose: false });
    const tfjsFiles = fileMapSink();
    await convertSavedModelToTfjs(sm.files, tfjsFiles);
    const json = JSON.parse(new TextDecoder().decode(tfjsFiles.files.get('model.json')));
    await tf.setBackend('webgpu');
    const gm = await tf.loadGraphModel({ load: async () => tf.io.getModelArtifactsForJSON(json, async (manifest) => {
      const specs = manifest.flatMap((g) => g.weights);
      const parts = manifest.flatMap((g) => g.paths.map((p) => tfjsFiles.files.get(p)));
      const n = parts.reduce((a, b) => a + b.length, 0);
      const data = new Uint8Array(n); let o = 0; for (const b of parts) { data.set(b, o); o += b.length; }
      return [specs, data.buffer];
    }) });
    const want = Array.from(await gm.predict(tf.ones([2, 64])).data());
    const sink = fileMapSink();
    await saveModel(gm, sink);
    await tf.setBackend('cpu');
    const got = Array.from(await first((await loadSavedModel(sink.files)).predict(tf.ones([2, 64]))).data());
    return { n: got.length, maxDiff: Math.max(...got.map((v, i) => Math.abs(v - want[i]))) };
  },
  async hostOp() {
    // a loaded SavedModel run on webgpu: y = int64(x) + 1, whose Cast runs on the GPU (4096 elements,
    // past webgpu's CPU hand-off) and whose checked int64 AddV2 reads the Cast's output on the host
    await tf.setBackend('webgpu');
    const DT = tensorflow.DataType, M = 4096;
    const any = { unknown_rank: true };
    const mg = {
      meta_info_def: { tags: ['serve'] },
      graph_def: { versions: { producer: 1000 }, node: [
        node('x', 'Placeholder', [], { dtype: attr.type(DT.DT_FLOAT), shape: attr.shape([M]) }),
        node('xi', 'Cast', ['x'], { SrcT: attr.type(DT.DT_FLOAT), DstT: attr.type(DT.DT_INT64), Truncate: attr.bool(false) }),
        node('one', 'Const', [], { dtype: attr.type(DT.DT_INT64), value: attr.tensor({ dtype: DT.DT_INT64, tensor_shape: {}, int64_val: [1] }) }),
        node('y', 'AddV2', ['xi', 'one'], { T: attr.type(DT.DT_INT64) }),
      ] },
      signature_def: { serving_default: { method_name: 'tensorflow/serving/predict',
        inputs: { x: { name: 'x:0', dtype: DT.DT_FLOAT, tensor_shape: any } }, outputs: { y: { name: 'y:0', dtype: DT.DT_INT64, tensor_shape: any } } } },
    };
    const sink = fileMapSink();
    await writeSavedModel(sink, { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } });
    const m = await loadSavedModel(sink.files);
    const x = Array.from({ length: M }, (_, i) => i * 3);
    const y = (await m.run({ x })).y.values.map(Number);
    let sync;
    try { m.predict(tf.tensor1d(x)); sync = 'ran'; } catch (e) { sync = e.code; }
    return { n: y.length, mismatches: y.filter((v, i) => v !== x[i] + 1).length, head: y.slice(0, 3), sync };
  },
};
`;

beforeAll(async () => {
  assertChromium();
  dir = mkdtempSync(join(tmpdir(), 'e2e-webgpu-reads-'));
  writeFileSync(join(dir, 'entry.mjs'), PAGE);
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(dir, 'entry.mjs')], outfile: join(dir, 'page.js'), bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    // the demo depends on everything the page needs (tfjs backends, core, the facade)
    nodePaths: [join(ROOT, 'packages/demo/node_modules')], define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'error',
  });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="page.js"></script>\n');
  server = await serveStatic(dir);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('webgpu exports read device values asynchronously (headless Chromium)', () => {
  it('a captured tensor computed on the GPU, weights rewritten on the GPU and a graph model\'s weights reach the SavedModel as they are', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { __t?: unknown }).__t !== undefined);
    type T = Record<string, () => Promise<unknown>>;
    expect(await page.evaluate(() => (window as unknown as { __t: T }).__t.gpu!()), 'WebGPU has no adapter in this Chromium').toBe(true);
    const c = await page.evaluate(() => (window as unknown as { __t: T }).__t.capturedConstant!()) as { n: number; mismatches: number; zeros: number; head: number[] };
    expect(c).toMatchObject({ n: 300000, mismatches: 0, zeros: 0, head: [1, 3, 5] });
    const w = await page.evaluate(() => (window as unknown as { __t: T }).__t.rewrittenWeights!()) as { n: number; maxDiff: number };
    expect(w.n).toBe(128);
    expect(w.maxDiff).toBeLessThan(1e-3);
    const g = await page.evaluate(() => (window as unknown as { __t: T }).__t.graphModel!()) as { n: number; maxDiff: number };
    expect(g.n).toBe(128);
    expect(g.maxDiff).toBeLessThan(1e-3);
    // a host op of a loaded SavedModel reads a GPU value: asynchronously under run(); predict() refuses
    const h = await page.evaluate(() => (window as unknown as { __t: T }).__t.hostOp!()) as { n: number; mismatches: number; head: number[]; sync: string };
    expect(h).toEqual({ n: 4096, mismatches: 0, head: [1, 4, 7], sync: 'UNSUPPORTED' });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
