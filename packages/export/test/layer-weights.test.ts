// weightLists (layer-weights.ts) gives exactly the lists tfjs's own getters give (the same
// variables, in the same order) for models of every kind, in linear time.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { weightLists } from '../src/layer-weights.js';

type Lists = { weights: unknown[]; trainableWeights: unknown[]; nonTrainableWeights: unknown[] };

function expectSame(m: Lists): void {
  const got = weightLists(m);
  // tfjs's getters are the reference
  const want = { weights: m.weights, trainable: m.trainableWeights, nonTrainable: m.nonTrainableWeights };
  for (const k of ['weights', 'trainable', 'nonTrainable'] as const) {
    expect(got[k].length, k).toBe(want[k].length);
    got[k].forEach((w, i) => expect(w, `${k}[${i}]`).toBe(want[k][i]));
  }
}

function mlp(n: number): tf.LayersModel {
  const x = tf.input({ shape: [4] });
  let h = x;
  for (let i = 0; i < n; i++) h = tf.layers.dense({ units: 4 }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: h });
}

describe('weightLists', () => {
  it('functional and Sequential models, frozen layers, BatchNormalization, a model frozen whole', () => {
    expectSame(mlp(30));
    const seq = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] }), tf.layers.batchNormalization(), tf.layers.dense({ units: 1 })] });
    expectSame(seq);
    seq.layers[0]!.trainable = false;
    expectSame(seq);
    const frozen = mlp(5);
    frozen.trainable = false;
    expectSame(frozen);
    expect(weightLists(frozen).trainable).toHaveLength(0);
    expect(weightLists(frozen).nonTrainable).toHaveLength(10);
    // a layer made trainable again inside a frozen model: the model's rules decide
    frozen.layers[2]!.trainable = true;
    expectSame(frozen);
    expect(weightLists(frozen).trainable).toHaveLength(0);
  });

  it('nested models (a frozen Sequential inside a functional model), and single layers', () => {
    const inner = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] }), tf.layers.batchNormalization()] });
    const x = tf.input({ shape: [4] });
    const y = tf.layers.dense({ units: 2 }).apply(inner.apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const outer = tf.model({ inputs: x, outputs: y });
    expectSame(outer);
    inner.trainable = false;
    expectSame(outer);
    for (const l of outer.layers) expectSame(l);
  });

  it('a class that overrides a getter is asked through it', () => {
    const d = tf.layers.dense({ units: 2 });
    d.build([null, 3]);
    const extra = tf.variable(tf.zeros([1]));
    Object.defineProperty(d, 'weights', { get: () => [extra] });
    expect(weightLists(d).weights).toEqual([extra]);
    extra.dispose();
  });

  it('a 2,000-layer model: the same lists', () => {
    const m = mlp(2000);
    expectSame(m);
  });
});
