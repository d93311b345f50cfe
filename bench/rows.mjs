// The suite's other rows: trace vs predict, load+predict vs tfjs, zip writer vs jszip / fflate,
// 2,000-layer export vs predict. Each returns table rows (see lib.mjs printTable).
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import JSZip from 'jszip';
import { zipSync } from 'fflate';
import { compare, dist, fmtRatio, loadWasmBackend, MiB } from './lib.mjs';
import { mlp, tfjsSave, weightBytes } from './export.bench.mjs';

function seedWeights(model, seed) {
  let s = seed >>> 0 || 1;
  const rand = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  model.setWeights(model.weights.map((w) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const [lo, hi] = /variance/.test(w.originalName ?? w.name) ? [0.5, 1.5] : [-0.5, 0.5];
    return tf.tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * rand()), w.shape);
  }));
}

/** MobileNetV2-like (as the trace package's zoo): inverted residual blocks, ~`width`× channels. */
export function mobileNetV2Like(size, width = 1) {
  const input = tf.input({ shape: [size, size, 3] });
  const c = (n) => Math.max(8, Math.round(n * width));
  const convBnRelu6 = (x, filters, kernel, strides) => {
    let y = tf.layers.conv2d({ filters, kernelSize: kernel, strides, padding: 'same', useBias: false }).apply(x);
    y = tf.layers.batchNormalization().apply(y);
    return tf.layers.reLU({ maxValue: 6 }).apply(y);
  };
  const block = (x, expand, out, strides) => {
    const inC = x.shape[3];
    let y = convBnRelu6(x, inC * expand, 1, 1);
    y = tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false }).apply(y);
    y = tf.layers.batchNormalization().apply(y);
    y = tf.layers.activation({ activation: 'relu6' }).apply(y);
    y = tf.layers.conv2d({ filters: out, kernelSize: 1, useBias: false }).apply(y);
    y = tf.layers.batchNormalization().apply(y);
    return strides === 1 && inC === out ? tf.layers.add().apply([x, y]) : y;
  };
  // MobileNetV2's stages (t, c, n, s)
  let x = convBnRelu6(input, c(32), 3, 2);
  for (const [t, ch, n, s] of [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]) {
    for (let i = 0; i < n; i++) x = block(x, t, c(ch), i === 0 ? s : 1);
  }
  x = convBnRelu6(x, c(1280), 1, 1);
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1000, activation: 'softmax' }).apply(x) });
}

const predictOnce = (model, x) => async () => { const y = model.predict(x); await y.data(); y.dispose(); };

export async function traceRows({ backends, quick }) {
  const { traceModel } = await dist('trace');
  const { exportModel } = await dist('export');
  const { saveKerasModel } = await dist('keras');
  const { fileMapSink } = await dist('core');
  if (backends.includes('wasm')) await loadWasmBackend();
  const rows = [];
  const size = quick ? 96 : 224;
  for (const backend of backends) {
    await tf.setBackend(backend);
    const model = mobileNetV2Like(size);
    seedWeights(model, 1);
    const params = model.countParams();
    const x = tf.randomNormal([1, size, size, 3]);
    const p = predictOnce(model, x);
    const t = await compare({ baseline: p, contender: () => traceModel(model) });
    rows.push({ row: `trace MobileNetV2-like ${size}² (${backend})`, baseline: 'predict batch 1', ratio: fmtRatio(t.time), note: `${(params / 1e6).toFixed(1)} M params; trace ${t.ms.median.toFixed(0)} ms, predict ${t.baseMs.median.toFixed(0)} ms` });
    const e = await compare({ baseline: p, contender: () => exportModel(model, fileMapSink()) });
    rows.push({ row: `trace+export MobileNetV2-like ${size}² (${backend})`, baseline: 'predict batch 1', ratio: fmtRatio(e.time), note: `export ${e.ms.median.toFixed(0)} ms (into memory), predict ${e.baseMs.median.toFixed(0)} ms` });
    // Keras' format: every layer's call functions traced on its own input, and the model's
    const k = await compare({ baseline: p, contender: () => saveKerasModel(model, fileMapSink()) });
    rows.push({ row: `saveKerasModel MobileNetV2-like ${size}² (${backend})`, baseline: 'predict batch 1', ratio: fmtRatio(k.time), note: `save ${k.ms.median.toFixed(0)} ms (into memory), predict ${k.baseMs.median.toFixed(0)} ms` });
    x.dispose();
    model.dispose();
  }
  return rows;
}

