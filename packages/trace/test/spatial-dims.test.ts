// Layers models whose inputs have unknown spatial dims ([null, null, null, 3]): sizes that depend
// on the input (resize targets, transposed-convolution output shapes) become shape arithmetic in
// the graph. Each model is traced, validated against TF's op registry and run by
// tfjs-converter's executor at two spatial sizes and two batch sizes against model.apply.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSavedModelError } from '@savedmodel-js/core';
import { tensorSpec, traceFunction, traceModel } from '../src/index.js';
import { expectNumericMatch, expectValidGraph, prng, randomTensor, seedWeights } from './helpers/checks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const L = tf.layers;
const HW3 = [null, null, 3] as unknown as number[];
const sym = (x: unknown) => x as tf.SymbolicTensor;

const CASES: [name: string, make: () => tf.LayersModel, ops: string[]][] = [
  ['Conv2D + UpSampling2D nearest (upscaler)', () => tf.sequential({ layers: [
    L.conv2d({ inputShape: HW3, filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
    L.upSampling2d({ size: [2, 2] }),
    L.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }),
  ] }), ['Shape', 'StridedSlice', 'Mul', 'ResizeNearestNeighbor']],
  ['Conv2DTranspose SAME + UpSampling2D bilinear', () => tf.sequential({ layers: [
    L.conv2dTranspose({ inputShape: HW3, filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
    L.upSampling2d({ size: [2, 3], interpolation: 'bilinear' }),
  ] }), ['Pack', 'Conv2DBackpropInput', 'ResizeBilinear']],
  // ceil(h / 2) is no product of the input sizes: the resize reads the conv output's own shape
  ['strided Conv2D then UpSampling2D', () => tf.sequential({ layers: [
    L.conv2d({ inputShape: HW3, filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
    L.upSampling2d({ size: [2, 2] }),
  ] }), ['Shape', 'ResizeNearestNeighbor']],
  // 2 * h + 1: affine in dy's dims
  ['Conv2DTranspose VALID', () => tf.sequential({ layers: [
    L.conv2dTranspose({ inputShape: HW3, filters: 2, kernelSize: 3, strides: 2, padding: 'valid' }),
  ] }), ['AddV2', 'Pack', 'Conv2DBackpropInput']],
  ['residual + concat, pooling to a Dense head', () => {
    const x = tf.input({ shape: HW3 });
    const y = sym(L.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(x));
    const cat = sym(L.concatenate().apply([x, sym(L.add().apply([x, y]))]));
    const head = sym(L.dense({ units: 2 }).apply(sym(L.globalAveragePooling2d({}).apply(sym(L.maxPooling2d({ poolSize: 2 }).apply(cat))))));
    return tf.model({ inputs: x, outputs: [cat, head] });
  }, ['ConcatV2', 'Mean', 'MatMul']],
];

describe('unknown spatial dims', () => {
  CASES.forEach(([name, make, ops], i) => {
    it(name, async () => {
      const model = make();
      seedWeights(model, 200 + i);
      const cf = await traceModel(model);
      expectValidGraph(cf);
      const emitted = new Set((cf.functionDef.node_def ?? []).map((n) => n.op));
      expect(ops.filter((o) => !emitted.has(o))).toEqual([]);
      expect(cf.inputs[0]!.spec.shape).toEqual([null, null, null, 3]);
      for (const [h, w] of [[4, 6], [7, 3]]) {
        expectNumericMatch(cf, {
          batches: [1, 2],
          inputs: (b) => [randomTensor([b, h!, w!, 3], 'float32', prng(b * 31 + h! * 7 + w!))],
          reference: (xs) => {
            const y = model.apply(xs[0]!, { training: false }) as tf.Tensor | tf.Tensor[];
            return Array.isArray(y) ? y : [y];
          },
        });
      }
    });
  });

  it('a crop (Slice of h - 2 by w - 3) reads its size from the input\'s Shape', async () => {
    const fn = (x: tf.Tensor) => tf.slice(x, [0, 1, 2, 0], [-1, x.shape[1]! - 2, x.shape[2]! - 3, -1]);
    const cf = await traceFunction(fn, [tensorSpec([null, null, null, 3])]);
    expectValidGraph(cf);
    const ops = (cf.functionDef.node_def ?? []).map((n) => n.op);
    expect(ops).toContain('Shape');
    expect(ops).toContain('Slice');
    for (const [h, w] of [[6, 7], [9, 5]]) {
      expectNumericMatch(cf, {
        batches: [1, 2],
        inputs: (b) => [randomTensor([b, h!, w!, 3], 'float32', prng(b + h! * w!))],
        reference: (xs) => [fn(xs[0]!)],
      });
    }
  });

  it('a resize to a size no graph arithmetic here expresses (h + 1): UNSUPPORTED naming the kernel', async () => {
    const fn = (x: tf.Tensor) => tf.image.resizeBilinear(x as tf.Tensor4D, [x.shape[1]! + 1, x.shape[2]! + 1]);
    const e = await traceFunction(fn, [tensorSpec([1, null, null, 2])]).then(() => undefined, (err: unknown) => err);
    expect(isSavedModelError(e, 'UNSUPPORTED')).toBe(true);
    expect((e as Error).message).toMatch(/kernel ResizeBilinear/);
  });
});
