// exportSavedModelV1 of a compiled model: the `train` MetaGraph run by our loader for 3 steps
// must move the variables exactly as tfjs's own model.trainOnBatch moves an identical model's,
// and `eval` must return model.evaluate's loss and metrics. Truth is tfjs itself.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySavedModel } from '@savedmodel-js/core';
import { dirSource, readSavedModelDir } from '@savedmodel-js/core/node';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { exportSavedModelV1 } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'keras-v1-train-'));
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Case {
  name: string;
  build: () => tf.LayersModel;
  compile: () => tf.ModelCompileArgs;
  x: tf.Tensor;
  y: tf.Tensor | tf.Tensor[];
}

function dense(units: number[], inputDim: number, activation: 'relu' | 'softmax' | 'linear' = 'relu', last: 'linear' | 'softmax' = 'linear'): tf.LayersModel {
  const m = tf.sequential();
  units.forEach((u, i) => m.add(tf.layers.dense({
    units: u, ...(i === 0 ? { inputShape: [inputDim] } : {}), activation: i === units.length - 1 ? last : activation,
    kernelInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 7 + i }), biasInitializer: tf.initializers.constant({ value: 0.1 }),
  })));
  return m;
}

const X4 = tf.tensor2d([[0.1, -0.2, 0.3, 0.4], [1, 2, -3, 0.5], [0, 0.5, 0, 1], [0.3, 0.3, -0.3, -1], [2, 0, 1, 0]]);

const CASES: Case[] = [
  { name: 'Dense + MSE + SGD', build: () => dense([3, 2], 4), compile: () => ({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' }), x: X4, y: tf.tensor2d([[1, 0], [0, 1], [0.5, 0.5], [0, 0], [1, 1]]) },
  {
    name: 'Dense + MSE + Adam + mae metric', build: () => dense([3, 2], 4),
    compile: () => ({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError', metrics: ['mae'] }), x: X4, y: tf.tensor2d([[1, 0], [0, 1], [0.5, 0.5], [0, 0], [1, 1]]),
  },
  {
    name: 'softmax + categorical crossentropy + accuracy + Adam', build: () => dense([5, 3], 4, 'relu', 'softmax'),
    compile: () => ({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] }), x: X4, y: tf.oneHot([0, 2, 1, 1, 0], 3).toFloat(),
  },
  {
    name: 'Conv2D + ReLU + MaxPool + Flatten + Dense, SGD', build: () => {
      const m = tf.sequential();
      m.add(tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu', padding: 'same', kernelInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 3 }) }));
      m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      m.add(tf.layers.conv2d({ filters: 2, kernelSize: 2, activation: 'relu', kernelInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 4 }), biasInitializer: 'ones' }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 5 }) }));
      return m;
    },
    compile: () => ({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' }),
    x: tf.randomUniform([3, 6, 6, 2], -1, 1, 'float32', 11), y: tf.tensor2d([[1, 0], [0, 1], [0.5, -0.5]]),
  },
  {
    name: 'BatchNormalization (moving statistics assigned) + RMSProp', build: () => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 9 }) }));
      m.add(tf.layers.batchNormalization({ momentum: 0.9 }));
      m.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 10 }) }));
      return m;
    },
    compile: () => ({ optimizer: tf.train.rmsprop(0.01), loss: 'meanSquaredError' }), x: X4, y: tf.tensor2d([[1, 0], [0, 1], [0.5, 0.5], [0, 0], [1, 1]]),
  },
  {
    name: 'two outputs, two losses, momentum', build: () => {
      const input = tf.input({ shape: [4], name: 'in' });
      const h = tf.layers.dense({ units: 3, activation: 'sigmoid', name: 'h', kernelInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 12 }) }).apply(input) as tf.SymbolicTensor;
      const o1 = tf.layers.dense({ units: 2, name: 'o1', kernelInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 13 }) }).apply(h) as tf.SymbolicTensor;
      const o2 = tf.layers.dense({ units: 1, activation: 'tanh', name: 'o2', kernelInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 14 }) }).apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: [o1, o2] });
    },
    compile: () => ({ optimizer: tf.train.momentum(0.05, 0.9), loss: ['meanSquaredError', 'meanAbsoluteError'] }),
    x: X4, y: [tf.tensor2d([[1, 0], [0, 1], [0.5, 0.5], [0, 0], [1, 1]]), tf.tensor2d([[0.5], [-0.5], [0], [1], [0.2]])],
  },
  ...([['adagrad', () => tf.train.adagrad(0.1)], ['adadelta', () => tf.train.adadelta(1)], ['adamax', () => tf.train.adamax(0.02)]] as const).map(([n, opt]): Case => ({
    name: `Dense + MSE + ${n}`, build: () => dense([3, 2], 4), compile: () => ({ optimizer: opt(), loss: 'meanSquaredError' }), x: X4, y: tf.tensor2d([[1, 0], [0, 1], [0.5, 0.5], [0, 0], [1, 1]]),
  })),
];

function close(got: ArrayLike<number>, want: ArrayLike<number>, rel = 1e-5): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = rel * Math.max(1, Math.abs(want[i]!));
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`element ${i}: ${got[i]} vs ${want[i]} (tolerance ${tol})`);
  }
}

