// UnsortedSegmentSum and SegmentSum, which tfjs-converter maps neither of, run as the runtime's
// own op (ops/segment-sum.ts). Expected values: TensorFlow's documented examples
// (tf.math.unsorted_segment_sum: c = [[1,2,3,4],[5,6,7,8],[4,3,2,1]], ids [0, 1, 0], 2 segments;
// tf.math.segment_sum: c = [[1,2,3,4],[4,3,2,1],[5,6,7,8]], ids [0, 0, 1]); otherwise the op's
// definition (negative ids dropped, ids a prefix of data's shape).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, int32Tensor, isSavedModelError, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32;
// before the describes below build their tensors (the wasm import makes wasm the default backend)
await tf.setBackend('cpu');

/** out = [Unsorted]SegmentSum(data, ids[, num]) with data and ids fed, num a constant (unsorted only). */
async function segmentSum(data: tf.Tensor, ids: tf.Tensor, num?: number): Promise<unknown> {
  const nodes = [
    node('data', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(null) }),
    node('ids', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape(null) }),
  ];
  if (num === undefined) nodes.push(node('out', 'SegmentSum', ['data', 'ids'], { T: attr.type(F), Tindices: attr.type(I) }));
  else {
    nodes.push(node('num', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([num], [])) }));
    nodes.push(node('out', 'UnsortedSegmentSum', ['data', 'ids', 'num'], { T: attr.type(F), Tindices: attr.type(I), Tnumsegments: attr.type(I) }));
  }
  const m = await loadSavedModel(await savedModelFiles(nodes, [], { data: ['data:0', F], ids: ['ids:0', I] }, { out: ['out:0', F] }));
  expect(frozenGraphErrors(m.graph)).toEqual([]);
  try {
    const y = m.predict({ data, ids }) as tf.Tensor;
    const r = await y.array();
    y.dispose();
    return r;
  } finally {
    m.dispose();
  }
}

const ids = (v: number[] | number[][]) => tf.tensor(v as number[], undefined, 'int32');

describe('UnsortedSegmentSum', () => {
  const c = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8], [4, 3, 2, 1]]);
  it("gives TensorFlow's documented example", async () => {
    expect(await segmentSum(c, ids([0, 1, 0]), 2)).toEqual([[5, 5, 5, 5], [5, 6, 7, 8]]);
  });
  it('drops negative ids; leaves segments no id names at zero; takes ids of rank 2', async () => {
    expect(await segmentSum(c, ids([0, -1, 0]), 3)).toEqual([[5, 5, 5, 5], [0, 0, 0, 0], [0, 0, 0, 0]]);
    const data = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    // ids [[0, 1], [1, 0]]: segment 0 sums rows [1, 2] and [7, 8], segment 1 sums [3, 4] and [5, 6]
    expect(await segmentSum(data, ids([[0, 1], [1, 0]]), 2)).toEqual([[8, 10], [8, 10]]);
  });
  it('refuses ids past num_segments and ids that are no prefix of the data (INVALID_ARGUMENT)', async () => {
    for (const [d, i, why] of [[c, ids([0, 2, 0]), 'segment_ids[1] = 2 is out of range [0, 2)'], [c, ids([0, 1]), 'is not a prefix']] as const) {
      const err = await segmentSum(d, i, 2).then(() => undefined, (e: unknown) => e);
      expect(isSavedModelError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
      expect(String((err as Error).message)).toContain(why);
    }
  });
});

describe('SegmentSum', () => {
  it("gives TensorFlow's documented example; refuses ids out of order", async () => {
    const c = tf.tensor2d([[1, 2, 3, 4], [4, 3, 2, 1], [5, 6, 7, 8]]);
    expect(await segmentSum(c, ids([0, 0, 1]))).toEqual([[5, 5, 5, 5], [5, 6, 7, 8]]);
    const err = await segmentSum(c, ids([1, 0, 1])).then(() => undefined, (e: unknown) => e);
    expect(isSavedModelError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
    expect(String((err as Error).message)).toContain('not increasing');
  });
});

describe('on wasm, which has no UnsortedSegmentSum kernel (summed by scatterND)', () => {
  beforeAll(async () => { await tf.setBackend('wasm'); });
  afterAll(async () => { await tf.setBackend('cpu'); });
  it("gives TensorFlow's documented examples, drops negative ids, takes ids of rank 2", async () => {
    expect(tf.getBackend()).toBe('wasm');
    const c = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8], [4, 3, 2, 1]]);
    expect(await segmentSum(c, ids([0, 1, 0]), 2)).toEqual([[5, 5, 5, 5], [5, 6, 7, 8]]);
    expect(await segmentSum(c, ids([0, -1, 0]), 3)).toEqual([[5, 5, 5, 5], [0, 0, 0, 0], [0, 0, 0, 0]]);
    expect(await segmentSum(c, ids([-1, -1, -1]), 2)).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]);
    const data = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(await segmentSum(data, ids([[0, 1], [1, 0]]), 2)).toEqual([[8, 10], [8, 10]]);
    expect(await segmentSum(tf.tensor2d([[1, 2, 3, 4], [4, 3, 2, 1], [5, 6, 7, 8]]), ids([0, 0, 1]))).toEqual([[5, 5, 5, 5], [5, 6, 7, 8]]);
  });
});
