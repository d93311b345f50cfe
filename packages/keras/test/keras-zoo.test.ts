// Round trips through saveKerasModel → loadKerasModel for the tracing zoo's kinds of models: the
// loaded model has the original's config (tfjs-layers' own JSON) and predicts the same; compiled
// models come back compiled with their optimizer state (Adam slots, iteration count).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource, readSavedModel } from '@savedmodel-js/core';
import { loadKerasModel, saveKerasModel } from '../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => tf.disposeVariables());

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

function seeded(shape: number[], seed: number, scale = 1, ints = 0): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    v[i] = ints ? s % ints : ((s / 4294967296) * 2 - 1) * scale;
  }
  return tf.tensor(v, shape);
}

interface Case { name: string; make: () => tf.LayersModel; inputs: (b: number) => tf.Tensor | tf.Tensor[] }

const CASES: Case[] = [
  {
    name: 'MLP',
    make: () => tf.sequential({ layers: [
      tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4], kernelInitializer: init(1) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(2) }),
    ] }),
    inputs: (b) => seeded([b, 4], 3),
  },
  {
    name: 'CNN',
    make: () => tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [8, 8, 2], activation: 'relu', kernelInitializer: init(4) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.dense({ units: 2, kernelInitializer: init(5) }),
    ] }),
    inputs: (b) => seeded([b, 8, 8, 2], 6),
  },
  {
    name: 'BatchNormalization (non-trainable moving statistics)',
    make: () => tf.sequential({ layers: [
      tf.layers.dense({ units: 5, inputShape: [3], kernelInitializer: init(7) }),
      tf.layers.batchNormalization({ movingMeanInitializer: tf.initializers.constant({ value: 0.3 }), movingVarianceInitializer: tf.initializers.constant({ value: 2 }) }),
    ] }),
    inputs: (b) => seeded([b, 3], 8),
  },
  {
    name: 'LSTM',
    make: () => tf.sequential({ layers: [
      tf.layers.lstm({ units: 4, inputShape: [5, 3], kernelInitializer: init(9), recurrentInitializer: init(10) }),
      tf.layers.dense({ units: 2, kernelInitializer: init(11) }),
    ] }),
    inputs: (b) => seeded([b, 5, 3], 12),
  },
  {
    name: 'GRU',
    make: () => tf.sequential({ layers: [
      tf.layers.gru({ units: 4, inputShape: [5, 3], returnSequences: true, kernelInitializer: init(13), recurrentInitializer: init(14) }),
    ] }),
    inputs: (b) => seeded([b, 5, 3], 15),
  },
  {
    name: 'Embedding',
    make: () => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 6, embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 16 }) }),
      tf.layers.globalAveragePooling1d({}),
      tf.layers.dense({ units: 2, kernelInitializer: init(17) }),
    ] }),
    inputs: (b) => seeded([b, 6], 18, 1, 20),
  },
  {
    name: 'multi-input / multi-output functional',
    make: () => {
      const a = tf.input({ shape: [3], name: 'a' });
      const b = tf.input({ shape: [2], name: 'b' });
      const h = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
      const d = tf.layers.dense({ units: 4, activation: 'tanh', kernelInitializer: init(19), name: 'hidden' }).apply(h) as tf.SymbolicTensor;
      const o1 = tf.layers.dense({ units: 1, kernelInitializer: init(20), name: 'out1' }).apply(d) as tf.SymbolicTensor;
      const o2 = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(21), name: 'out2' }).apply(d) as tf.SymbolicTensor;
      return tf.model({ inputs: [a, b], outputs: [o1, o2], name: 'two_heads' });
    },
    inputs: (b) => [seeded([b, 3], 22), seeded([b, 2], 23)],
  },
  {
    name: 'nested Sequential in a functional model',
    make: () => {
      const inner = tf.sequential({ name: 'inner', layers: [
        tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu', kernelInitializer: init(24) }),
        tf.layers.dense({ units: 3, kernelInitializer: init(25) }),
      ] });
      const x = tf.input({ shape: [3], name: 'x' });
      const y = inner.apply(x) as tf.SymbolicTensor;
      const z = tf.layers.dense({ units: 1, kernelInitializer: init(26) }).apply(y) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: z, name: 'outer' });
    },
    inputs: (b) => seeded([b, 3], 27),
  },
];

const asList = (x: tf.Tensor | tf.Tensor[]) => (Array.isArray(x) ? x : [x]);

describe('saveKerasModel → loadKerasModel round trips', () => {
  it.each(CASES)('$name: same config, same predictions', async ({ name, make, inputs }) => {
    const model = make();
    const sink = fileMapSink();
    await saveKerasModel(model, sink);
    const loaded = await loadKerasModel(fileMapSource(sink.files));
    const original = model.toJSON(null, false) as unknown as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    // tfjs-layers itself gives a deserialized Embedding first layer its dtype (its own model.json round trip does the same)
    const viaTfjs = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as never });
    expect(loaded.toJSON(null, false)).toEqual(viaTfjs.toJSON(null, false));
    if (name === 'Embedding') original.config.layers[0]!.config.dtype = 'float32';
    expect(loaded.toJSON(null, false)).toEqual(original);
    for (const b of [1, 3]) {
      const x = inputs(b);
      const want = asList(model.predict(x) as tf.Tensor | tf.Tensor[]);
      const got = asList(loaded.predict(x) as tf.Tensor | tf.Tensor[]);
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => expect(Array.from(g.dataSync())).toEqual(Array.from(want[i]!.dataSync())));
    }
  }, 60_000);
});

