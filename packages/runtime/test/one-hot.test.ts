// OneHot as TensorFlow defines it, on cpu and wasm. tfjs-converter's own OneHot drops the axis attr,
// and tfjs-backend-wasm 4.x writes integer bits into a float one-hot (1.0 reads as 1.4e-45): the
// runtime runs OneHot through its own op. Expected values: the examples in TensorFlow's tf.one_hot
// documentation (indices [0, 2, -1, 1], depth 3, on 5, off 0: a negative index gives an off row).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, floatTensor, int32Tensor, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32;

beforeAll(async () => { await tf.ready(); });
afterAll(async () => { await tf.setBackend('cpu'); });

async function oneHotModel(axis: number, depth = 3): Promise<Map<string, Uint8Array>> {
  return savedModelFiles(
    [
      node('indices', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape([-1]) }),
      node('depth', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([depth], [])) }),
      node('on', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([5], [])) }),
      node('off', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([0], [])) }),
      node('hot', 'OneHot', ['indices', 'depth', 'on', 'off'], { T: attr.type(F), TI: attr.type(I), axis: attr.int(axis) }),
    ],
    [],
    { indices: ['indices:0', I] },
    { hot: ['hot:0', F] },
  );
}

describe('OneHot, float values, as TensorFlow computes it', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`${backend}: axis -1 and axis 0 (TensorFlow's documented examples)`, async () => {
      await tf.setBackend(backend);
      const cases: [number, number[][]][] = [
        [-1, [[5, 0, 0], [0, 0, 5], [0, 0, 0], [0, 5, 0]]],
        [0, [[5, 0, 0, 0], [0, 0, 0, 5], [0, 5, 0, 0]]],
      ];
      for (const [axis, want] of cases) {
        const m = await loadSavedModel(await oneHotModel(axis));
        const y = m.predict(tf.tensor1d([0, 2, -1, 1], 'int32')) as tf.Tensor;
        expect(y.dtype).toBe('float32');
        expect(await y.array(), `axis ${axis}`).toEqual(want);
        m.dispose();
      }
    });
  }
});

describe('OneHot of a hostile depth', () => {
  it('a depth of 2^31 - 1: LIMIT_EXCEEDED naming the node, nothing allocated', async () => {
    await tf.setBackend('cpu');
    const m = await loadSavedModel(await oneHotModel(-1, 2 ** 31 - 1));
    const err = await m.run({ indices: [0, 1] }).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect((err as Error).message).toContain('OneHot hot');
    m.dispose();
  });
});
