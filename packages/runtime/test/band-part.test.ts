// MatrixBandPart as TensorFlow documents tf.linalg.band_part: keep x[..., i, j] where
// (num_lower < 0 or i - j <= num_lower) and (num_upper < 0 or j - i <= num_upper). Expected values:
// that rule applied here in plain JavaScript (band_part(ones, -1, 0) is a causal attention mask).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, int32Tensor, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32, L = DT.DT_INT64;
beforeAll(async () => { await tf.setBackend('cpu'); });

function band(x: number[], shape: number[], lower: number, upper: number): number[] {
  const [m, n] = shape.slice(-2) as [number, number];
  return x.map((v, k) => {
    const i = Math.floor(k / n) % m, j = k % n;
    return (lower < 0 || i - j <= lower) && (upper < 0 || j - i <= upper) ? v : 0;
  });
}

describe('MatrixBandPart', () => {
  for (const [lower, upper] of [[-1, 0], [0, -1], [1, 0], [0, 2], [-1, -1], [0, 0]] as const) {
    it(`band_part(x, ${lower}, ${upper}) on [2, 3, 4], int64 and int32 bounds`, async () => {
      for (const index of [L, I]) {
        const bound = (n: string, v: number) => node(n, 'Const', [], { dtype: attr.type(index), value: attr.tensor(index === I ? int32Tensor([v], []) : { dtype: L, tensor_shape: {}, int64_val: [v] }) });
        const files = await savedModelFiles(
          [node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([2, 3, 4]) }), bound('lo', lower), bound('up', upper), node('y', 'MatrixBandPart', ['x', 'lo', 'up'], { T: attr.type(F), Tindex: attr.type(index) })],
          [], { x: ['x:0', F] }, { y: ['y:0', F] },
        );
        const x = Array.from({ length: 24 }, (_, k) => k + 1);
        const m = await loadSavedModel(files);
        const y = m.predict(tf.tensor(x, [2, 3, 4])) as tf.Tensor;
        expect(y.shape).toEqual([2, 3, 4]);
        expect(Array.from(y.dataSync())).toEqual(band(x, [2, 3, 4], lower, upper));
        expect(frozenGraphErrors(m.graph)).toEqual([]);
        m.dispose();
      }
    });
  }
});