describe('includeOptimizer', () => {
  it('Adam: optimizer/iter, beta_1, beta_2, decay, learning_rate and m/v slots per trainable weight; they come back into tfjs', async () => {
    const model = CASES[0]!.make();
    model.compile({ optimizer: tf.train.adam(0.01, 0.8, 0.99), loss: 'meanSquaredError' });
    await model.fit(seeded([4, 4], 30), seeded([4, 3], 31), { epochs: 3, batchSize: 4, verbose: 0 });
    const sink = fileMapSink();
    await saveKerasModel(model, sink);
    const { checkpoint, savedModel } = await readSavedModel(fileMapSource(sink.files));
    const keys = checkpoint!.keys().filter((k) => k.startsWith('optimizer/') || k.includes('OPTIMIZER_SLOT'));
    expect(keys).toEqual([
      'layer_with_weights-0/bias/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-0/bias/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-1/bias/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-1/bias/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-1/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-1/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE',
      'optimizer/beta_1/.ATTRIBUTES/VARIABLE_VALUE',
      'optimizer/beta_2/.ATTRIBUTES/VARIABLE_VALUE',
      'optimizer/decay/.ATTRIBUTES/VARIABLE_VALUE',
      'optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE',
      'optimizer/learning_rate/.ATTRIBUTES/VARIABLE_VALUE',
    ]);
    expect(checkpoint!.entry('layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE').shape!.map(Number)).toEqual([4, 8]);
    expect(Number((checkpoint!.value('optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE') as BigInt64Array)[0])).toBe(3);
    expect((checkpoint!.value('optimizer/beta_1/.ATTRIBUTES/VARIABLE_VALUE') as Float32Array)[0]).toBeCloseTo(0.8, 6);
    // slot_variables on the optimizer node, as TensorFlow writes them
    const og = savedModel.meta_graphs![0]!.object_graph_def!;
    const opt = og.nodes!.find((n) => n.user_object?.identifier === 'optimizer')!;
    expect(opt.slot_variables!.map((s) => s.slot_name).sort()).toEqual(['m', 'm', 'm', 'm', 'v', 'v', 'v', 'v']);
    // the slot values equal tfjs's
    const tfjsSlots = new Map((await model.optimizer.getWeights()).map((w) => [w.name, w.tensor]));
    const kernel0 = model.layers[0]!.weights[0]!;
    const m0 = tfjsSlots.get(`${kernel0.originalName}/m`)!;
    expect(Array.from(checkpoint!.value('layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE') as Float32Array)).toEqual(Array.from(m0.dataSync()));

    const loaded = await loadKerasModel(fileMapSource(sink.files));
    expect(loaded.optimizer.getClassName()).toBe('Adam');
    expect(loaded.optimizer.getConfig()).toMatchObject({ learningRate: 0.01, beta1: 0.8, beta2: 0.99 });
    const back = new Map((await loaded.optimizer.getWeights()).map((w) => [w.name, w.tensor]));
    expect(back.get('iter')!.dataSync()[0]).toBe(3);
    const loadedKernel0 = loaded.layers[0]!.weights[0]!;
    expect(Array.from(back.get(`${loadedKernel0.originalName}/m`)!.dataSync())).toEqual(Array.from(m0.dataSync()));
    // one more step from the restored state equals one more step of the original
    const x = seeded([4, 4], 30), y = seeded([4, 3], 31);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    await loaded.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const a = model.predict(x) as tf.Tensor, b = loaded.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-6);
  }, 60_000);

  it('Adamax (tfjs implements no getWeights/setWeights for it): saved with its state, and the next training step after loading is the original\'s', async () => {
    const model = CASES[0]!.make();
    model.compile({ optimizer: tf.train.adamax(0.01), loss: 'meanSquaredError' });
    const [x, y] = [seeded([4, 4], 40), seeded([4, 3], 41)];
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const sink = fileMapSink();
    await saveKerasModel(model, sink);
    const { checkpoint } = await readSavedModel(fileMapSource(sink.files));
    expect([...checkpoint!.keys()].filter((k) => k.includes('.OPTIMIZER_SLOT')).length).toBe(2 * model.trainableWeights.length); // m and v per weight
    const back = await loadKerasModel(fileMapSource(sink.files));
    expect(back.optimizer.getClassName()).toBe('Adamax');
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    await back.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    model.getWeights().forEach((w, i) => expect(tf.max(tf.abs(tf.sub(w, back.getWeights()[i]!))).dataSync()[0]).toBeLessThan(1e-6));
  }, 60_000);

  it('includeOptimizer: false writes no optimizer (the compiled metrics stay, as in tf.keras)', async () => {
    const model = CASES[0]!.make();
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError', metrics: ['mse'] });
    const sink = fileMapSink();
    await saveKerasModel(model, sink, { includeOptimizer: false });
    const { checkpoint } = await readSavedModel(fileMapSource(sink.files));
    expect(checkpoint!.keys().filter((k) => k.includes('optimizer'))).toEqual([]);
    expect(checkpoint!.keys().filter((k) => k.startsWith('keras_api'))).toEqual([
      'keras_api/metrics/0/count/.ATTRIBUTES/VARIABLE_VALUE', 'keras_api/metrics/0/total/.ATTRIBUTES/VARIABLE_VALUE',
      'keras_api/metrics/1/count/.ATTRIBUTES/VARIABLE_VALUE', 'keras_api/metrics/1/total/.ATTRIBUTES/VARIABLE_VALUE',
    ]);
    // the model still loads compiled (training_config is kept), with a fresh optimizer
    const loaded = await loadKerasModel(fileMapSource(sink.files));
    expect(loaded.optimizer.getClassName()).toBe('Adam');
    const fresh = await loaded.optimizer.getWeights();
    expect(fresh.map((w) => w.name)).toEqual(['iter']);
    expect(fresh[0]!.tensor.dataSync()[0]).toBe(0);
  }, 60_000);
});
