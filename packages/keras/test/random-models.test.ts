// Seeded random models (helpers/random-models.ts) through every way out and back in: exportModel →
// loadSavedModel (tfjs-converter runs the frozen graph), and saveKerasModel → loadKerasModel as a
// SavedModel, .h5 and .keras. Each must predict what the tfjs model itself predicts, every output,
// at several batch sizes. The sweep that found the explicit-InputLayer Sequential bug, kept as a test.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource } from '@savedmodel-js/core';
import { exportModel } from '@savedmodel-js/export';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { loadKerasModel, saveKerasH5, saveKerasModel, saveKerasV3 } from '../src/index.js';
import { randomModels, type RandomModel } from './helpers/random-models.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => tf.disposeVariables());

const MODELS_PER_WAY = 40;
const BATCHES = [1, 2, 5];

type Predict = (xs: tf.Tensor[]) => tf.Tensor[];

/** The model saved one way and loaded back, as a function of the inputs (every output, in order). */
async function roundTrip(way: string, r: RandomModel): Promise<{ predict: Predict; dispose: () => void }> {
  // several outputs: an array (tfjs), or keys output_0, output_1, … in output order (Keras 3's export)
  const all = (y: unknown): tf.Tensor[] => (Array.isArray(y) ? y : y instanceof tf.Tensor ? [y] : r.model.outputs.map((_, k) => (y as Record<string, tf.Tensor>)[`output_${k}`]!));
  if (way === 'exportModel') {
    const sink = fileMapSink();
    await exportModel(r.model, sink);
    const m = await loadSavedModel(fileMapSource(sink.files));
    return {
      predict: (xs) => all(m.predict(xs.length === 1 ? xs[0]! : Object.fromEntries(r.model.inputNames.map((n, i) => [n, xs[i]!])))),
      dispose: () => m.dispose(),
    };
  }
  let loaded: tf.LayersModel;
  if (way === 'SavedModel') {
    const sink = fileMapSink();
    await saveKerasModel(r.model, sink);
    loaded = await loadKerasModel(fileMapSource(sink.files));
  } else {
    loaded = await loadKerasModel(way === '.h5' ? await saveKerasH5(r.model) : await saveKerasV3(r.model));
  }
  return { predict: (xs) => all(loaded.predict(xs.length === 1 ? xs[0]! : xs)), dispose: () => loaded.dispose() };
}

describe.each(['exportModel', 'SavedModel', '.h5', '.keras'])('random models through %s', (way) => {
  const next = randomModels(way.length * 7919 + 17);
  it.each(Array.from({ length: MODELS_PER_WAY }, (_, i) => i))('model %i predicts as the tfjs model does', async (i) => {
    const r = next();
    const back = await roundTrip(way, r);
    try {
      for (const b of BATCHES) {
        const xs = Array.from({ length: r.inputs }, (_, k) => tf.randomNormal([b, ...r.inputShape], 0, 1, 'float32', i * 100 + b * 10 + k));
        const y = r.model.predict(xs.length === 1 ? xs[0]! : xs);
        const wants = Array.isArray(y) ? y : [y];
        const gots = back.predict(xs);
        expect(gots.length, r.desc).toBe(wants.length);
        wants.forEach((want, o) => {
          const got = gots[o]!;
          expect(got.shape, `${r.desc}, output ${o}, batch ${b}`).toEqual(want.shape);
          const a = want.dataSync(), g = got.dataSync();
          let worst = 0;
          for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - g[j]!) / Math.max(1, Math.abs(a[j]!)));
          expect(worst, `${r.desc}, output ${o}, batch ${b}`).toBeLessThanOrEqual(1e-4);
        });
        tf.dispose([...xs, ...wants, ...gots]);
      }
    } finally {
      back.dispose();
      r.model.dispose();
    }
  }, 60_000);
});
