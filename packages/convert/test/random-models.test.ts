// The seeded random models of the keras sweep (keras/test/helpers/random-models.ts) through the
// conversions: exportModel → convertSavedModelToTfjs → tf.loadGraphModel (tfjs-converter's own
// loader and executor run what we wrote), and a tfjs layers model.json → convertTfjsModel →
// loadSavedModel. Each must predict what the tfjs model itself predicts, at several batch sizes.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource } from '@savedmodel-js/core';
import { exportModel } from '@savedmodel-js/export';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { convertSavedModelToTfjs, convertTfjsModel } from '../src/index.js';
import { randomModels, type RandomModel } from '../../keras/test/helpers/random-models.js';
import { loadTfjsGraphModel, tempDir } from './helpers.js';

const tmp = tempDir('convert-random-');
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => { tmp.cleanup(); tf.disposeVariables(); });

const MODELS_PER_WAY = 24;
const BATCHES = [1, 2, 5];

type Predict = (xs: tf.Tensor[]) => tf.Tensor;

async function roundTrip(way: string, r: RandomModel, dir: string): Promise<{ predict: Predict; dispose: () => void }> {
  if (way === 'tfjs graph model') {
    await exportModel(r.model, join(dir, 'sm'), { verbose: false });
    await convertSavedModelToTfjs(join(dir, 'sm'), join(dir, 'graph'));
    const gm = await loadTfjsGraphModel(join(dir, 'graph'));
    // the graph's inputs are the signature's placeholders, serving_default_<input layer>
    const feedName = (i: number) => {
      const want = `serving_default_${r.model.inputs[i]!.sourceLayer.name}`;
      const hit = gm.inputs.find((t) => t.name === want || t.name === `${want}:0`);
      if (!hit) throw new Error(`no graph input ${want} among ${gm.inputs.map((t) => t.name).join(', ')}`);
      return hit.name;
    };
    return {
      predict: (xs) => {
        const y = gm.execute(Object.fromEntries(xs.map((x, i) => [feedName(i), x])));
        return (Array.isArray(y) ? y[0] : y) as tf.Tensor;
      },
      dispose: () => gm.dispose(),
    };
  }
  // a layers model.json as tfjs's own model.save writes it
  let artifacts: tf.io.ModelArtifacts | undefined;
  await r.model.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const files = new Map<string, Uint8Array>([
    ['model.json', new TextEncoder().encode(JSON.stringify({ format: 'layers-model', modelTopology: artifacts!.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts!.weightSpecs }] }))],
    ['weights.bin', new Uint8Array(artifacts!.weightData as ArrayBuffer)],
  ]);
  const sink = fileMapSink();
  await convertTfjsModel(files, sink);
  const m = await loadSavedModel(fileMapSource(sink.files));
  return {
    predict: (xs) => {
      const y = m.predict(xs.length === 1 ? xs[0]! : Object.fromEntries(r.model.inputs.map((t, i) => [t.sourceLayer.name, xs[i]!])));
      // saveModel keys several outputs by their layers' names, as tf.saved_model.save does
      return (y instanceof tf.Tensor ? y : (y as Record<string, tf.Tensor>)[r.model.outputs[0]!.sourceLayer.name]) as tf.Tensor;
    },
    dispose: () => m.dispose(),
  };
}

describe.each(['tfjs graph model', 'layers model.json'])('random models through a %s', (way) => {
  const next = randomModels(way.length * 104729 + 3);
  it.each(Array.from({ length: MODELS_PER_WAY }, (_, i) => i))('model %i predicts as the tfjs model does', async (i) => {
    const r = next();
    const dir = join(tmp.dir, `${way.replace(/\W/g, '_')}-${i}`);
    const back = await roundTrip(way, r, dir);
    try {
      for (const b of BATCHES) {
        const xs = Array.from({ length: r.inputs }, (_, k) => tf.randomNormal([b, ...r.inputShape], 0, 1, 'float32', i * 100 + b * 10 + k));
        const y = r.model.predict(xs.length === 1 ? xs[0]! : xs);
        const want = Array.isArray(y) ? y[0]! : y;
        const got = back.predict(xs);
        expect(got.shape, `${r.desc}, batch ${b}`).toEqual(want.shape);
        const a = want.dataSync(), g = got.dataSync();
        let worst = 0;
        for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - g[j]!) / Math.max(1, Math.abs(a[j]!)));
        expect(worst, `${r.desc}, batch ${b}`).toBeLessThanOrEqual(1e-4);
        tf.dispose([...xs, ...(Array.isArray(y) ? y : [y]), got]);
      }
    } finally {
      back.dispose();
      r.model.dispose();
    }
  }, 60_000);
});
