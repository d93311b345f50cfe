// An independent reader: Debian's h5py opens our .h5 and finds Keras 2's layout — attribute names
// and storage types (bytes → fixed-length strings, str → variable-length), layer and weight names,
// dtypes, shapes — and every weight and optimizer slot byte-identical to what tfjs holds.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveKerasH5 } from '../src/index.js';
import { randomizeWeights } from './helpers/format-zoo.js';
import { HAS_H5PY, h5pyDump, type H5pyNode } from './helpers/h5py.js';

const dir = mkdtempSync(join(tmpdir(), 'keras-h5py-'));
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = async (t: tf.Tensor) => {
  const d = await t.data();
  return createHash('sha256').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex');
};

/** Nested Sequential (Dense + BN inside), an LSTM and a Dense head; explicit Keras-style layer names. */
function model(): tf.LayersModel {
  const inner = tf.sequential({ name: 'features', layers: [
    tf.layers.dense({ units: 6, inputShape: [5], name: 'dense' }), tf.layers.batchNormalization({ name: 'batch_normalization' }),
    tf.layers.reshape({ targetShape: [3, 2], name: 'reshape' }),
  ] });
  return tf.sequential({ name: 'outer', layers: [inner, tf.layers.lstm({ units: 4, name: 'lstm' }), tf.layers.dense({ units: 3, activation: 'softmax', name: 'head' })] });
}

describe.skipIf(!HAS_H5PY)('h5py reads our Keras 2 .h5', () => {
  it('layout, attributes and every byte of every weight and optimizer slot', async () => {
    const m = model();
    randomizeWeights(m, 11);
    m.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await m.fit(tf.randomUniform([6, 5], -1, 1, 'float32', 1), tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3), { epochs: 2, batchSize: 3, verbose: 0 });
    const path = join(dir, 'm.h5');
    await saveKerasH5(m, path);
    const d = h5pyDump(path);
    const root = d['/']!;

    expect(root.attrs.keras_version).toEqual({ value: '2.10.0', type: 'vlen-str' });
    expect(root.attrs.backend).toEqual({ value: 'tensorflow', type: 'vlen-str' });
    expect(root.attrs.model_config!.type).toBe('fixed-str');
    const cfg = JSON.parse(root.attrs.model_config!.value as string) as { class_name: string; config: unknown };
    const own = m.toJSON(null, false) as unknown as { class_name: string; config: unknown };
    expect(cfg).toEqual({ class_name: own.class_name, config: own.config });
    const tc = JSON.parse(root.attrs.training_config!.value as string) as Record<string, unknown>;
    expect(tc).toEqual({
      loss: 'categorical_crossentropy', metrics: ['accuracy'], weighted_metrics: null, loss_weights: null,
      optimizer_config: { class_name: 'Adam', config: { name: 'Adam', learning_rate: 0.02, decay: 0, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false } },
    });

    const mw = d['/model_weights']!;
    expect(mw.attrs.layer_names).toEqual({ value: ['features', 'lstm', 'head'], type: 'fixed-str' });
    expect(mw.attrs.backend).toEqual({ value: 'tensorflow', type: 'fixed-str' });
    expect(mw.attrs.keras_version).toEqual({ value: '2.10.0', type: 'fixed-str' });
    // Keras's order for a nested model: all trainable weights, then the non-trainable ones
    const expected: Record<string, [string, tf.LayerVariable][]> = {};
    const inner = m.layers[0] as tf.Sequential;
    const [dense, bn] = [inner.layers[0]!, inner.layers[1]!];
    expected.features = [
      ['dense/kernel:0', dense.weights[0]!], ['dense/bias:0', dense.weights[1]!],
      ['batch_normalization/gamma:0', bn.weights[0]!], ['batch_normalization/beta:0', bn.weights[1]!],
      ['batch_normalization/moving_mean:0', bn.weights[2]!], ['batch_normalization/moving_variance:0', bn.weights[3]!],
    ];
    const lstm = m.layers[1]!;
    expected.lstm = [['lstm/lstm_cell/kernel:0', lstm.weights[0]!], ['lstm/lstm_cell/recurrent_kernel:0', lstm.weights[1]!], ['lstm/lstm_cell/bias:0', lstm.weights[2]!]];
    const head = m.layers[2]!;
    expected.head = [['head/kernel:0', head.weights[0]!], ['head/bias:0', head.weights[1]!]];
    for (const [layer, weights] of Object.entries(expected)) {
      expect(d[`/model_weights/${layer}`]!.attrs.weight_names).toEqual({ value: weights.map(([n]) => n), type: 'fixed-str' });
      for (const [name, v] of weights) {
        const ds = d[`/model_weights/${layer}/${name}`] as H5pyNode;
        expect(ds, name).toMatchObject({ kind: 'dataset', dtype: 'float32', shape: v.shape, sha256: await sha(v.read()) });
      }
    }
    // as numpy stores an empty name list
    expect(d['/model_weights/top_level_model_weights']!.attrs.weight_names).toEqual({ value: [], type: 'float64' });

    const slots = await m.optimizer.getWeights();
    const og = d['/optimizer_weights']!;
    const varNames = ['dense/kernel', 'dense/bias', 'batch_normalization/gamma', 'batch_normalization/beta', 'lstm/lstm_cell/kernel', 'lstm/lstm_cell/recurrent_kernel', 'lstm/lstm_cell/bias', 'head/kernel', 'head/bias'];
    const slotNames = ['m', 'v'].flatMap((k) => varNames.map((v) => `Adam/${v}/${k}:0`));
    expect(og.attrs.weight_names).toEqual({ value: ['Adam/iter:0', ...slotNames], type: 'fixed-str' });
    // two epochs of two batches: four steps, as a little-endian int64
    const four = createHash('sha256').update(new Uint8Array(BigInt64Array.of(4n).buffer)).digest('hex');
    expect(d['/optimizer_weights/Adam/iter:0']).toMatchObject({ dtype: 'int64', shape: [], sha256: four });
    expect(slots).toHaveLength(1 + slotNames.length);
    for (let i = 0; i < slotNames.length; i++) {
      expect(d[`/optimizer_weights/${slotNames[i]}`], slotNames[i]).toMatchObject({ dtype: 'float32', sha256: await sha(slots[i + 1]!.tensor) });
    }
  });
});
