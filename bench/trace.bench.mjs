#!/usr/bin/env node
// Trace time vs predict time, same run: how long traceModel takes for a model compared with
// one predict of it.
//
//   pnpm build && node bench/trace.bench.mjs [--reps 5] [--backend cpu|wasm] [--sizes 32,96,224]
//
// Uses the built package (packages/trace/dist). Models: the MobileNetV2-like and the CNN of
// the trace package's model zoo, seeded weights. traceModel traces twice (batch sizes 2 and 3)
// because the batch dimension is unknown; predict runs on a batch of 1 and, for reference, 3.
// Each figure is the median of `reps` runs after one warm-up.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { traceModel } = await import(pathToFileURL(join(ROOT, 'packages/trace/dist/index.js')).href);

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const reps = Number(opt('reps', '5'));
const backend = opt('backend', 'cpu');
const sizes = opt('sizes', '32,96,224').split(',').map(Number);
// the wasm backend is a devDependency of the trace package, not of bench/
if (backend === 'wasm') await import(pathToFileURL(createRequire(join(ROOT, 'packages/trace/package.json')).resolve('@tensorflow/tfjs-backend-wasm')).href);
await tf.setBackend(backend);

function seedWeights(model, seed) {
  let s = seed >>> 0 || 1;
  const rand = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const ws = model.weights.map((w) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const [lo, hi] = /variance/.test(w.originalName ?? w.name) ? [0.5, 1.5] : [-0.5, 0.5];
    return tf.tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * rand()), w.shape);
  });
  model.setWeights(ws);
  ws.forEach((t) => t.dispose());
}

function mobileNetV2Like(size) {
  const input = tf.input({ shape: [size, size, 3] });
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
  let x = convBnRelu6(input, 8, 3, 2);
  x = block(x, 1, 8, 1);
  x = block(x, 4, 12, 2);
  x = block(x, 4, 12, 1);
  x = block(x, 4, 16, 2);
  x = block(x, 4, 16, 1);
  x = convBnRelu6(x, 32, 1, 1);
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  const out = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x);
  return tf.model({ inputs: input, outputs: out });
}

function cnn(size) {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [size, size, 3], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeAsync(f) {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

function predictMs(model, batch) {
  const x = tf.randomNormal([batch, ...model.inputs[0].shape.slice(1)]);
  const run = () => tf.tidy(() => model.predict(x).dataSync());
  run();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  x.dispose();
  return median(times);
}

console.log(`backend ${backend}, median of ${reps}`);
console.log('model              size  nodes  trace ms  predict(1) ms  ratio  predict(3) ms  ratio');
for (const [name, build] of [['MobileNetV2-like', mobileNetV2Like], ['CNN', cnn]]) {
  for (const size of sizes) {
    const model = build(size);
    seedWeights(model, 1);
    let cf = await traceModel(model);
    const traces = [];
    for (let i = 0; i < reps; i++) traces.push(await timeAsync(async () => { cf = await traceModel(model); }));
    const trace = median(traces);
    const p1 = predictMs(model, 1), p3 = predictMs(model, 3);
    console.log(`${name.padEnd(18)} ${String(size).padStart(4)}  ${String(cf.functionDef.node_def.length).padStart(5)}  ${trace.toFixed(1).padStart(8)}  ${p1.toFixed(1).padStart(13)}  ${(trace / p1).toFixed(2).padStart(5)}  ${p3.toFixed(1).padStart(13)}  ${(trace / p3).toFixed(2).padStart(5)}`);
    model.dispose();
  }
}
