// Layers model.json files as tfjs 4.x's own model.save writes them, including what it leaves out:
// SeparableConv2D without depth_multiplier. tfjs cannot load such a file back (the layer is built
// with multiplier 1); convertTfjsModel reads the multiplier off the depthwise kernel's shape in the
// weights manifest, and the SavedModel predicts as the model that was saved.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource } from '@savedmodel-js/core';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { convertTfjsModel } from '../src/index.js';
import { expectClose, testValues } from './helpers.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => tf.disposeVariables());

/** model.json + w.bin as tfjs's own save writes them, in memory. */
async function savedByTfjs(m: tf.LayersModel): Promise<{ files: Map<string, Uint8Array>; artifacts: tf.io.ModelArtifacts }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const a = artifacts!;
  const json = { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }] };
  return { files: new Map([['model.json', new TextEncoder().encode(JSON.stringify(json))], ['w.bin', new Uint8Array(a.weightData as ArrayBuffer)]]), artifacts: a };
}

describe('tfjs model.save output that tfjs cannot load back', () => {
  it('SeparableConv2D with depthMultiplier 3 (nested in a functional model): converted, predicts as saved', async () => {
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const inner = tf.sequential({ name: 'inner', layers: [
      tf.layers.separableConv2d({ inputShape: [5, 5, 2], filters: 4, kernelSize: 3, depthMultiplier: 3, padding: 'same', depthwiseInitializer: init(1), pointwiseInitializer: init(2), name: 'sep' }),
    ] });
    const x = tf.input({ shape: [5, 5, 2] });
    const m = tf.model({ inputs: x, outputs: tf.layers.globalAveragePooling2d({}).apply(inner.apply(x)) as tf.SymbolicTensor });
    const { files, artifacts } = await savedByTfjs(m);
    expect(JSON.stringify(artifacts.modelTopology)).not.toContain('depth_multiplier'); // the gap
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts))).rejects.toThrow(/[Ss]hape/);

    const sink = fileMapSink();
    await convertTfjsModel(files, sink);
    const back = await loadSavedModel(fileMapSource(sink.files));
    const input = tf.tensor(testValues(2 * 50, 'float32', 3), [2, 5, 5, 2]);
    expectClose((back.predict(input) as tf.Tensor).dataSync(), (m.predict(input) as tf.Tensor).dataSync(), 1e-5, 'converted vs saved model');
    back.dispose();
  });
});
