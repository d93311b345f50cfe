// SpaceToDepth, which tfjs-converter has no mapping for, frozen as Reshape / Transpose / Reshape
// (freeze/space-to-depth.ts). Expected values: the three examples of TensorFlow's
// tf.nn.space_to_depth documentation (block_size 2); NCHW is the same op on the channels-first
// layout (its input and output those examples transposed).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, isSavedModelError, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const F = tensorflow.DataType.DT_FLOAT;
beforeAll(async () => { await tf.setBackend('cpu'); });

async function spaceToDepth(x: tf.Tensor, format?: string, block = 2): Promise<tf.Tensor> {
  const m = await loadSavedModel(await savedModelFiles([
    node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1, -1, -1, -1]) }),
    node('y', 'SpaceToDepth', ['x'], { T: attr.type(F), block_size: attr.int(block), ...(format ? { data_format: attr.str(format) } : {}) }),
  ], [], { x: ['x:0', F] }, { y: ['y:0', F] }));
  expect(frozenGraphErrors(m.graph)).toEqual([]);
  try {
    return m.predict(x) as tf.Tensor;
  } finally {
    m.dispose();
  }
}

const EXAMPLES: [number[][][][], number[][][][]][] = [
  [[[[[1], [2]], [[3], [4]]]], [[[[1, 2, 3, 4]]]]],
  [[[[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]], [[[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]]]]],
  [[[[[1], [2], [5], [6]], [[3], [4], [7], [8]], [[9], [10], [13], [14]], [[11], [12], [15], [16]]]],
    [[[[1, 2, 3, 4], [5, 6, 7, 8]], [[9, 10, 11, 12], [13, 14, 15, 16]]]]],
];

describe('SpaceToDepth', () => {
  it("gives TensorFlow's documented examples (NHWC)", async () => {
    for (const [x, want] of EXAMPLES) {
      const y = await spaceToDepth(tf.tensor4d(x));
      expect(await y.array()).toEqual(want);
      y.dispose();
    }
  });
  it('NCHW: the same on the channels-first layout', async () => {
    for (const [x, want] of EXAMPLES) {
      const y = await spaceToDepth(tf.transpose(tf.tensor4d(x), [0, 3, 1, 2]), 'NCHW');
      expect(await y.array()).toEqual(await tf.transpose(tf.tensor4d(want), [0, 3, 1, 2]).array());
      y.dispose();
    }
  });
  it('a height not divisible by the block fails to run; block_size 1 is INVALID_GRAPH', async () => {
    await expect(spaceToDepth(tf.zeros([1, 3, 2, 1]))).rejects.toThrow();
    const err = await spaceToDepth(tf.zeros([1, 2, 2, 1]), undefined, 1).then(() => undefined, (e: unknown) => e);
    expect(isSavedModelError(err, 'INVALID_GRAPH'), String(err)).toBe(true);
  });
});
