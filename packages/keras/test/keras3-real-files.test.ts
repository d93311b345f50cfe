// Reading a .keras archive that Keras 3.9.2 wrote (MIT; provenance in fixtures/keras3/README.md):
// the config converts, every variable lands in the right tfjs weight (checked against the test's
// own reading of model.weights.h5 with h5wasm), the Adam state is restored,
// and predictions equal a plain-JS forward pass over the file's own arrays.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { zipSource } from '@savedmodel-js/zip';
import { loadKerasV3 } from '../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

const FILE = new URL('./fixtures/keras3/flownet_final_model.keras', import.meta.url);

/** model.weights.h5's datasets, read with h5wasm directly (not through the loader). */
async function fileArrays(): Promise<Map<string, { data: Float32Array | BigInt64Array; shape: number[] }>> {
  const zip = await zipSource(readFileSync(FILE), { root: '' });
  const bytes = await zip.readEntry('model.weights.h5');
  const h5 = (await import('h5wasm')).default;
  const mod = await h5.ready;
  mod.FS.writeFile('/flownet.weights.h5', bytes);
  const f = new h5.File('/flownet.weights.h5', 'r');
  const out = new Map<string, { data: Float32Array | BigInt64Array; shape: number[] }>();
  try {
    for (const p of f.paths()) {
      const e = f.get(p);
      if (e instanceof h5.Dataset) out.set(p.replace(/^\//, ''), { data: e.value as Float32Array, shape: e.shape! });
    }
  } finally {
    f.close();
    mod.FS.unlink('/flownet.weights.h5');
  }
  return out;
}

describe('a .keras file written by Keras 3.9.2', () => {
  it('loads with its weights, compiled with its Adam state, and predicts as the raw arrays say', async () => {
    const model = await loadKerasV3(readFileSync(FILE));
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Dense', 'Dropout', 'Dense', 'LeakyReLU', 'Dense', 'LeakyReLU', 'Dense']);
    expect((model.layers[3]!.getConfig() as { alpha: number }).alpha).toBeCloseTo(0.2, 6); // Keras 3's negative_slope
    const arrays = await fileArrays();
    const dense = ['dense', 'dense_1', 'dense_2', 'dense_3'];
    const denseLayers = model.layers.filter((l) => l.getClassName() === 'Dense');
    for (let i = 0; i < dense.length; i++) {
      const [k, b] = denseLayers[i]!.getWeights();
      expect(Array.from(await k!.data())).toEqual(Array.from(arrays.get(`layers/${dense[i]}/vars/0`)!.data as Float32Array));
      expect(Array.from(await b!.data())).toEqual(Array.from(arrays.get(`layers/${dense[i]}/vars/1`)!.data as Float32Array));
    }

    expect(model.optimizer.getClassName()).toBe('Adam');
    expect(model.loss).toBe('meanSquaredError');
    const state = await model.optimizer.getWeights(); // iter, m × 8, v × 8 (tfjs order)
    expect(state).toHaveLength(17);
    const iter = arrays.get('optimizer/vars/0')!.data as unknown; // h5wasm gives a scalar int64 as a bigint
    expect((await state[0]!.tensor.data())[0]).toBe(Number(iter));
    expect(Number(iter)).toBeGreaterThan(0);
    // Keras 3 interleaves (m, v) per variable: vars/2 = m(dense kernel), vars/3 = v(dense kernel), vars/17 = v(dense_3 bias)
    expect(Array.from(await state[1]!.tensor.data())).toEqual(Array.from(arrays.get('optimizer/vars/2')!.data as Float32Array));
    expect(Array.from(await state[9]!.tensor.data())).toEqual(Array.from(arrays.get('optimizer/vars/3')!.data as Float32Array));
    expect(Array.from(await state[16]!.tensor.data())).toEqual(Array.from(arrays.get('optimizer/vars/17')!.data as Float32Array));

    // forward pass in plain JS over the file's arrays: relu, linear + leaky(0.2), linear + leaky(0.2), linear
    const x = [[0.3, -1.2], [2.5, 0.7]];
    const layer = (inp: number[], name: string, act: (v: number) => number) => {
      const w = arrays.get(`layers/${name}/vars/0`)!;
      const bias = arrays.get(`layers/${name}/vars/1`)!.data as Float32Array;
      const [n, m] = w.shape as [number, number];
      return Array.from({ length: m }, (_, j) => {
        let s = bias[j]!;
        for (let i = 0; i < n; i++) s += inp[i]! * (w.data as Float32Array)[i * m + j]!;
        return act(s);
      });
    };
    const leaky = (v: number) => (v > 0 ? v : 0.2 * v);
    const expected = x.map((row) => layer(layer(layer(layer(row, 'dense', (v) => Math.max(0, v)), 'dense_1', leaky), 'dense_2', leaky), 'dense_3', (v) => v));
    const got = (model.predict(tf.tensor2d(x)) as tf.Tensor).arraySync() as number[][];
    for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) expect(got[r]![c]!).toBeCloseTo(expected[r]![c]!, 4);
  });
});
