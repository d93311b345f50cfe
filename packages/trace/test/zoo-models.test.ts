// Model zoo: tfjs-layers models traced with traceModel, validated against TF's op registry and
// run by tfjs-converter's executor at several batch sizes against model.apply.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { traceModel } from '../src/index.js';
import { expectNumericMatch, expectValidGraph, prng, randomTensor, seedWeights } from './helpers/checks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function modelCase(model: tf.LayersModel, seed: number, intRange?: [number, number]) {
  return {
    inputs: (batch: number) => {
      const rand = prng(seed + batch);
      return model.inputs.map((s) => randomTensor([batch, ...(s.shape.slice(1) as number[])], s.dtype, rand, intRange ?? [-1, 1]));
    },
    reference: (xs: tf.Tensor[]) => {
      const y = model.apply(xs.length === 1 ? xs[0]! : xs, { training: false }) as tf.Tensor | tf.Tensor[];
      return Array.isArray(y) ? y : [y];
    },
  };
}

describe('model zoo', () => {
  it('MLP: Dense + relu + softmax', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [12], units: 16, activation: 'relu' }),
        tf.layers.dense({ units: 8, activation: 'relu' }),
        tf.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    });
    seedWeights(model, 1);
    const cf = await traceModel(model);
    expectValidGraph(cf);
    expect(cf.inputs.map((i) => i.spec.shape)).toEqual([[null, 12]]);
    expect(cf.outputs.map((o) => o.spec.shape)).toEqual([[null, 5]]);
    expect(cf.captures.map((c) => c.name)).toEqual(model.weights.map((w) => w.val.name));
    expectNumericMatch(cf, modelCase(model, 11));
  });

  it('CNN: Conv2D, BatchNormalization, MaxPooling2D, Dropout, Flatten, Dense', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'valid', useBias: false }),
        tf.layers.batchNormalization({ scale: false, center: false }),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    seedWeights(model, 2);
    const cf = await traceModel(model);
    expectValidGraph(cf);
    const ops = cf.functionDef.node_def!.map((n) => n.op);
    expect(ops).toContain('Conv2D');
    expect(ops).toContain('FusedBatchNormV3');
    expect(ops).toContain('MaxPool');
    expectNumericMatch(cf, modelCase(model, 12));
  });
});
