// Each weight is read from its backend once per export (not timed): the tracer captures variables
// without reading them and the writer streams one asynchronous read per weight into the data file.
// Counted by wrapping the backend instance's read/readSync (and, on wasm, the heap views the heap
// reader takes instead), per dataId of the model's weights.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fileMapSink, readSavedModel, fileMapSource } from '@savedmodel-js/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel, Module, saveModel, tfFunction, TensorSpec } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Counts read()/readSync() of each dataId on `backendName` while `body` runs; on wasm also the
 * views of each dataId's heap bytes (typedArrayFromHeap), which the heap reader takes instead.
 */
async function countReads(backendName: string, body: () => Promise<unknown>): Promise<{ reads: Map<object, number>; heapViews: Map<object, number> }> {
  type Method = 'read' | 'readSync' | 'typedArrayFromHeap';
  const backend = tf.findBackend(backendName) as unknown as Partial<Record<Method, (x: unknown) => unknown>>;
  const reads = new Map<object, number>();
  const heapViews = new Map<object, number>();
  let depth = 0;
  const methods = (['read', 'readSync', 'typedArrayFromHeap'] as const).filter((m) => typeof backend[m] === 'function');
  const own = new Map(methods.map((m) => [m, Object.getOwnPropertyDescriptor(backend, m)]));
  for (const m of methods) {
    const original = backend[m]!;
    backend[m] = function (this: unknown, x: unknown) {
      const id = m === 'typedArrayFromHeap' ? (x as { dataId: object }).dataId : (x as object);
      const counts = m === 'typedArrayFromHeap' ? heapViews : reads;
      // cpu's and wasm's read() call readSync() inside: one read, counted once
      if (depth === 0) counts.set(id, (counts.get(id) ?? 0) + 1);
      depth++;
      try {
        return original.call(this, x);
      } finally {
        depth--;
      }
    };
  }
  try {
    await body();
  } finally {
    for (const m of methods) {
      const d = own.get(m);
      if (d) Object.defineProperty(backend, m, d);
      else delete backend[m];
    }
  }
  return { reads, heapViews };
}

function mlp(): tf.LayersModel {
  const x = tf.input({ shape: [8], name: 'x' });
  let h = tf.layers.dense({ units: 16, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

function weightIds(model: tf.LayersModel): Map<object, string> {
  return new Map(model.weights.map((w) => [(w.read() as tf.Tensor).dataId, w.name] as const));
}

/**
 * Every weight reaches the checkpoint, so each is read exactly once: one read() on cpu; on wasm
 * into fileMapSink (which allocates the data file) no read() but one heap reader, which views
 * the heap twice for a weight under 1 MiB (once when it opens, once for its one piece).
 */
function expectOnce(ids: Map<object, string>, counts: { reads: Map<object, number>; heapViews: Map<object, number> }, backendName: string): void {
  const fromHeap = backendName === 'wasm';
  const perWeight = [...ids].map(([id, name]) => [name, counts.reads.get(id) ?? 0, counts.heapViews.get(id) ?? 0] as const);
  expect(perWeight.length).toBeGreaterThan(0);
  expect(perWeight.filter(([, n, h]) => (fromHeap ? n !== 0 || h !== 2 : n !== 1 || h !== 0))).toEqual([]);
}

async function checkpointKeys(files: Map<string, Uint8Array>): Promise<number> {
  const m = await readSavedModel(fileMapSource(files));
  return m.checkpoint!.keys().length;
}

describe.each(['cpu', 'wasm'])('backend reads per weight on %s', (backendName) => {
  beforeAll(async () => { await tf.setBackend(backendName); });
  afterAll(async () => { await tf.setBackend('cpu'); });

  it('exportModel(layers model) reads each weight once', async () => {
    const model = mlp();
    const files = new Map<string, Uint8Array>();
    const counts = await countReads(backendName, () => exportModel(model, fileMapSink(files)));
    expectOnce(weightIds(model), counts, backendName);
    expect(await checkpointKeys(files)).toBe(model.weights.length + 1);
  });

  it('saveModel(layers model) reads each weight once', async () => {
    const model = mlp();
    const files = new Map<string, Uint8Array>();
    const counts = await countReads(backendName, () => saveModel(model, fileMapSink(files)));
    expectOnce(weightIds(model), counts, backendName);
  });

  it('saveModel(Module with a tf.function) reads each variable once', async () => {
    const m = new Module();
    const w = tf.variable(tf.randomNormal([4, 3]), true, `w_${backendName}`);
    const b = tf.variable(tf.zeros([3]), true, `b_${backendName}`);
    m.track('w', w);
    m.track('b', b);
    Object.assign(m, { f: tfFunction((x: tf.Tensor) => tf.add(tf.matMul(x, w), b), { inputSignature: [new TensorSpec([null, 4], 'float32', 'x')] }) });
    const counts = await countReads(backendName, () => saveModel(m, fileMapSink(), { signatures: (m as unknown as { f: never }).f }));
    expectOnce(new Map([[w.dataId, 'w'], [b.dataId, 'b']]), counts, backendName);
  });
});
