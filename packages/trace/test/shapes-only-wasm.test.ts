// Shapes-only tracing on wasm, as on cpu: while tracing, the convolutions, matmuls and the other
// heavy kernels never run on the wasm backend, and their placeholder outputs are made on the
// backend (its Fill) instead of zeros allocated in JavaScript and copied into the wasm heap.
// The traced graph must still compute what the model computes.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTracingBackend, traceFunction, traceModel } from '../src/index.js';
import { SHAPE_ONLY } from '../src/backend/shape-only.js';
import { isSizeIndependentModel } from '../src/size-independent-model.js';
import { ONE_TRACE_SIZES } from '../src/trace-core.js';
import { expectNumericMatch, expectValidGraph, prng, randomTensor, seedWeights, spyKernels } from './helpers/checks.js';
import { mobileNetV2Like } from './helpers/zoo.js';

const HEAVY = ['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D', 'BatchMatMul', '_FusedMatMul', 'MaxPool', 'AvgPool', 'FusedBatchNorm'];
let spies: ReturnType<typeof spyKernels>;
let calls: Map<string, number>;
let bytesWritten = 0;
let restoreWrite: (() => void) | undefined;

// Spies go in before the first trace: the tracing backend wraps the kernels registered for wasm
// when it is created, so it wraps these counting ones.
beforeAll(async () => {
  await tf.setBackend('wasm');
  spies = spyKernels(HEAVY, 'wasm');
  calls = spies.counts;
  // bytes copied from JavaScript into the wasm heap (tensors made from JS values)
  const backend = tf.findBackend('wasm')!;
  const write = backend.write.bind(backend);
  backend.write = (values, shape, dtype) => {
    if (values && ArrayBuffer.isView(values)) bytesWritten += values.byteLength;
    return write(values, shape, dtype);
  };
  restoreWrite = () => { delete (backend as { write?: unknown }).write; };
  await tf.setBackend('cpu');
});

afterAll(async () => {
  restoreWrite?.();
  spies?.restore();
  await tf.setBackend('cpu');
});

const heavyCalls = () => spies.total();

