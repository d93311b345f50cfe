// loadSavedModel accepts zip archives: bytes, a Blob, or a .zip path (Node), rooted at the
// SavedModel even under a TF Serving version folder.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { saveToZipBlob } from '@savedmodel-js/zip';
import { exportModel, loadSavedModel } from '../src/index.js';
import { FIXTURES } from '../../core/test/shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'smjs-zip-'));
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function fixtureZip(name: string, rootFolder?: string): Promise<Blob> {
  const src = await readSavedModelDir(join(FIXTURES, name));
  const ck = src.checkpoint!;
  const tensors = ck.entries.map((e) => ({ key: e.key, dtype: e.dtype, shape: e.shape, data: e.dtype === 7 ? ck.stringBytes(e) : ck.bytes(e) }));
  return saveToZipBlob({ savedModel: src.savedModel, checkpoint: tensors }, rootFolder ? { rootFolder } : {});
}

describe('loadSavedModel from a zip', () => {
  it('bytes, Blob and .zip path of a TensorFlow-written model (times_three_float: x·3)', async () => {
    const blob = await fixtureZip('times_three_float', 'times_three/1');
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const path = join(tmp, 'model.zip');
    writeFileSync(path, bytes);
    for (const source of [bytes, blob, path]) {
      const m = await loadSavedModel(source);
      const y = m.predict(tf.scalar(7)) as tf.Tensor;
      expect(y.dataSync()[0]).toBe(21);
      m.dispose();
    }
  });

  it('a model exported by the SDK into a zip answers like the model', async () => {
    const x = tf.input({ shape: [2], name: 'x' });
    const d = tf.layers.dense({ units: 3, name: 'y', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) });
    const model = tf.model({ inputs: x, outputs: d.apply(x) as tf.SymbolicTensor });
    const { zipBlobSink } = await import('@savedmodel-js/zip');
    const sink = zipBlobSink();
    await exportModel(model, sink, { verbose: false });
    const m = await loadSavedModel(sink.blob());
    const input = tf.tensor2d([[1, 2], [-3, 0.5]]);
    const got = m.predict(input) as tf.Tensor;
    const want = model.predict(input) as tf.Tensor;
    const a = got.dataSync(), b = want.dataSync();
    for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
    m.dispose();
  });

  it('a corrupt archive is a typed error', async () => {
    await expect(loadSavedModel(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]))).rejects.toMatchObject({ name: 'SavedModelError' });
  });
});