describe('exportSavedModelV1: train and eval', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const a = c.build();
      a.compile(c.compile());
      const b = c.build();
      b.setWeights(a.getWeights());
      b.compile(c.compile());
      const dir = join(tmp, c.name.replace(/\W+/g, '_'));
      const before = a.getWeights().map((w) => w.dataSync().slice());
      const summary = await exportSavedModelV1(a, dir);
      // tracing ran real steps: every variable was put back
      a.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(before[i]!)));
      expect(summary.tagSets).toEqual([['train'], ['eval'], ['serve']]);
      expect(summary.kernels.train!.length).toBeGreaterThan(0);
      console.log(`${c.name}: train kernels ${summary.kernels.train!.join(' ')}`);

      const report = await verifySavedModel(dirSource(dir), { strict: true });
      expect(report.findings).toEqual([]);

      const sm = await readSavedModelDir(dir);
      const train = sm.savedModel.meta_graphs![0]!;
      const sig = train.signature_def!.train!;
      expect(sig.method_name).toBe('tensorflow/supervised/training');
      const inName = a.inputNames[0]!, outName = a.outputNames[0]!;
      const ys = Array.isArray(c.y) ? c.y : [c.y];
      const feeds: tf.NamedTensorMap = { [inName]: c.x };
      a.outputNames.forEach((n, i) => { feeds[`${n}_target`] = ys[i]!; });
      expect(Object.keys(sig.inputs!).sort()).toEqual(Object.keys(feeds).sort());
      expect(Object.keys(sig.outputs!)).toContain('loss');
      expect(Object.keys(sig.outputs!)).toContain(`predictions/${outName}`);
      expect(train.collection_def?.saved_model_train_op?.node_list?.value).toEqual(['training/group_deps']);
      expect(sm.savedModel.meta_graphs![1]!.signature_def!.eval!.method_name).toBe('tensorflow/supervised/eval');

      // eval before training = model.evaluate
      const evalModel = await loadSavedModel(dir, { tags: ['eval'], signature: 'eval' });
      const ev = evalModel.predict(feeds) as tf.NamedTensorMap;
      const want = b.evaluate(c.x, c.y) as tf.Scalar | tf.Scalar[];
      const wantList = Array.isArray(want) ? want : [want];
      close(ev.loss!.dataSync(), wantList[0]!.dataSync());
      const metricNames = b.metricsNames.slice(1);
      metricNames.forEach((m, i) => close(ev[`metrics/${m}/value`]!.dataSync(), wantList[i + 1]!.dataSync()));
      evalModel.dispose();

      const trainModel = await loadSavedModel(dir, { tags: ['train'], signature: 'train' });
      for (let step = 0; step < 3; step++) {
        const out = trainModel.predict(feeds) as tf.NamedTensorMap;
        const losses = await b.trainOnBatch(c.x, c.y);
        const lossList = Array.isArray(losses) ? losses : [losses];
        close(out.loss!.dataSync(), [lossList[0]!]);
        metricNames.forEach((m, i) => close(out[`metrics/${m}/value`]!.dataSync(), [lossList[i + 1]!]));
        b.weights.forEach((w, i) => close(trainModel.readVariable(a.weights[i]!.name).dataSync(), w.read().dataSync()));
        tf.dispose(Object.values(out));
      }
      trainModel.dispose();
    });
  }
});

describe('exportSavedModelV1: training-mode randomness and errors', () => {
  it('Dropout draws a fresh mask per train step (RandomUniform in the graph); eval has none', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 8, inputShape: [4] }));
    m.add(tf.layers.dropout({ rate: 0.5 }));
    m.add(tf.layers.dense({ units: 2 }));
    m.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const dir = join(tmp, 'dropout');
    await exportSavedModelV1(m, dir);
    const sm = await readSavedModelDir(dir);
    const opsOf = (i: number) => new Set(sm.savedModel.meta_graphs![i]!.graph_def!.node!.map((n) => n.op));
    expect(opsOf(0).has('RandomUniform')).toBe(true);
    expect(opsOf(1).has('RandomUniform')).toBe(false);
    expect(opsOf(2).has('RandomUniform')).toBe(false);
    const train = await loadSavedModel(dir, { tags: ['train'], signature: 'train' });
    const before = m.weights[0]!.read().dataSync();
    const y = tf.tensor2d([[1, 0], [0, 1], [0.5, 0.5], [0, 0], [1, 1]]);
    const out = train.predict({ [m.inputNames[0]!]: X4, [`${m.outputNames[0]}_target`]: y }) as tf.NamedTensorMap;
    expect(Number.isFinite(out.loss!.dataSync()[0]!)).toBe(true);
    const after = train.readVariable(m.weights[0]!.name).dataSync();
    expect(Array.from(after)).not.toEqual(Array.from(before));
    train.dispose();
  });

  it('exporting (tracing real steps) keeps no tensors and leaves the optimizer state alone', async () => {
    const m = dense([3, 2], 4);
    m.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    await exportSavedModelV1(m, join(tmp, 'leak-0'));
    const n = tf.memory().numTensors;
    const opt = await m.optimizer.getWeights();
    const optBefore = opt.map((w) => Array.from(w.tensor.dataSync()));
    await exportSavedModelV1(m, join(tmp, 'leak-1'));
    expect(tf.memory().numTensors).toBe(n + 1); // only the fresh iterations scalar of getWeights() above
    expect((await m.optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()))).toEqual(optBefore);
  });

  it('servingOnly on a compiled model writes serve only', async () => {
    const m = dense([2], 4);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const s = await exportSavedModelV1(m, join(tmp, 'serving-only'), { servingOnly: true });
    expect(s.tagSets).toEqual([['serve']]);
  });
});
