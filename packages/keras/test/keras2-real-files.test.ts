// Reading .h5 files that Keras 2 itself wrote (Deeplearning4j's Keras import test resources,
// Apache-2.0; provenance in fixtures/keras2/README.md): each loads into tfjs, compiles where tfjs
// has the loss and optimizer, and predicts what Keras predicted for the recorded inputs.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKerasH5 } from '../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

const fixture = (n: string) => readFileSync(new URL(`./fixtures/keras2/${n}`, import.meta.url));

/** `inputs/<name>` and `predictions/<name>` recorded by the Keras script, read with h5wasm. */
async function recorded(n: string): Promise<{ input: tf.Tensor; output: Float32Array; outputShape: number[] }> {
  const h5 = (await import('h5wasm')).default;
  const mod = await h5.ready;
  mod.FS.writeFile(`/${n}`, fixture(n));
  const f = new h5.File(`/${n}`, 'r');
  try {
    const one = (group: string) => {
      const g = f.get(group) as InstanceType<typeof h5.Group>;
      const ds = g.get(g.keys()[0]!) as InstanceType<typeof h5.Dataset>;
      return { data: ds.value as Float32Array, shape: ds.shape! };
    };
    const i = one('inputs');
    const o = one('predictions'); // (`outputs` holds the training targets)
    return { input: tf.tensor(i.data, i.shape), output: o.data, outputShape: o.shape };
  } finally {
    f.close();
    mod.FS.unlink(`/${n}`);
  }
}

const CASES = [
  { model: 'simple_rnn_tf_keras_2_model.h5', io: 'simple_rnn_tf_keras_2_inputs_and_outputs.h5', version: '2.1.3', layers: ['SimpleRNN', 'Dense'], optimizer: 'RMSProp' },
  { model: 'ReLU_0_model.h5', io: 'ReLU_0_inputs_and_outputs.h5', version: '2.3.1', layers: ['Dense', 'ReLU'], optimizer: 'RMSProp' },
];

describe('Keras 2 .h5 files written by Keras', () => {
  for (const c of CASES) {
    it(`${c.model} (Keras ${c.version}) predicts what Keras recorded`, async () => {
      const warnings: string[] = [];
      const model = await loadKerasH5(fixture(c.model), { onWarning: (w) => warnings.push(w) });
      expect(model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.getClassName())).toEqual(c.layers);
      expect(model.optimizer?.getClassName()).toBe(c.optimizer);
      const { input, output, outputShape } = await recorded(c.io);
      const got = model.predict(input) as tf.Tensor;
      expect(got.shape).toEqual(outputShape);
      const g = await got.data();
      let worst = 0;
      for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i]! - output[i]!) / Math.max(1, Math.abs(output[i]!)));
      expect(worst).toBeLessThan(1e-5);
      // Keras ≤ 2.2 named optimizer slots `training/RMSprop/Variable:0`: not mapped, the optimizer starts fresh (with a warning)
      if (c.version < '2.2') expect(warnings.join('\n')).toMatch(/optimizer starts fresh/);
    });
  }

  it('lstm_functional_tf_keras_2.h5 (Keras 2.0.8 functional model, Adam) loads compiled with its weights', async () => {
    const model = await loadKerasH5(fixture('lstm_functional_tf_keras_2.h5'));
    expect(model.getClassName()).toBe('Model');
    expect(model.optimizer.getClassName()).toBe('Adam');
    expect((model.optimizer.getConfig() as { beta1: number }).beta1).toBeCloseTo(0.9, 6);
    expect(model.inputs[0]!.shape).toEqual([null, 10, 4]);
    // LSTM kernel, recurrent kernel, bias; Dense kernel, bias: the kernels hold the file's values
    const w = model.getWeights();
    expect(w.map((t) => t.shape.length)).toEqual([2, 2, 1, 2, 1]);
    for (const i of [0, 1, 3]) expect((await w[i]!.data()).some((x) => x !== 0)).toBe(true);
  });
});
