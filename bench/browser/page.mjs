// The in-page half of bench/browser.bench.mjs, bundled by esbuild into one script: tfjs with the
// wasm and webgpu backends, savedmodel-js's exportModel and the zip package's OPFS sink. Node
// calls window.__bench.*; every figure is measured here with performance.now().
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { fileMapSink } from '@savedmodel-js/core';
import { opfsSink } from '@savedmodel-js/zip';
import { exportModel } from 'savedmodel-js';

const WIDTH = 2048;
const OPFS_OURS = 'bench-export.zip';
let model = null;

function mlp(mb) {
  const layers = Math.max(1, Math.round((mb * 1e6) / (WIDTH * WIDTH * 4)));
  const x = tf.input({ shape: [WIDTH], name: 'x' });
  let h = x;
  for (let i = 0; i < layers; i++) {
    h = tf.layers.dense({ units: WIDTH, activation: i < layers - 1 ? 'relu' : 'linear', kernelInitializer: 'glorotUniform' }).apply(h);
  }
  return tf.model({ inputs: x, outputs: h });
}

const weightBytes = (m) => m.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);

async function timed(f) {
  const t0 = performance.now();
  const r = await f();
  return { ms: performance.now() - t0, ...r };
}

/** tfjs's model.save into memory: a custom IOHandler that keeps the artifacts (weights copied out of the backend). */
async function tfjsMemory() {
  let bytes = 0;
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = Array.isArray(a.weightData) ? a.weightData : [a.weightData];
    bytes = data.reduce((n, b) => n + b.byteLength, 0) + JSON.stringify(a.modelTopology).length;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return { bytes };
}

/** Our SavedModel export into memory (core's fileMapSink: path → bytes). */
async function oursMemory() {
  const sink = fileMapSink();
  await exportModel(model, sink, { verbose: false });
  let bytes = 0;
  for (const v of sink.files.values()) bytes += v.byteLength;
  // a guard on what is timed: the weights (glorot-uniform, never all zero) really reached the file
  const data = [...sink.files].find(([k]) => k.startsWith('variables/variables.data'))?.[1];
  if (!data || data.subarray(0, 4096).every((b) => b === 0)) throw new Error('exported checkpoint data is missing or zero');
  return { bytes };
}

async function opfsRemove(name) {
  const root = await navigator.storage.getDirectory();
  await root.removeEntry(name).catch(() => undefined);
}

/** Our export streamed as a zip into an OPFS file (createWritable). */
async function oursOpfs() {
  await opfsRemove(OPFS_OURS);
  const sink = await opfsSink(OPFS_OURS);
  await exportModel(model, sink, { verbose: false });
  const root = await navigator.storage.getDirectory();
  const bytes = (await (await root.getFileHandle(OPFS_OURS)).getFile()).size;
  return { bytes };
}

/** tfjs's model.save('indexeddb://…'): its own persistent browser storage. */
async function tfjsIndexedDb() {
  const r = await model.save('indexeddb://bench-model');
  return { bytes: r.modelArtifactsInfo.weightDataBytes + r.modelArtifactsInfo.modelTopologyBytes };
}

const CONTENDERS = { oursMemory, tfjsMemory, oursOpfs, tfjsIndexedDb };

window.__bench = {
  async init(wasmBase) {
    setWasmPaths(wasmBase);
    const gpu = navigator.gpu ? await navigator.gpu.requestAdapter().catch(() => null) : null;
    return { webgpu: gpu !== null, opfs: typeof navigator.storage?.getDirectory === 'function', userAgent: navigator.userAgent };
  },
  async backend(name, mb) {
    model?.dispose();
    model = null;
    if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not initialize`);
    await tf.ready();
    model = mlp(mb);
    // weights are created on the backend; one predict makes sure they are materialized there
    const y = model.predict(tf.zeros([1, WIDTH]));
    await y.data();
    y.dispose();
    return { backend: tf.getBackend(), weightBytes: weightBytes(model) };
  },
  async run(name) {
    // fresh weight tensors on the backend (untimed), so each contender reads them from the
    // device: webgpu keeps a CPU copy of a tensor after its first read
    for (const w of model.weights) {
      const fresh = tf.tidy(() => w.read().mul(1));
      w.write(fresh);
      fresh.dispose();
    }
    return timed(CONTENDERS[name]);
  },
  async cleanup() {
    await opfsRemove(OPFS_OURS);
    await tf.io.removeModel('indexeddb://bench-model').catch(() => undefined);
  },
};