/** tf.loadLayersModel over model.json + weights.bin files (tfjs in Node has no file:// handler without tfjs-node). */
function fileHandler(dir) {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      const bin = await readFile(join(dir, 'weights.bin'));
      return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) };
    },
  };
}

export async function loadRows({ mb, layers }) {
  const { exportModel } = await dist('export');
  const { loadSavedModel } = await dist('runtime');
  await tf.setBackend('cpu');
  const tmp = await mkdtemp(join(tmpdir(), 'sm-bench-load-'));
  /** `model` saved both ways under `name`, then the two load + first predict contenders on `x`. */
  const contenders = async (model, name, x) => {
    const ours = join(tmp, `${name}-sm`), theirs = join(tmp, `${name}-tfjs`);
    await exportModel(model, ours);
    await tfjsSave(model, theirs);
    return {
      baseline: async () => { const m = await tf.loadLayersModel(fileHandler(theirs)); const y = m.predict(x); await y.data(); y.dispose(); m.dispose(); },
      contender: async () => { const m = await loadSavedModel(ours); const y = m.predict(x); await y.data(); tf.dispose(y); m.dispose(); },
    };
  };
  try {
    const model = mlp(mb);
    const bytes = weightBytes(model);
    const x = tf.ones([1, 2048]);
    const pair = await contenders(model, 'mlp', x);
    model.dispose();
    const r = await compare({ memory: true, ...pair });
    x.dispose();
    const rows = [{
      row: `load + first predict, ${MiB(bytes)} MiB MLP (cpu)`, baseline: 'tfjs loadLayersModel + predict', ratio: fmtRatio(r.time),
      note: `ours ${r.ms.median.toFixed(0)} ms, tfjs ${r.baseMs.median.toFixed(0)} ms; peak mem ours/tfjs ${(r.extra.median / r.baseExtra.median).toFixed(2)} (${MiB(r.extra.median)} vs ${MiB(r.baseExtra.median)} MiB)`,
    }];
    // a big graph: thousands of variables restored, a long function frozen into one graph
    const big = denseStack(layers);
    const x8 = tf.ones([1, 8]);
    const bigPair = await contenders(big, 'big', x8);
    big.dispose();
    const b = await compare(bigPair);
    x8.dispose();
    rows.push({
      row: `load + first predict, ${layers}-layer Dense model (cpu)`, baseline: 'tfjs loadLayersModel + predict', ratio: fmtRatio(b.time),
      note: `ours ${b.ms.median.toFixed(0)} ms, tfjs ${b.baseMs.median.toFixed(0)} ms`,
    });
    return rows;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function zipRows({ mb }) {
  const zip = await dist('zip');
  // a SavedModel-like file set: small protos and one large data file of random bytes
  const data = new Uint8Array(mb * 1e6);
  for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(i + 65536, data.length)));
  const files = [['saved_model.pb', new Uint8Array(200_000).fill(7)], ['fingerprint.pb', new Uint8Array(60)], ['variables/variables.index', new Uint8Array(4000).fill(1)], ['variables/variables.data-00000-of-00001', data]];
  const ours = async () => {
    const parts = [];
    const w = new zip.ZipWriter((c) => { parts.push(c); });
    for (const [name, b] of files) await w.add(name, b);
    await w.finish();
    // into one buffer, as jszip and fflate return theirs
    let n = 0; for (const p of parts) n += p.length;
    const out = new Uint8Array(n); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  };
  // the archive as the writer hands it out (a Blob, a stream or a file takes these parts): no concatenation
  const oursParts = async () => {
    const parts = [];
    const w = new zip.ZipWriter((c) => { parts.push(c); });
    for (const [name, b] of files) await w.add(name, b);
    await w.finish();
    return parts;
  };
  const jszip = async () => { const z = new JSZip(); for (const [n, b] of files) z.file(n, b, { binary: true }); return z.generateAsync({ type: 'uint8array', compression: 'STORE' }); };
  const fflate = async () => zipSync(Object.fromEntries(files.map(([n, b]) => [n, [b, { level: 0 }]])));
  // the floor of any writer into one buffer: a fresh buffer of the files' size, each file copied
  // in once (no headers, no CRC-32); where fresh memory is slow this alone is most of the time
  const floor = async () => {
    let n = 0; for (const [, b] of files) n += b.length;
    const out = new Uint8Array(n); let o = 0; for (const [, b] of files) { out.set(b, o); o += b.length; }
    return out;
  };
  const rows = [];
  for (const [name, base] of [['jszip STORE', jszip], ['fflate zipSync level 0', fflate]]) {
    const r = await compare({ baseline: base, contender: ours, memory: true });
    rows.push({ row: `zip writer into memory, ${mb} MB`, baseline: name, ratio: fmtRatio(r.time), note: `ours ${r.ms.median.toFixed(0)} ms (${(r.baseMs.median / r.ms.median).toFixed(2)}× faster), ${name.split(' ')[0]} ${r.baseMs.median.toFixed(0)} ms; peak mem ours ${MiB(r.extra.median)}, theirs ${MiB(r.baseExtra.median)} MiB` });
  }
  const p = await compare({ baseline: jszip, contender: oursParts, memory: true });
  rows.push({ row: `zip writer into memory as parts (no concatenation), ${mb} MB`, baseline: 'jszip STORE', ratio: fmtRatio(p.time), note: `ours ${p.ms.median.toFixed(0)} ms (${(p.baseMs.median / p.ms.median).toFixed(2)}× faster), jszip ${p.baseMs.median.toFixed(0)} ms; peak mem ours ${MiB(p.extra.median)}, theirs ${MiB(p.baseExtra.median)} MiB` });
  const f = await compare({ baseline: jszip, contender: floor });
  rows.push({ row: `floor: the ${mb} MB copied once into a fresh buffer`, baseline: 'jszip STORE', ratio: fmtRatio(f.time), note: `floor ${f.ms.median.toFixed(0)} ms (${(f.baseMs.median / f.ms.median).toFixed(2)}× faster than jszip ${f.baseMs.median.toFixed(0)} ms): no writer into memory can beat it` });
  return rows;
}

