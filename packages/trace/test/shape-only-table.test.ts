// Every kernel shapes-only tracing skips (SHAPE_ONLY) has a sample call here, and its shape rule
// must give the output shapes and dtypes the real cpu kernel gives: a wrong rule would record a
// wrong shape for a skipped kernel. A kernel added to the table without a case fails.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHAPE_ONLY } from '../src/backend/shape-only.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Case = { inputs: () => tf.NamedTensorMap | tf.Tensor[]; attrs: tf.NamedAttrMap };
const r = (...shape: number[]) => tf.randomUniform(shape);
const conv = { strides: [1, 2], pad: 'same', dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined };

const CASES: Record<string, Case[]> = {
  FusedBatchNorm: [{ inputs: () => ({ x: r(1, 4, 4, 3), mean: r(3), variance: r(3), offset: r(3), scale: r(3) }), attrs: { varianceEpsilon: 1e-3 } }],
  Softmax: [{ inputs: () => ({ logits: r(2, 5) }), attrs: { dim: -1 } }],
  Conv2D: [{ inputs: () => ({ x: r(1, 5, 7, 2), filter: r(3, 3, 2, 4) }), attrs: conv }, { inputs: () => ({ x: r(2, 6, 6, 1), filter: r(2, 2, 1, 3) }), attrs: { ...conv, pad: 'valid', strides: 2 } }],
  FusedConv2D: [{ inputs: () => ({ x: r(1, 5, 7, 2), filter: r(3, 3, 2, 4), bias: r(4) }), attrs: { ...conv, activation: 'relu' } }],
  DepthwiseConv2dNative: [{ inputs: () => ({ x: r(1, 5, 5, 2), filter: r(3, 3, 2, 2) }), attrs: { ...conv, strides: 2, pad: 'valid' } }],
  FusedDepthwiseConv2D: [{ inputs: () => ({ x: r(1, 5, 5, 2), filter: r(3, 3, 2, 1), bias: r(2) }), attrs: { ...conv, strides: 1, activation: 'linear' } }],
  MaxPool: [{ inputs: () => ({ x: r(1, 7, 6, 2) }), attrs: { filterSize: 2, strides: 2, pad: 'valid', dimRoundingMode: undefined } }],
  AvgPool: [{ inputs: () => ({ x: r(1, 7, 6, 2) }), attrs: { filterSize: 3, strides: 2, pad: 'same', dimRoundingMode: undefined } }],
  BatchMatMul: [{ inputs: () => ({ a: r(2, 3, 4), b: r(1, 4, 5) }), attrs: { transposeA: false, transposeB: false } }, { inputs: () => ({ a: r(4, 3), b: r(5, 4) }), attrs: { transposeA: true, transposeB: true } }],
  _FusedMatMul: [{ inputs: () => ({ a: r(3, 4), b: r(4, 5), bias: r(5) }), attrs: { transposeA: false, transposeB: false, activation: 'relu' } }],
  Slice: [{ inputs: () => ({ x: r(4, 5, 6) }), attrs: { begin: [1, 0, 2], size: [2, -1, 3] } }, { inputs: () => ({ x: r(6) }), attrs: { begin: 2, size: 3 } }],
  SplitV: [{ inputs: () => ({ x: r(2, 9) }), attrs: { numOrSizeSplits: [2, -1, 4], axis: -1 } }, { inputs: () => ({ x: r(6, 2) }), attrs: { numOrSizeSplits: 3, axis: 0 } }],
  Unpack: [{ inputs: () => ({ value: r(2, 3, 4) }), attrs: { axis: 1 } }],
  Pack: [{ inputs: () => [r(2, 3), r(2, 3), r(2, 3)], attrs: { axis: 1 } }, { inputs: () => [r(4), r(4)], attrs: { axis: -1 } }],
  Concat: [{ inputs: () => [r(2, 3), r(2, 1), r(2, 4)], attrs: { axis: 1 } }, { inputs: () => [r(1, 3), r(2, 3)], attrs: { axis: -2 } }],
  Transpose: [{ inputs: () => ({ x: r(2, 3, 4) }), attrs: { perm: [2, 0, 1] } }],
  Tile: [{ inputs: () => ({ x: r(2, 3) }), attrs: { reps: [3, 2] } }],
  PadV2: [{ inputs: () => ({ x: r(2, 3) }), attrs: { paddings: [[1, 0], [2, 3]], constantValue: 0.5 } }],
  Mean: [{ inputs: () => ({ x: r(2, 3, 4) }), attrs: { axis: [1, 2], keepDims: false } }, { inputs: () => ({ x: r(2, 3) }), attrs: { axis: -1, keepDims: true } }],
  Sum: [{ inputs: () => ({ x: r(2, 3, 4) }), attrs: { axis: 0, keepDims: true } }],
  Max: [{ inputs: () => ({ x: r(2, 3, 4) }), attrs: { reductionIndices: [0, 2], keepDims: false } }],
  Min: [{ inputs: () => ({ x: r(2, 3, 4) }), attrs: { axis: null, keepDims: false } }],
};
const unary = { inputs: () => ({ x: r(2, 3) }), attrs: { clipValueMin: 0, clipValueMax: 1, alpha: 0.2 } };
const binary = { inputs: () => ({ a: r(2, 1, 3), b: r(4, 3) }), attrs: {} };

function caseFor(kernel: string): Case[] | undefined {
  if (CASES[kernel]) return CASES[kernel];
  const fn = SHAPE_ONLY[kernel]!;
  if (fn({ x: { dataId: {}, shape: [2, 3], dtype: 'float32' } }, unary.attrs)) return [unary];
  if (fn({ a: { dataId: {}, shape: [2, 1, 3], dtype: 'float32' }, b: { dataId: {}, shape: [4, 3], dtype: 'float32' } }, {})) return [binary];
  return undefined;
}

describe('shape rules of the kernels skipped while tracing', () => {
  for (const kernel of Object.keys(SHAPE_ONLY)) {
    it(kernel, () => {
      const cases = caseFor(kernel);
      expect(cases, `no sample call for ${kernel}`).toBeDefined();
      for (const c of cases!) {
        tf.tidy(() => {
          const inputs = c.inputs();
          const real = tf.engine().runKernel(kernel, inputs as tf.NamedTensorMap, c.attrs) as tf.Tensor | tf.Tensor[];
          const want = (Array.isArray(real) ? real : [real]).map((t) => [t.shape, t.dtype]);
          const rule = SHAPE_ONLY[kernel]!(inputs as unknown as tf.NamedTensorInfoMap, c.attrs);
          const got = (Array.isArray(rule) ? rule : [rule!]).map((o) => [o.shape, o.dtype]);
          expect(got, `${kernel} ${JSON.stringify(c.attrs)}`).toEqual(want);
        });
      }
    });
  }
});
