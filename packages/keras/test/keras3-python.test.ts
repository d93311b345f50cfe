// Independent readers for .keras: Python's zipfile and json read the archive; h5py finds Keras 3's
// weight layout (layers/<snake_case class>/vars/<i>, a recurrent layer's cell, optimizer/vars) with
// every variable byte-identical to tfjs's values.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveKerasV3 } from '../src/index.js';
import { randomizeWeights } from './helpers/format-zoo.js';
import { HAS_H5PY } from './helpers/h5py.js';

const dir = mkdtempSync(join(tmpdir(), 'keras3-py-'));
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = async (t: tf.Tensor) => {
  const d = await t.data();
  return createHash('sha256').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex');
};
const dump = (file: string) => JSON.parse(execFileSync('/usr/bin/python3', [fileURLToPath(new URL('./helpers/keras-zip-dump.py', import.meta.url)), file], { encoding: 'utf8', maxBuffer: 64 << 20 })) as {
  testzip: null | string; names: string[]; compress_types: number[]; metadata: Record<string, unknown>; config: Record<string, any>;
  weights?: Record<string, Record<string, unknown>>;
};

describe('Python reads our .keras', () => {
  it('zipfile + json: entries, metadata and the Keras 3 config form; h5py: weights layout and bytes', async () => {
    const inner = tf.sequential({ name: 'features', layers: [tf.layers.dense({ units: 6, inputShape: [5], name: 'dense' }), tf.layers.batchNormalization({ name: 'bn' }), tf.layers.reshape({ targetShape: [3, 2], name: 'reshape' })] });
    const m = tf.sequential({ name: 'outer', layers: [inner, tf.layers.lstm({ units: 4, name: 'lstm' }), tf.layers.dense({ units: 3, activation: 'softmax', name: 'head' })] });
    randomizeWeights(m, 5);
    m.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await m.fit(tf.randomUniform([6, 5], -1, 1, 'float32', 1), tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3), { epochs: 1, batchSize: 3, verbose: 0 });
    const path = join(dir, 'm.keras');
    await saveKerasV3(m, path, { date: new Date(2026, 0, 2, 3, 4, 5) });
    const d = dump(path);
    expect(d.testzip).toBeNull();
    expect(d.names).toEqual(['metadata.json', 'config.json', 'model.weights.h5']);
    expect(d.compress_types).toEqual([0]); // stored, as Keras's zipfile writes
    expect(d.metadata).toEqual({ keras_version: '3.10.0', date_saved: '2026-01-02@03:04:05' });

    const c = d.config;
    expect(c).toMatchObject({ module: 'keras', class_name: 'Sequential', registered_name: null, build_config: { input_shape: [null, 5] } });
    expect(c.compile_config).toEqual({
      optimizer: { module: 'keras.optimizers', class_name: 'Adam', registered_name: null, config: {
        name: 'adam', learning_rate: 0.02, weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false,
        ema_momentum: 0.99, ema_overwrite_frequency: null, loss_scale_factor: null, gradient_accumulation_steps: null,
        beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false,
      } },
      loss: 'categorical_crossentropy', loss_weights: null, metrics: ['accuracy'], weighted_metrics: null, run_eagerly: false, steps_per_execution: 1, jit_compile: false,
    });
    const innerCfg = c.config.layers[0];
    expect(innerCfg).toMatchObject({ module: 'keras', class_name: 'Sequential' });
    expect(innerCfg.config.layers[0]).toEqual({ module: 'keras.layers', class_name: 'InputLayer', registered_name: null, config: { batch_shape: [null, 5], dtype: 'float32', sparse: false, ragged: false, name: 'features_input' } });
    expect(innerCfg.config.layers[1]).toMatchObject({ module: 'keras.layers', class_name: 'Dense', registered_name: null, build_config: { input_shape: [null, 5] } });
    expect(innerCfg.config.layers[1].config.kernel_initializer).toMatchObject({ module: 'keras.initializers', class_name: 'VarianceScaling', registered_name: null });
    expect(c.config.layers[1]).toMatchObject({ class_name: 'LSTM', build_config: { input_shape: [null, 3, 2] } });

    if (!HAS_H5PY) return;
    const w = d.weights!;
    const innerM = m.layers[0] as tf.Sequential;
    const expected: [string, tf.LayerVariable][] = [
      ['layers/sequential/layers/dense/vars/0', innerM.layers[0]!.weights[0]!], ['layers/sequential/layers/dense/vars/1', innerM.layers[0]!.weights[1]!],
      ['layers/sequential/layers/batch_normalization/vars/0', innerM.layers[1]!.weights[0]!],
      ['layers/sequential/layers/batch_normalization/vars/3', innerM.layers[1]!.weights[3]!],
      ['layers/lstm/cell/vars/0', m.layers[1]!.weights[0]!], ['layers/lstm/cell/vars/1', m.layers[1]!.weights[1]!], ['layers/lstm/cell/vars/2', m.layers[1]!.weights[2]!],
      ['layers/dense/vars/0', m.layers[2]!.weights[0]!], ['layers/dense/vars/1', m.layers[2]!.weights[1]!],
    ];
    for (const [p, v] of expected) expect(w[p], p).toEqual({ dtype: 'float32', shape: v.shape, sha256: await sha(v.read()) });
    expect(w['layers/sequential/layers/dense/vars/']).toEqual({ name: 'dense' });
    expect(w['layers/lstm/vars/']).toEqual({ name: 'lstm' });
    // optimizer: iterations, learning_rate, then m and v interleaved per variable (Keras 3's Adam)
    const slots = await m.optimizer.getWeights(); // iter, m × 9, v × 9
    expect(w['optimizer/vars/0']).toMatchObject({ dtype: 'int64', shape: [] });
    expect(w['optimizer/vars/1']).toMatchObject({ dtype: 'float32', shape: [] });
    expect(Object.keys(w).filter((k) => /^optimizer\/vars\/\d+$/.test(k))).toHaveLength(2 + 18);
    expect(w['optimizer/vars/2']!.sha256).toBe(await sha(slots[1]!.tensor)); // m of dense/kernel
    expect(w['optimizer/vars/3']!.sha256).toBe(await sha(slots[10]!.tensor)); // v of dense/kernel
    expect(w['optimizer/vars/19']!.sha256).toBe(await sha(slots[18]!.tensor)); // v of head/bias
  });

  it('h5py: wrapped and recurrent layers keep their weights where Keras 3 saves them (forward/backward_layer, TimeDistributed layer, stacked cells)', async () => {
    if (!HAS_H5PY) throw new Error('python3-h5py is needed (apt-get install python3-h5py)');
    const m = tf.sequential({ name: 'wrapped', layers: [
      tf.layers.bidirectional({ inputShape: [4, 3], layer: tf.layers.lstm({ units: 2, returnSequences: true, name: 'lstm' }) as tf.RNN, name: 'bidi' }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, name: 'td_dense' }), name: 'td' }),
      tf.layers.rnn({ cell: [tf.layers.lstmCell({ units: 2 }), tf.layers.gruCell({ units: 2 }), tf.layers.lstmCell({ units: 1 })], name: 'stacked' }),
    ] });
    randomizeWeights(m, 6);
    const path = join(dir, 'wrapped.keras');
    await saveKerasV3(m, path);
    const w = dump(path).weights!;
    const [bidi, td, stacked] = m.layers as [tf.layers.Layer, tf.layers.Layer, tf.layers.Layer];
    const expected: [string, tf.LayerVariable][] = [
      ...[0, 1, 2].map((i): [string, tf.LayerVariable] => [`layers/bidirectional/forward_layer/cell/vars/${i}`, bidi.weights[i]!]),
      ...[0, 1, 2].map((i): [string, tf.LayerVariable] => [`layers/bidirectional/backward_layer/cell/vars/${i}`, bidi.weights[3 + i]!]),
      ['layers/time_distributed/layer/vars/0', td.weights[0]!], ['layers/time_distributed/layer/vars/1', td.weights[1]!],
      ...[0, 1, 2].map((i): [string, tf.LayerVariable] => [`layers/rnn/cell/cells/lstm_cell/vars/${i}`, stacked.weights[i]!]),
      ...[0, 1, 2].map((i): [string, tf.LayerVariable] => [`layers/rnn/cell/cells/gru_cell/vars/${i}`, stacked.weights[3 + i]!]),
      ...[0, 1, 2].map((i): [string, tf.LayerVariable] => [`layers/rnn/cell/cells/lstm_cell_1/vars/${i}`, stacked.weights[6 + i]!]),
    ];
    for (const [p, v] of expected) expect(w[p], p).toEqual({ dtype: 'float32', shape: v.shape, sha256: await sha(v.read()) });
    // no weight anywhere else: the wrappers' own vars, and the wrapped layer Keras never builds, are empty
    const datasets = Object.keys(w).filter((k) => /\/vars\/\d+$/.test(k) && k.startsWith('layers/'));
    expect(datasets.sort()).toEqual(expected.map(([p]) => p).sort());
    for (const g of ['layers/bidirectional/vars/', 'layers/bidirectional/layer/vars/', 'layers/bidirectional/layer/cell/vars/', 'layers/time_distributed/vars/', 'layers/rnn/cell/vars/']) expect(w[g], g).toBeDefined();
  });
});