/** A stack of `layers` Dense(8, relu) layers on an [8] input. */
function denseStack(layers) {
  const x = tf.input({ shape: [8], name: 'x' });
  let h = x;
  for (let i = 0; i < layers; i++) h = tf.layers.dense({ units: 8, activation: 'relu' }).apply(h);
  return tf.model({ inputs: x, outputs: h });
}

export async function bigGraphRows({ layers, kerasLayers }) {
  const { exportModel } = await dist('export');
  const { saveKerasModel } = await dist('keras');
  const { fileMapSink } = await dist('core');
  await tf.setBackend('cpu');
  const rows = [];
  const input = tf.ones([1, 8]);
  {
    const model = denseStack(layers);
    let pbBytes = 0;
    const r = await compare({
      baseline: predictOnce(model, input),
      contender: async () => { const files = new Map(); await exportModel(model, fileMapSink(files)); pbBytes = files.get('saved_model.pb').length; },
    });
    model.dispose();
    rows.push({ row: `export ${layers}-layer Dense model (cpu)`, baseline: 'predict batch 1', ratio: fmtRatio(r.time), note: `export ${r.ms.median.toFixed(0)} ms, predict ${r.baseMs.median.toFixed(1)} ms; saved_model.pb ${(pbBytes / 1e6).toFixed(1)} MB (${(pbBytes / (2 * layers) / 1e3).toFixed(2)} KB per variable)` });
  }
  {
    // a Keras SavedModel traces every layer's call functions too: thousands of traces
    const model = denseStack(kerasLayers);
    const r = await compare({
      baseline: predictOnce(model, input),
      contender: async () => { await saveKerasModel(model, fileMapSink(new Map())); },
    });
    model.dispose();
    rows.push({ row: `saveKerasModel ${kerasLayers}-layer Dense model (cpu)`, baseline: 'predict batch 1', ratio: fmtRatio(r.time), note: `save ${r.ms.median.toFixed(0)} ms, predict ${r.baseMs.median.toFixed(1)} ms` });
  }
  input.dispose();
  return rows;
}
