// SavedModel (TensorFlow-written fixtures) → tfjs graph model (convertSavedModelToTfjs) → SavedModel
// (convertTfjsModel): tfjs-converter's GraphModel (Google's loader and executor) on the graph
// model predicts like our loader on the original, and our loader on the converted SavedModel
// predicts like both, at batch 1 and 3 where the signature has a free batch dimension.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSavedModel, type TFSavedModel } from '@savedmodel-js/runtime';
import { FIXTURES, FIXTURES_MORE } from '../../core/test/shared.js';
import { convertSavedModelToTfjs, convertTfjsModel } from '../src/index.js';
import { expectClose, loadTfjsGraphModel, tempDir, testValues, verifyStrict } from './helpers.js';

const tmp = tempDir('convert-roundtrip-');
afterAll(() => tmp.cleanup());
beforeAll(async () => { await tf.setBackend('cpu'); });

type Outputs = Record<string, tf.Tensor>;

function inputsFor(m: TFSavedModel, batch: number): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  m.inputs.forEach((t, i) => {
    const shape = (t.shape ?? []).map((d) => (d < 0 ? batch : d));
    const n = shape.reduce((a, b) => a * b, 1);
    out[(m as unknown as { inputKeys: string[] }).inputKeys[i]!] = tf.tensor(testValues(n, t.dtype, i + batch), shape, t.dtype as tf.DataType);
  });
  return out;
}

function normalize(r: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap, keys: string[]): Outputs {
  if (r instanceof tf.Tensor) return { [keys[0]!]: r };
  if (Array.isArray(r)) return Object.fromEntries(keys.map((k, i) => [k, r[i]!]));
  return r as Outputs;
}

const CASES: Array<[string, string]> = [
  ['times_three_float', 'serving_default'],
  ['times_two_int', 'serving_default'],
  ['module_with_multiple_signatures', 'serving_default'],
  ['module_with_multiple_signatures', 'timestwo'],
  ['model_multi_output', 'serving_default'],
  ['model_single_input_multi_output', 'serving_default'],
  ['int64_multiply', 'serving_default'],
  ['uint8_multiply', 'serving_default'],
  ['half_plus_two_tf2', 'serving_default'],
  ['half_plus_two_v1', 'regress_x2_to_y3'],
  ['keras_cnn', 'serving_default'],
];

describe('round trip through a tfjs graph model', () => {
  for (const [fixture, signature] of CASES) {
    it(`${fixture} '${signature}'`, async () => {
      const original = await loadSavedModel(join(FIXTURES, fixture), { signature });
      const gdir = join(tmp.dir, `${fixture}-${signature}-tfjs`);
      const res = await convertSavedModelToTfjs(join(FIXTURES, fixture), gdir, { signature });
      expect(res.files[0]).toBe('model.json');
      const gm = await loadTfjsGraphModel(gdir);
      const sdir = join(tmp.dir, `${fixture}-${signature}-saved`);
      const conv = await convertTfjsModel(join(gdir, 'model.json'), sdir);
      expect(conv.format).toBe('graph-model');
      expect(await verifyStrict(sdir)).toEqual([]);
      const back = await loadSavedModel(sdir);
      const outKeys = (original as unknown as { outputKeys: string[] }).outputKeys;
      expect(Object.keys(conv.graph!.signature.outputs).sort()).toEqual([...outKeys].sort());
      const free = original.inputs.some((t) => (t.shape ?? []).some((d) => d < 0));
      for (const batch of free ? [1, 3] : [1]) {
        const x = inputsFor(original, batch);
        const want = normalize(original.predict(x), outKeys);
        const viaGoogle = normalize(gm.execute(x, outKeys), outKeys);
        const viaBack = normalize(back.predict(x), outKeys);
        for (const k of outKeys) {
          expect(viaGoogle[k]!.shape).toEqual(want[k]!.shape);
          expectClose(viaGoogle[k]!.dataSync() as Float32Array, want[k]!.dataSync() as Float32Array, 1e-5, `${fixture} tfjs ${k}`);
          expectClose(viaBack[k]!.dataSync() as Float32Array, want[k]!.dataSync() as Float32Array, 1e-5, `${fixture} back ${k}`);
        }
      }
      gm.dispose();
      original.dispose();
      back.dispose();
    });
  }
});

describe('a SavedModel that needs the runtime host ops', () => {
  it('is refused, naming the node (a lookup table cannot live in a tfjs graph model)', async () => {
    const dir = join(FIXTURES_MORE, 'tf_StaticHashTableModule');
    const err = await convertSavedModelToTfjs(dir, join(tmp.dir, 'table-tfjs')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNSUPPORTED' });
    expect(String((err as Error).message)).toMatch(/node ".+" needs an op TensorFlow\.js cannot run/);
  });
});
