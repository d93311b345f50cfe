// A tfjs layers model whose input has unknown spatial dims ([null, null, null, 3]: an upscaler)
// converts to a SavedModel that runs at any size: by our loader, and by tfjs-converter's
// executor (tf.loadGraphModel on the tfjs graph model made back from it), equal to the layers
// model's own predict at two spatial sizes; the SavedModel verifies strictly against TF's registry.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { convertSavedModelToTfjs, convertTfjsModel } from '../src/index.js';
import { expectClose, loadTfjsGraphModel, tempDir, testValues, verifyStrict } from './helpers.js';

const tmp = tempDir('convert-spatial-');
afterAll(() => tmp.cleanup());

let model: tf.LayersModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  model = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [null, null, 3] as unknown as number[], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), name: 'feat' }),
    tf.layers.upSampling2d({ size: [2, 2], name: 'up' }),
    tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: init(2), biasInitializer: 'ones', name: 'rgb' }),
  ] });
});

/** model.json + one weights file, as tfjs' file handlers lay a layers model out. */
async function saveLayers(m: tf.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await m.save(tf.io.withSaveHandler(async (a) => {
    writeFileSync(join(dir, 'w.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: 'test', convertedBy: null, modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return join(dir, 'model.json');
}

describe('layers model with unknown spatial dims', () => {
  it('converts; our loader and tfjs-converter answer like model.predict at 5x7 and 9x4', async () => {
    const saved = join(tmp.dir, 'saved');
    const r = await convertTfjsModel(await saveLayers(model, join(tmp.dir, 'tfjs')), saved);
    expect(r.format).toBe('layers-model');
    expect(await verifyStrict(saved)).toEqual([]);
    const sm = await loadSavedModel(saved);
    const key = sm.inputKeys[0]!;
    expect(sm.inputs[0]!.shape).toEqual([-1, -1, -1, 3]);

    const gdir = join(tmp.dir, 'graph');
    await convertSavedModelToTfjs(saved, gdir);
    const gm = await loadTfjsGraphModel(gdir);
    for (const [b, h, w] of [[1, 5, 7], [2, 9, 4]] as const) {
      const x = tf.tensor4d(testValues(b * h * w * 3, 'float32', h), [b, h, w, 3]);
      const want = model.predict(x) as tf.Tensor;
      expect(want.shape).toEqual([b, 2 * h, 2 * w, 3]);
      const ours = sm.predict({ [key]: x }) as tf.Tensor;
      const google = gm.execute({ [gm.inputs[0]!.name]: x }) as tf.Tensor;
      expect(ours.shape).toEqual(want.shape);
      expect(google.shape).toEqual(want.shape);
      expectClose(ours.dataSync(), want.dataSync(), 1e-5, `loadSavedModel at ${h}x${w}`);
      expectClose(google.dataSync(), want.dataSync(), 1e-5, `tfjs-converter at ${h}x${w}`);
      tf.dispose([x, want, ours, google]);
    }
    gm.dispose();
    sm.dispose();
  });
});
