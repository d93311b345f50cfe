// Model zoo: tfjs-layers models traced with traceModel, validated against TF's op registry and
// run by tfjs-converter's executor at several batch sizes against model.apply.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { traceModel } from '../src/index.js';
import { expectNumericMatch, expectValidGraph, prng, randomTensor, seedWeights } from './helpers/checks.js';
import { mobileNetV2Like } from './helpers/zoo.js';

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
    expect(cf.captures.map((c) => c.name)).toEqual(model.weights.map((w) => w.name));
    // Dense reads like TF's: MatMul + BiasAdd + activation, no batch-matmul reshapes
    const ops = cf.functionDef.node_def!.map((n) => n.op);
    expect(ops.filter((o) => o === 'MatMul')).toHaveLength(3);
    // (a softmax Dense adds its bias with a separate Add kernel: AddV2)
    expect(ops.filter((o) => o === 'BiasAdd')).toHaveLength(2);
    expect(ops).not.toContain('BatchMatMulV2');
    expect(ops).not.toContain('Reshape');
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
    // every node but the output Identity sits under its layer's scope
    const names = cf.functionDef.node_def!.map((n) => n.name!).filter((n) => n !== 'Identity');
    expect(names.filter((n) => !new RegExp(`^${model.name}/[^/]+/`).test(n))).toEqual([]);
    expectNumericMatch(cf, modelCase(model, 12));
  });

  it('MobileNetV2-like: DepthwiseConv2D, ReLU6, residual Add, GlobalAveragePooling2D', async () => {
    const model = mobileNetV2Like();
    seedWeights(model, 3);
    const cf = await traceModel(model);
    expectValidGraph(cf);
    const ops = cf.functionDef.node_def!.map((n) => n.op);
    expect(ops).toContain('DepthwiseConv2dNative');
    // tfjs-layers' ReLU6 (reLU({maxValue: 6}) and activation 'relu6') is relu + clipByValue
    expect(ops).toContain('ClipByValue');
    expect(ops).toContain('AddV2');
    expect(ops).toContain('Mean');
    expectNumericMatch(cf, modelCase(model, 13));
  });

  it('Embedding + GlobalAveragePooling1D text classifier', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 7 }),
        tf.layers.globalAveragePooling1d(),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    seedWeights(model, 4);
    const cf = await traceModel(model);
    expectValidGraph(cf);
    expect(cf.inputs[0]!.spec.dtype).toBe('float32');
    expectNumericMatch(cf, modelCase(model, 14, [0, 20]));
  });

  it('Embedding with unknown batch and sequence length', async () => {
    const model = tf.sequential({
      layers: [tf.layers.embedding({ inputShape: [null], inputDim: 20, outputDim: 6 }), tf.layers.globalAveragePooling1d(), tf.layers.dense({ units: 3 })],
    });
    seedWeights(model, 21);
    const cf = await traceModel(model);
    expectValidGraph(cf);
    expect(cf.inputs[0]!.spec.shape).toEqual([null, null]);
    // [batch, time, 6] needs both sizes: built from the input's Shape
    expect(cf.functionDef.node_def!.map((n) => n.op)).toContain('Pack');
    const c = modelCase(model, 22, [0, 20]);
    expectNumericMatch(cf, {
      ...c,
      inputs: (batch) => [randomTensor([batch, batch + 4], 'float32', prng(batch), [0, 20])],
    });
  });

  it('functional multi-input / multi-output with Concatenate', async () => {
    const a = tf.input({ shape: [5], name: 'a' });
    const b = tf.input({ shape: [3], name: 'b' });
    const ha = tf.layers.dense({ units: 4, activation: 'tanh' }).apply(a) as tf.SymbolicTensor;
    const hb = tf.layers.dense({ units: 4, activation: 'sigmoid' }).apply(b) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate().apply([ha, hb]) as tf.SymbolicTensor;
    const out1 = tf.layers.dense({ units: 2, name: 'logits' }).apply(cat) as tf.SymbolicTensor;
    const out2 = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'score' }).apply(cat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, b], outputs: [out1, out2] });
    seedWeights(model, 5);
    const cf = await traceModel(model);
    expectValidGraph(cf);
    expect(cf.inputs.map((i) => i.argName)).toEqual(['a', 'b']);
    expect(cf.outputs.map((o) => o.spec.shape)).toEqual([[null, 2], [null, 1]]);
    expect(cf.functionDef.node_def!.map((n) => n.op)).toContain('ConcatV2');
    expectNumericMatch(cf, modelCase(model, 15));
  });

  it('Conv1D', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv1d({ inputShape: [16, 3], filters: 5, kernelSize: 3, activation: 'relu' }),
        tf.layers.conv1d({ filters: 4, kernelSize: 2, strides: 2, padding: 'same' }),
        tf.layers.globalMaxPooling1d(),
      ],
    });
    seedWeights(model, 6);
    const cf = await traceModel(model);
    expectValidGraph(cf);
    expectNumericMatch(cf, modelCase(model, 16));
  });

  it('Conv2DTranspose + UpSampling2D', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2dTranspose({ inputShape: [5, 5, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tf.layers.upSampling2d({ size: [2, 2] }),
        tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 1, padding: 'valid' }),
      ],
    });
    seedWeights(model, 7);
    const cf = await traceModel(model);
    expectValidGraph(cf);
    expectNumericMatch(cf, modelCase(model, 17));
  });

  it('LayerNormalization', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [6], units: 8 }), tf.layers.layerNormalization(), tf.layers.dense({ units: 3 })],
    });
    seedWeights(model, 8);
    const cf = await traceModel(model);
    expectValidGraph(cf);
    expectNumericMatch(cf, modelCase(model, 18));
  });

  it('LSTM with fixed timesteps', async () => {
    const model = tf.sequential({ layers: [tf.layers.lstm({ inputShape: [5, 3], units: 4 }), tf.layers.dense({ units: 2 })] });
    seedWeights(model, 9);
    const cf = await traceModel(model);
    expectValidGraph(cf);
    expectNumericMatch(cf, { ...modelCase(model, 19), tolerance: 1e-4 });
  });

  it('GRU with fixed timesteps, returning sequences', async () => {
    const model = tf.sequential({ layers: [tf.layers.gru({ inputShape: [4, 3], units: 5, returnSequences: true })] });
    seedWeights(model, 10);
    const cf = await traceModel(model);
    expectValidGraph(cf);
    expectNumericMatch(cf, { ...modelCase(model, 20), tolerance: 1e-4 });
  });
});
