// Round trips: a tfjs model written with saveModel / exportModel is loaded back with loadSavedModel
// (the signature frozen and run by tfjs-converter) and must answer like the model itself
// (relative error 1e-5) at batch sizes 1, 3 and 17.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel, saveModel } from '../src/index.js';
import { getMetaGraphsFromSavedModel, loadSavedModel } from '@savedmodel-js/runtime';
import { mobileNetV2Like } from '../../trace/test/helpers/zoo.js';
import { cnn, mlp, multiIO } from './export-models.js';
import { cleanupTempDirs, expectValid, inputOf, maxRelDiff, runAll, tempDir } from './export-util.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(cleanupTempDirs);

const BATCHES = [1, 3, 17];

interface Case {
  name: string;
  make: () => tf.LayersModel;
  /** input keys (the model's input names; tfjs makes them unique per process, so read them off the model) */
  inputKeys: RegExp[];
  outputNames: string[];
}

const CASES: Case[] = [
  { name: 'MLP', make: mlp, inputKeys: [/^mlp_hidden_input/], outputNames: ['mlp_probs'] },
  { name: 'CNN', make: cnn, inputKeys: [/^cnn_conv_input/], outputNames: ['cnn_out'] },
  { name: 'functional, two inputs and two outputs', make: multiIO, inputKeys: [/^extra/, /^features/], outputNames: ['gate', 'scores'] },
];

function inputKeys(model: tf.LayersModel, c: Case): string[] {
  // the input layers' names, as Keras names a model's inputs (not the SymbolicTensors' own names,
  // which tfjs suffixes when a model like this one was built before in the process)
  const keys = model.inputs.map((t) => t.sourceLayer.name).sort();
  keys.forEach((k, i) => expect(k).toMatch(c.inputKeys[i]!));
  return keys;
}

function feedsFor(model: tf.LayersModel, batch: number, seed: number): { list: tf.Tensor[]; byName: Record<string, tf.Tensor> } {
  const list = model.inputs.map((inp, i) => inputOf([batch, ...(inp.shape.slice(1) as number[])], seed + i));
  const byName = Object.fromEntries(model.inputs.map((t, i) => [t.sourceLayer.name, list[i]!]));
  return { list, byName };
}

function expected(model: tf.LayersModel, list: tf.Tensor[]): tf.Tensor[] {
  const r = model.predict(list.length === 1 ? list[0]! : list);
  return Array.isArray(r) ? r : [r];
}

describe('saveModel(tf.LayersModel) → loadSavedModel → predict', () => {
  for (const c of CASES) {
    it(`${c.name}: serving_default keyed by input / output names, batch None, answers as the model at batch 1, 3, 17`, async () => {
      const model = c.make();
      const dir = join(tempDir(), 'model');
      const summary = await saveModel(model, dir);
      expect(Object.keys(summary.signatures)).toEqual(['serving_default']);
      const loadedProto = await expectValid(dir);
      const sig = loadedProto.savedModel.meta_graphs[0]!.signature_def!.serving_default!;
      expect(Object.keys(sig.inputs!).sort()).toEqual(inputKeys(model, c));
      expect(Object.keys(sig.outputs!).sort()).toEqual(c.outputNames);
      for (const info of Object.values(sig.inputs!)) expect(Number(info.tensor_shape!.dim![0]!.size)).toBe(-1);
      // Keras-style checkpoint keys
      expect(loadedProto.checkpoint!.keys().filter((k) => k.startsWith('layer_with_weights-0/'))).not.toEqual([]);

      const loaded = await loadSavedModel(dir);
      const outputKeysByModelOrder = model.outputs.map((o) => o.sourceLayer.name);
      for (const batch of BATCHES) {
        const { list, byName } = feedsFor(model, batch, batch * 7);
        const want = expected(model, list);
        const got = runAll(loaded, byName);
        outputKeysByModelOrder.forEach((k, i) => expect(maxRelDiff(got[k]!, want[i]!)).toBeLessThan(1e-5));
      }
      loaded.dispose();
    });
  }
});