describe('shapes-only tracing on wasm', () => {
  it('lists every heavy kernel counted here', () => {
    for (const name of HEAVY) expect(SHAPE_ONLY[name], name).toBeDefined();
  });

  it('runs no heavy kernel on the wasm backend while tracing, and copies no placeholder into its heap', async () => {
    const size = 32;
    const model = mobileNetV2Like(size);
    seedWeights(model, 7);
    await tf.setBackend('wasm');
    try {
      // the spies see real runs: one predict runs every heavy kernel of the model
      calls.clear();
      tf.tidy(() => { (model.predict(tf.zeros([1, size, size, 3])) as tf.Tensor).dataSync(); });
      expect(calls.get('FusedConv2D') ?? calls.get('Conv2D')).toBeGreaterThan(0);
      expect((calls.get('FusedDepthwiseConv2D') ?? 0) + (calls.get('DepthwiseConv2dNative') ?? 0)).toBeGreaterThan(0);
      expect((calls.get('_FusedMatMul') ?? 0) + (calls.get('BatchMatMul') ?? 0)).toBeGreaterThan(0);

      calls.clear();
      bytesWritten = 0;
      const cf = await traceModel(model, { backend: 'wasm' });
      expect(Object.fromEntries(calls)).toEqual({});
      // what the trace copies into the heap: small constants only. Not the placeholders (a
      // zero-filled output per heavy kernel: one trace at batch 13, the model being made of plain
      // layers, so the first convolution alone is 13 × 16·16·8 floats), nor the sample input
      // (made on the heap as placeholders are: 13 × 32·32·3 floats)
      expect(isSizeIndependentModel(model)).toBe(true);
      expect(ONE_TRACE_SIZES[0] * size * size * 3 * 4).toBeGreaterThan(16 * 1024);
      expect(bytesWritten).toBeLessThan(16 * 1024);
      expectValidGraph(cf);

      // computing everything runs them (the counting is real)
      calls.clear();
      await traceModel(model, { backend: 'wasm', shapesOnly: false });
      expect(heavyCalls()).toBeGreaterThan(0);

      // the graph traced without arithmetic computes what the model computes
      await tf.setBackend('cpu');
      const rand = prng(11);
      expectNumericMatch(cf, {
        inputs: (n) => [randomTensor([n, size, size, 3], 'float32', rand)],
        reference: (xs) => [model.predict(xs[0]!) as tf.Tensor],
        tolerance: 1e-4,
        batches: [1, 3],
      });
    } finally {
      await tf.setBackend('cpu');
      model.dispose();
    }
  });

  it('placeholders are zeroed only when a kernel that really runs reads them', async () => {
    await tf.setBackend('wasm');
    const tracer = await getTracingBackend('wasm');
    const heap = tracer.inner as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array };
    const w = tf.ones([3, 3, 2, 4]);
    try {
      const seen: { padded?: Float32Array; skippedOnly?: Float32Array } = {};
      const fn = (x: tf.Tensor) => {
        // dirty the heap where the next outputs of this size will be allocated
        tf.dispose([tf.fill([2, 6, 6, 4], 7), tf.fill([3, 6, 6, 4], 7), tf.fill([2, 6, 6, 4], 7), tf.fill([3, 6, 6, 4], 7)]);
        const a = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'); // skipped: a placeholder
        const b = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'); // skipped, read by skipped kernels only
        const padded = tf.cumsum(a, 1); // really runs on the placeholder
        const c = tf.relu(b);
        seen.padded = heap.typedArrayFromHeap(padded).slice();
        seen.skippedOnly = heap.typedArrayFromHeap(b).slice();
        return tf.add(tf.sum(padded), tf.sum(c));
      };
      await traceFunction(fn, [{ shape: [null, 6, 6, 2] }], { backend: 'wasm' });
      // the real kernel read zeros: deterministic whatever the heap held
      expect(seen.padded!.length).toBeGreaterThan(0);
      expect(seen.padded!.every((v) => v === 0)).toBe(true);
      // the other one was never written (it still holds what was freed there)
      expect(seen.skippedOnly!.some((v) => v !== 0)).toBe(true);
    } finally {
      w.dispose();
      await tf.setBackend('cpu');
    }
  });

  it('a Reshape or Identity of a placeholder reads nothing: the copy is zeroed when a kernel that computes reads it', async () => {
    await tf.setBackend('wasm');
    const tracer = await getTracingBackend('wasm');
    const heap = tracer.inner as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array };
    const w = tf.ones([3, 3, 2, 4]);
    try {
      const seen: { source?: Float32Array; copy?: Float32Array; computed?: Float32Array } = {};
      const fn = (x: tf.Tensor) => {
        tf.dispose([tf.fill([2, 6, 6, 4], 7), tf.fill([3, 6, 6, 4], 7), tf.fill([2, 6, 6, 4], 7), tf.fill([3, 6, 6, 4], 7)]);
        const a = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'); // skipped: a placeholder
        const reshaped = tf.reshape(a, [-1, 36, 4]); // Reshape runs (shares a's bytes)
        const copy = tf.clone(a); // Identity runs (copies a's bytes)
        seen.source = heap.typedArrayFromHeap(a).slice();
        seen.copy = heap.typedArrayFromHeap(copy).slice();
        const computed = tf.cumsum(copy, 1); // really computes: its input is zeroed first
        seen.computed = heap.typedArrayFromHeap(computed).slice();
        return tf.add(tf.sum(computed), tf.sum(reshaped));
      };
      await traceFunction(fn, [{ shape: [null, 6, 6, 2] }], { backend: 'wasm' });
      expect(seen.source!.some((v) => v !== 0)).toBe(true);
      expect(seen.copy!.some((v) => v !== 0)).toBe(true);
      expect(seen.computed!.length).toBeGreaterThan(0);
      expect(seen.computed!.every((v) => v === 0)).toBe(true);
    } finally {
      w.dispose();
      await tf.setBackend('cpu');
    }
  });
});
