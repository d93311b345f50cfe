// Real graph models an npm package ships: @vladmandic/human@3.3.6 (MIT) bundles eleven, converted
// from TF 2.x exports of several origins (MediaPipe BlazeFace / FaceMesh / Iris / hand landmarks,
// MoveNet from TF Hub, a TF 2.4 Object Detection API SSD with control flow and NonMaxSuppression,
// CenterNet, Keras classifiers), float16- and uint8-quantized. All of them carry attrs TF 2.2 does
// not declare (explicit_paddings=[] on DepthwiseConv2dNative and MaxPool); before those were
// dropped at their TF 2.21 default, none was rebuilt faithfully. Numeric truth: tfjs-converter's
// GraphModel.executeAsync on the original files.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource, getOpDef, isSavedModelError, loadOpRegistry } from '@savedmodel-js/core';
import { saveModel } from '@savedmodel-js/export';
import { loadSavedModel, type TFSavedModel } from '@savedmodel-js/runtime';
import { convertTfjsModel } from '../src/index.js';
import { expectClose, loadTfjsGraphModel, tempDir, testValues, verifyStrict } from './helpers.js';

// The devDependency as installed beside this package (its exports map hides package.json).
const MODELS = fileURLToPath(new URL('../node_modules/@vladmandic/human/models', import.meta.url));
const NAMES = readdirSync(MODELS).filter((f) => f.endsWith('.json') && f !== 'models.json').sort();

const tmp = tempDir('convert-human-');
// The pure-JS cpu backend takes minutes on the detectors' 320² to 512² inputs: wasm.
beforeAll(async () => { await tf.setBackend('wasm'); });
afterAll(async () => {
  tmp.cleanup();
  await tf.setBackend('cpu');
});

/**
 * The same input tensors for tfjs (by node name) and for our SavedModel (by signature key), at the
 * signature's shape where it has one (handtrack's Placeholder is [1,-1,-1,3], its signature 320²),
 * unknown dims 1 (batch) or 64; int32 inputs (a uint8 image) in [0, 255].
 */
function sampleFeeds(original: tf.GraphModel, ours: TFSavedModel, seed: number): { feeds: Record<string, tf.Tensor>; ourFeeds: Record<string, tf.Tensor> } {
  const feeds: Record<string, tf.Tensor> = {};
  const ourFeeds: Record<string, tf.Tensor> = {};
  original.inputs.forEach((t, i) => {
    const shape = (ours.inputs[i]!.shape ?? t.shape ?? []).map((d, k) => (d === -1 ? (k === 0 ? 1 : 64) : d));
    const values = testValues(shape.reduce((a, b) => a * b, 1), 'float32', i + seed).map((v) => (v + 2) / 4);
    const x = t.dtype === 'int32' ? tf.tensor(values.map((v) => Math.floor(v * 255)), shape, 'int32') : tf.tensor(values, shape, t.dtype);
    feeds[t.name] = x;
    ourFeeds[ours.inputKeys[i]!] = x;
  });
  return { feeds, ourFeeds };
}

describe('@vladmandic/human graph models → SavedModel', () => {
  it('ships the eleven models this test expects', () => {
    expect(NAMES).toHaveLength(11);
  });

  for (const name of NAMES) {
    it(`${name}: rebuilt faithfully, verify --strict is clean, every output equals tfjs-converter's`, async () => {
      const out = join(tmp.dir, name.replace(/\.json$/, ''));
      const result = await convertTfjsModel(join(MODELS, name), out);
      expect(result.traced, 'not traced').toBeUndefined();
      for (const op of Object.keys(result.graph!.opHistogram)) expect(getOpDef(op), op).toBeDefined();
      expect(result.graph!.warnings.filter((w) => !w.includes('(added after TF 2.2) dropped at its default'))).toEqual([]);
      expect(await verifyStrict(out)).toEqual([]);

      const original = await loadTfjsGraphModel(MODELS, name);
      const ours = await loadSavedModel(out);
      const sigOut = Object.entries(result.graph!.signature.outputs);
      const { feeds, ourFeeds } = sampleFeeds(original, ours, 3);
      const names = original.outputs.map((o) => o.name);
      const want = [(await original.executeAsync(feeds, names)) as tf.Tensor | tf.Tensor[]].flat();
      const y = await ours.predictAsync(ourFeeds);
      // a single-output signature predicts one Tensor, as tf.GraphModel does
      const got = y instanceof tf.Tensor ? { [sigOut[0]![0]]: y } : (y as Record<string, tf.Tensor>);
      expect(Object.keys(got).sort()).toEqual(sigOut.map(([k]) => k).sort());
      names.forEach((node, i) => {
        const key = sigOut.find(([, v]) => v.name === `${node}:0`)?.[0];
        expect(key, `the signature output reading ${node}`).toBeDefined();
        expect(got[key!]!.shape, key).toEqual(want[i]!.shape);
        // the same dequantized weights; wasm's fused kernels round apart from the split ops slightly
        expectClose(got[key!]!.dataSync(), want[i]!.dataSync(), 1e-4, `${name} ${key}`);
      });
      tf.dispose([...Object.values(feeds), ...want, ...Object.values(got)]);
      original.dispose();
      ours.dispose();
    }, 120_000);
  }
});

// The other path: the GraphModel held in memory, exported by tracing its execute (saveModel). Every
// kernel tfjs runs becomes registry ops; the SavedModel must answer as the GraphModel does.
describe('@vladmandic/human graph models, in memory → saveModel (traced)', () => {
  beforeAll(async () => { await loadOpRegistry(); });

  for (const name of NAMES) {
    it(`${name}: traced, reloaded, every output equals tfjs-converter's`, async () => {
      const original = await loadTfjsGraphModel(MODELS, name);
      const sink = fileMapSink();
      const saved = await saveModel(original as never, sink).then(() => undefined, (e: unknown) => e);
      if (name === 'handtrack.json') {
        // a while loop and NonMaxSuppression: tfjs runs it only with executeAsync, which no single trace can follow
        expect(isSavedModelError(saved, 'UNSUPPORTED'), String(saved)).toBe(true);
        expect((saved as Error).message).toMatch(/only asynchronously/);
        original.dispose();
        return;
      }
      expect(saved).toBeUndefined();
      const ours = await loadSavedModel(fileMapSource(sink.files));
      const { feeds, ourFeeds } = sampleFeeds(original, ours, 5);
      const want = [original.execute(feeds, original.outputs.map((o) => o.name))].flat();
      const y = ours.predict(ours.inputKeys.length === 1 ? ourFeeds[ours.inputKeys[0]!]! : ourFeeds);
      // output keys: model.json's signature keys (or node names), ':0' dropped, in the GraphModel's order
      const keys = (original as unknown as { outputNodes: string[] }).outputNodes.map((k) => k.replace(/:0$/, ''));
      const got = y instanceof tf.Tensor ? [y] : keys.map((k) => (y as Record<string, tf.Tensor>)[k]!);
      want.forEach((w, i) => {
        expect(got[i]?.shape, keys[i]).toEqual(w.shape);
        expectClose(got[i]!.dataSync(), w.dataSync(), 1e-4, `${name} ${keys[i]}`);
      });
      tf.dispose([...Object.values(feeds), ...want, ...got]);
      original.dispose();
      ours.dispose();
    }, 120_000);
  }
});