describe('exportModel (Keras 3 Model.export) → loadSavedModel', () => {
  for (const c of CASES) {
    it(`${c.name}: serve and serving_default answer as the model at batch 1, 3, 17`, async () => {
      const model = c.make();
      const dir = join(tempDir(), 'exported');
      const logs: string[] = [];
      const summary = await exportModel(model, dir, { verbose: true, logger: (m) => logs.push(m) });
      expect(Object.keys(summary.signatures).sort()).toEqual(['serve', 'serving_default']);
      await expectValid(dir);
      const metas = await getMetaGraphsFromSavedModel(dir);
      expect(Object.keys(metas[0]!.signatureDefs).sort()).toEqual(['serve', 'serving_default']);
      expect(Object.keys(metas[0]!.signatureDefs.serve!.inputs).sort()).toEqual(inputKeys(model, c));
      const outKeys = model.outputs.length === 1 ? ['output_0'] : model.outputs.map((_, i) => `output_${i}`);
      expect(Object.keys(metas[0]!.signatureDefs.serve!.outputs).sort()).toEqual(outKeys);
      expect(logs.join('\n')).toMatch(/Saved artifact at '.*exported'\. The following endpoints are available:/);
      for (const signature of ['serve', 'serving_default']) {
        const loaded = await loadSavedModel(dir, { signature });
        for (const batch of BATCHES) {
          const { list, byName } = feedsFor(model, batch, batch * 11);
          const want = expected(model, list);
          const got = runAll(loaded, byName);
          outKeys.forEach((k, i) => expect(maxRelDiff(got[k]!, want[i]!)).toBeLessThan(1e-5));
        }
        loaded.dispose();
      }
    });
  }
});

describe('more architectures', () => {
  it('MobileNetV2-like (the trace package\'s zoo model: Conv2D, DepthwiseConv2D, BatchNormalization, ReLU6, Add) via exportModel, batch 1, 3, 17', async () => {
    const model = mobileNetV2Like();
    const dir = join(tempDir(), 'mobilenet');
    await exportModel(model, dir, { verbose: false });
    await expectValid(dir);
    const loaded = await loadSavedModel(dir);
    for (const batch of BATCHES) {
      const x = inputOf([batch, 32, 32, 3], batch);
      expect(maxRelDiff(runAll(loaded, [x]).output_0!, model.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
    }
  });

  it('int32 token input, Embedding, LSTM and a nested Sequential via saveModel: nested checkpoint keys, batch 1, 3, 17', async () => {
    const inner = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, name: 'rt_inner_dense' })] });
    const tokens = tf.input({ shape: [5], dtype: 'int32', name: 'tokens' });
    let h = tf.layers.embedding({ inputDim: 20, outputDim: 4, name: 'rt_emb' }).apply(tokens) as tf.SymbolicTensor;
    h = tf.layers.lstm({ units: 4, name: 'rt_lstm' }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: tokens, outputs: inner.apply(h) as tf.SymbolicTensor });
    const dir = join(tempDir(), 'nested');
    const summary = await saveModel(model, dir);
    expect(summary.variables.map((v) => v.checkpointKey)).toEqual([
      'layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-1/recurrent_kernel/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-2/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-2/layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE',
    ]);
    await expectValid(dir);
    const loaded = await loadSavedModel(dir);
    const key = loaded.inputKeys[0]!;
    for (const batch of BATCHES) {
      const ids = tf.tensor2d(Array.from({ length: batch * 5 }, (_, i) => (i * 7 + batch) % 20), [batch, 5], 'int32');
      const got = Object.values(runAll(loaded, { [key]: ids }))[0]!;
      expect(maxRelDiff(got, model.predict(ids) as tf.Tensor)).toBeLessThan(1e-5);
    }
  });
});
