// The rest of the tracing issue's zoo, through the whole pipeline: saveModel → verify --strict →
// loadSavedModel (tfjs-converter executes the frozen graph) → same answers as the tfjs model at
// batch sizes 1, 3 and 17 (1e-5 relative; 1e-4 for the recurrent layers).
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { tensorflow } from '@savedmodel-js/core';
import { fingerprint64 } from '@savedmodel-js/core/internal';
import { saveModel } from '../src/index.js';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { cleanupTempDirs, expectValid, inputOf, maxRelDiff, runAll, tempDir } from './export-util.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(cleanupTempDirs);

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

function tokens(shape: number[], vocab: number, seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Int32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; v[i] = s % vocab; }
  // A Sequential's input is float32 (as in Keras); Embedding casts the token ids.
  return tf.tensor(Float32Array.from(v), shape, 'float32');
}

interface Case { name: string; make: () => tf.LayersModel; input: (batch: number) => tf.Tensor; tol: number }

const CASES: Case[] = [
  {
    name: 'Embedding + GlobalAveragePooling1D text classifier',
    make: () => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 7, embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 3 }) }),
      tf.layers.globalAveragePooling1d({}),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(4) }),
    ] }),
    input: (b) => tokens([b, 7], 50, b * 11), tol: 1e-5,
  },
  {
    name: 'GRU with fixed timesteps',
    make: () => tf.sequential({ layers: [
      tf.layers.gru({ units: 5, inputShape: [4, 3], kernelInitializer: init(5), recurrentInitializer: init(6) }),
      tf.layers.dense({ units: 2, kernelInitializer: init(7) }),
    ] }),
    input: (b) => inputOf([b, 4, 3], b * 13), tol: 1e-4,
  },
  {
    name: 'LSTM with fixed timesteps, returning sequences',
    make: () => tf.sequential({ layers: [
      tf.layers.lstm({ units: 4, inputShape: [5, 2], returnSequences: true, kernelInitializer: init(8), recurrentInitializer: init(9) }),
    ] }),
    input: (b) => inputOf([b, 5, 2], b * 17), tol: 1e-4,
  },
  {
    name: 'Conv1D',
    make: () => tf.sequential({ layers: [
      tf.layers.conv1d({ filters: 4, kernelSize: 3, inputShape: [10, 2], activation: 'relu', kernelInitializer: init(10) }),
      tf.layers.flatten({}),
      tf.layers.dense({ units: 2, kernelInitializer: init(11) }),
    ] }),
    input: (b) => inputOf([b, 10, 2], b * 19), tol: 1e-5,
  },
  {
    name: 'Conv2DTranspose + UpSampling2D',
    make: () => tf.sequential({ layers: [
      tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', inputShape: [4, 4, 2], kernelInitializer: init(12) }),
      tf.layers.upSampling2d({ size: [2, 2] }),
    ] }),
    input: (b) => inputOf([b, 4, 4, 2], b * 23), tol: 1e-5,
  },
  {
    // Conv3DBackpropInputV2: tfjs-converter has no mapping; the runtime registers one
    name: 'Conv3DTranspose',
    make: () => tf.sequential({ layers: [
      tf.layers.conv3dTranspose({ filters: 2, kernelSize: [2, 3, 2], strides: [2, 1, 2], padding: 'same', inputShape: [3, 3, 2, 2], kernelInitializer: init(13) }),
    ] }),
    input: (b) => inputOf([b, 3, 3, 2, 2], b * 29), tol: 1e-5,
  },
  {
    name: 'CenterCrop (tfjs builds one crop box per image in JS)',
    make: () => tf.sequential({ layers: [
      tf.layers.zeroPadding2d({ padding: 1, inputShape: [5, 6, 2] }),
      tf.layers.centerCrop({ height: 3, width: 4 }),
      tf.layers.conv2d({ filters: 2, kernelSize: 2, kernelInitializer: init(14) }),
    ] }),
    input: (b) => inputOf([b, 5, 6, 2], b * 31), tol: 1e-5,
  },
  {
    name: 'LayerNormalization',
    make: () => tf.sequential({ layers: [
      tf.layers.dense({ units: 6, inputShape: [5], kernelInitializer: init(13) }),
      tf.layers.layerNormalization({}),
    ] }),
    input: (b) => inputOf([b, 5], b * 29), tol: 1e-5,
  },
];

describe('tracing zoo: saveModel → loadSavedModel → predict', () => {
  for (const c of CASES) {
    it(`${c.name}: answers as the model at batch 1, 3, 17`, async () => {
      const model = c.make();
      const dir = join(tempDir(), 'model');
      await saveModel(model, dir);
      await expectValid(dir);
      // fingerprint.pb, as TF ≥ 2.12 writes it: hashes of the files actually written
      const fp = tensorflow.FingerprintDef.decode(readFileSync(join(dir, 'fingerprint.pb')));
      expect(fp.checkpoint_hash.toString()).toBe(fingerprint64(readFileSync(join(dir, 'variables/variables.index'))).toString());
      expect(fp.saved_model_checksum.toString()).toBe(fingerprint64(readFileSync(join(dir, 'saved_model.pb'))).toString());
      const loaded = await loadSavedModel(dir);
      const key = model.inputs[0]!.sourceLayer.name;
      for (const batch of [1, 3, 17]) {
        const x = c.input(batch);
        const want = model.predict(x) as tf.Tensor;
        const got = runAll(loaded, { [key]: x });
        expect(Object.keys(got)).toHaveLength(1);
        expect(maxRelDiff(Object.values(got)[0]!, want)).toBeLessThan(c.tol);
      }
      loaded.dispose();
    });
  }
});
