// loadKerasModel on SavedModels with keras_metadata.pb: TensorFlow's keras_cnn (predicts like
// loadSavedModel on the same folder, compiled with its SGD state), and round trips of a zoo of
// tfjs models through saveKerasModel (same config, same predictions, optimizer state kept).
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource, SavedModelError } from '@savedmodel-js/core';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { saveToZipBlob } from '@savedmodel-js/zip';
import { fixtureFiles } from '../../core/test/shared.js';
import { loadKerasModel, saveKerasModel } from '../src/index.js';
import { KERAS_CNN } from './keras-cnn.js';

const tmp = mkdtempSync(join(tmpdir(), 'keras-load-'));
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function images(n: number, seed = 12345): tf.Tensor {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return tf.tensor4d(Float32Array.from({ length: n * 50 * 50 }, rand), [n, 50, 50, 1]);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('keras_cnn as TensorFlow wrote it', () => {
  it('predicts like loadSavedModel on the same folder (1e-5), compiled with SGD and its iteration count', async () => {
    const model = await loadKerasModel(KERAS_CNN);
    expect(model.name).toBe('sequential_18');
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'Activation', 'MaxPooling2D', 'Flatten', 'Dense', 'Dropout', 'Activation', 'Dense']);
    const sm = await loadSavedModel(KERAS_CNN);
    const x = images(3);
    const want = sm.predict(x) as tf.Tensor;
    const got = model.predict(x) as tf.Tensor;
    expect(got.shape).toEqual([3, 5]);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
    // different inputs give different answers: the weights are really used
    expect(maxAbsDiff(got.slice([0, 0], [1, 5]), got.slice([1, 0], [1, 5]))).toBeGreaterThan(1e-6);
    expect(model.optimizer.getClassName()).toBe('SGD');
    expect((model.optimizer.getConfig() as { learningRate: number }).learningRate).toBeCloseTo(0.0005, 9);
    const iter = (await model.optimizer.getWeights()).find((w) => w.name === 'iter')!;
    expect(iter.tensor.dataSync()[0]).toBe(2990);
    // {compile: false}: weights only
    const plain = await loadKerasModel(KERAS_CNN, { compile: false });
    expect(plain.optimizer).toBeUndefined();
    expect(maxAbsDiff(plain.predict(x) as tf.Tensor, want)).toBeLessThan(1e-5);
  }, 60_000);

  it('reads the same folder as a FileSource, zip bytes and a Blob', async () => {
    const files = fixtureFiles('keras_cnn');
    const x = images(2, 7);
    const want = (await loadSavedModel(KERAS_CNN)).predict(x) as tf.Tensor;
    const ref = (await loadKerasModel(fileMapSource(files))).predict(x) as tf.Tensor;
    expect(maxAbsDiff(ref, want)).toBeLessThan(1e-5);
    const blob = await saveToZipBlob(async (sink) => { for (const [p, d] of files) await sink.write(p, d); });
    expect(maxAbsDiff((await loadKerasModel(blob)).predict(x) as tf.Tensor, ref)).toBe(0);
    expect(maxAbsDiff((await loadKerasModel(new Uint8Array(await blob.arrayBuffer()))).predict(x) as tf.Tensor, ref)).toBe(0);
  }, 60_000);
});

describe('errors', () => {
  it('a SavedModel without keras_metadata.pb is NOT_FOUND; .h5/.keras are not wired yet; unknown options are INVALID_ARGUMENT', async () => {
    const half = join(KERAS_CNN, '..', 'half_plus_two_tf2');
    await expect(loadKerasModel(half)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(loadKerasModel('model.h5')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(loadKerasModel('model.keras')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(loadKerasModel(new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(loadKerasModel(KERAS_CNN, { compiled: false } as never)).rejects.toBeInstanceOf(SavedModelError);
    await expect(loadKerasModel(KERAS_CNN, { compiled: false } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('saveKerasModel: unknown option → INVALID_ARGUMENT; .h5/.keras → UNSUPPORTED; overwrite: false on an existing folder → ALREADY_EXISTS', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    await expect(saveKerasModel(m, fileMapSink(), { includeOptimiser: true } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(saveKerasModel(m, join(tmp, 'x.h5'))).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(saveKerasModel(m, join(tmp, 'x.keras'))).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(saveKerasModel(m, join(tmp, 'x'), { saveFormat: 'h5' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(saveKerasModel(m, join(tmp, 'x'), { saveFormat: 'pb' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const dir = join(tmp, 'exists');
    await saveKerasModel(m, dir);
    await expect(saveKerasModel(m, dir, { overwrite: false })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await saveKerasModel(m, dir); // overwrite defaults to true, as tf.keras
  }, 60_000);
});
