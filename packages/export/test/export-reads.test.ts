// Each weight is read from its backend once per export (not timed): the tracer captures variables
// without reading them and the writer streams one asynchronous read per weight into the data file.
// Counted by wrapping the backend instance's read/readSync (and, on wasm, the heap views the heap
// reader takes instead), per dataId of the model's weights.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fileMapSink, readSavedModel, fileMapSource } from '@savedmodel-js/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel, Module, saveModel, tfFunction, TensorSpec } from '../src/index.js';
import { registerCpuVariant } from '../../trace/test/helpers/zero-readsync-backend.js';

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

/**
 * A backend whose reads are asynchronous as webgpu's and webgl's are: the cpu backend under
 * another name (so the export neither reads it synchronously nor through a heap reader), with
 * cpu's kernels registered for it.
 */
const ASYNC = 'cpu-async-reads-test';
const registerAsyncBackend = (): void => registerCpuVariant(ASYNC);

describe('backend reads on a backend that reads asynchronously (as webgpu)', () => {
  beforeAll(async () => {
    registerAsyncBackend();
    await tf.setBackend(ASYNC);
  });
  afterAll(async () => { await tf.setBackend('cpu'); });

  /** The sink's allocate (after tracing, building and encoding) logged into `log`. */
  function loggingSink(files: Map<string, Uint8Array>, log: string[]) {
    const sink = fileMapSink(files);
    const allocate = sink.allocate!.bind(sink);
    sink.allocate = (path, n) => { log.push(`allocate ${path}`); return allocate(path, n); };
    return sink;
  }

  it('exportModel starts every weight\'s one read before it traces and builds; the checkpoint holds the values', async () => {
    const model = mlp();
    const ids = weightIds(model);
    const files = new Map<string, Uint8Array>();
    const log: string[] = [];
    const backend = tf.findBackend(ASYNC) as unknown as { read(id: object): Promise<unknown> };
    const read = backend.read;
    backend.read = function (this: unknown, id: object) { log.push(`read ${ids.get(id) ?? '?'}`); return read.call(this, id); };
    let counts;
    try {
      counts = await countReads(ASYNC, () => exportModel(model, loggingSink(files, log)));
    } finally {
      delete (backend as Partial<typeof backend>).read;
    }
    expectOnce(ids, counts, ASYNC);
    // every weight's read was asked for before the data file was allocated (the old order: after)
    const at = log.indexOf('allocate variables/variables.data-00000-of-00001');
    expect(at).toBeGreaterThan(0);
    expect(log.slice(0, at).filter((e) => e.startsWith('read ')).sort()).toEqual([...ids.values()].map((n) => `read ${n}`).sort());
    // the values read early are the weights' (the cpu backend's arrays, read back from the files)
    const m = await readSavedModel(fileMapSource(files));
    const saved = m.checkpoint!.keys().filter((k) => k.endsWith('VARIABLE_VALUE')).map((k) => Array.from(m.checkpoint!.value(k) as Float32Array).join());
    expect(saved.sort()).toEqual(model.weights.map((w) => Array.from(w.read().dataSync()).join()).sort());
  });

  it('an export that fails while building forgets its early reads: the next export reads each weight once itself', async () => {
    const model = mlp();
    await expect(saveModel(model, fileMapSink(), { signatures: 42 as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const counts = await countReads(ASYNC, () => saveModel(model, fileMapSink()));
    expectOnce(weightIds(model), counts, ASYNC);
  });
});

describe('reads from a device start ahead of their turn', () => {
  beforeAll(async () => {
    registerAsyncBackend();
    await tf.setBackend(ASYNC);
  });
  afterAll(async () => { await tf.setBackend('cpu'); });

  it('saveModel(Module): its variables (no model to read early) are read back all at once, each once', async () => {
    const m = new Module();
    const vars = [0, 1, 2, 3].map((i) => tf.variable(tf.fill([64, 8], i + 1), true, `dev_${i}`));
    vars.forEach((v, i) => m.track(`v${i}`, v));
    Object.assign(m, { f: tfFunction((x: tf.Tensor) => vars.reduce((a, v) => tf.add(a, tf.sum(tf.matMul(x, v))), tf.scalar(0)), { inputSignature: [new TensorSpec([null, 64], 'float32', 'x')] }) });
    // each read back waits 5 ms, as a GPU readback does: how many wait at once
    const backend = tf.findBackend(ASYNC) as unknown as { read(id: object): Promise<unknown> };
    const read = backend.read;
    const ids = new Set(vars.map((v) => v.dataId));
    let inFlight = 0, most = 0;
    backend.read = async function (this: unknown, id: object) {
      // the read itself now (inside countReads' count of this call), its answer 5 ms later
      const value = read.call(this, id);
      if (!ids.has(id)) return value;
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return value;
    };
    const files = new Map<string, Uint8Array>();
    let counts;
    try {
      counts = await countReads(ASYNC, () => saveModel(m, fileMapSink(files), { signatures: (m as unknown as { f: never }).f }));
    } finally {
      delete (backend as Partial<typeof backend>).read;
    }
    expectOnce(new Map(vars.map((v, i) => [v.dataId, `dev_${i}`] as const)), counts, ASYNC);
    expect(most).toBe(4);
    const saved = await readSavedModel(fileMapSource(files));
    const values = saved.checkpoint!.keys().filter((k) => k.endsWith('VARIABLE_VALUE')).map((k) => (saved.checkpoint!.value(k) as Float32Array)[0]);
    expect(values.sort()).toEqual([1, 2, 3, 4]);
  });
});
