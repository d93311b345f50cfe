// Kernels tfjs-backend-wasm lacks run through tfjs-backend-cpu's inside loadSavedModel
// (ops/cpu-fallback.ts): an Einsum graph (Keras EinsumDense / MultiHeadAttention lower to Einsum)
// failed on wasm with "Kernel 'Einsum' not registered". Expected values: the batched products by
// hand (matMulReference), and the same graph on the cpu backend.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { attr, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { matMulReference, savedModelFiles } from './graph-kit.js';

const F = tensorflow.DataType.DT_FLOAT;
await tf.setBackend('cpu');
afterAll(async () => { await tf.setBackend('cpu'); });

const einsumFiles = () => savedModelFiles([
  node('a', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(null) }),
  node('b', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(null) }),
  node('y', 'Einsum', ['a', 'b'], { equation: attr.str('bij,bjk->bik'), N: attr.int(2), T: attr.type(F) }),
], [], { a: ['a:0', F], b: ['b:0', F] }, { y: ['y:0', F] });

describe('kernels wasm lacks, run by the cpu backend', () => {
  it('Einsum on wasm gives the batched products, as on cpu', async () => {
    const sa = [2, 2, 3], sb = [2, 3, 2];
    const a = Array.from({ length: 12 }, (_, i) => (i % 5) - 2), b = Array.from({ length: 12 }, (_, i) => (i % 3) * 0.5);
    const want = matMulReference(a, sa, b, sb, false, false);
    const results: number[][] = [];
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const m = await loadSavedModel(await einsumFiles());
      const x = tf.tensor(a, sa), w = tf.tensor(b, sb);
      const y = m.predict({ a: x, b: w }) as tf.Tensor;
      expect(tf.getBackend()).toBe(backend);
      expect(y.shape).toEqual(want.shape);
      results.push(Array.from(await y.data()));
      tf.dispose([x, w, y]);
      m.dispose();
      // the cpu copies are released: nothing is left behind on either backend
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(tf.getKernel('Einsum', 'wasm')).toBeDefined();
    for (const got of results) got.forEach((v, i) => expect(Math.abs(v - want.values[i]!)).toBeLessThan(1e-5));
  });
});
