// A tfjs Sequential built with an explicit InputLayer (`model.add(tf.layers.inputLayer(…))`) lists
// that InputLayer in model.layers; Keras's Sequential does not. Every format must number and write
// the layers as Keras does, and name the input after its input layer even when tfjs suffixed the
// tensor's own name: keras_cnn (TF 2.10) is the reference for the SavedModel layout and keys.
import * as tf from '@tensorflow/tfjs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource, readSavedModel, type tensorflow } from '@savedmodel-js/core';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { loadKerasModel, saveKerasH5, saveKerasModel, saveKerasV3 } from '../src/index.js';
import { KERAS_CNN, kerasCnn } from './keras-cnn.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => tf.disposeVariables());

/** keras_cnn's layers (and weights) behind an explicit InputLayer. */
async function explicitInputCnn(): Promise<tf.Sequential> {
  const cnn = await kerasCnn(null);
  const m = tf.sequential({ name: 'sequential_18' });
  m.add(tf.layers.inputLayer({ inputShape: [50, 50, 1], name: 'conv2d_18_input' }));
  for (const l of cnn.layers) m.add(l);
  expect(m.layers[0]!.getClassName()).toBe('InputLayer'); // what makes this case: tfjs lists it
  return m;
}

/** The root's layer dependencies: local name → node id, and which names share a node. */
function layerDeps(sm: tensorflow.ISavedModel): { names: string[]; aliases: string[] } {
  const root = sm.meta_graphs![0]!.object_graph_def!.nodes![0]!;
  const deps = (root.children ?? []).filter((c) => /^layer(_with_weights)?-\d+$/.test(c.local_name ?? ''));
  const byNode = new Map<number, string[]>();
  for (const c of deps) byNode.set(c.node_id ?? 0, [...(byNode.get(c.node_id ?? 0) ?? []), c.local_name ?? '']);
  return {
    names: deps.map((c) => c.local_name ?? '').sort(),
    aliases: [...byNode.values()].filter((v) => v.length > 1).map((v) => v.sort().join('=')).sort(),
  };
}

const x = () => tf.tensor(Float32Array.from({ length: 2 * 50 * 50 }, (_, i) => Math.sin(i * 0.37)), [2, 50, 50, 1]);

describe('a Sequential\'s input, as Keras names and numbers it', () => {
  it('SavedModel: the same layer-N / layer_with_weights-N layout and layer checkpoint keys as TensorFlow wrote for keras_cnn', async () => {
    const { savedModel: ref, checkpoint: refCkpt } = await readSavedModelDir(KERAS_CNN);
    const sink = fileMapSink();
    await saveKerasModel(await explicitInputCnn(), sink, { includeOptimizer: false });
    const { savedModel, checkpoint } = await readSavedModel(fileMapSource(sink.files));
    expect(layerDeps(savedModel)).toEqual(layerDeps(ref));
    const layerKeys = (keys: Iterable<string>) => [...keys].filter((k) => k.startsWith('layer')).sort();
    expect(layerKeys(checkpoint!.keys())).toEqual(layerKeys(refCkpt!.keys()));
  }, 60_000);

  it('keras_cnn built twice in one process: each SavedModel serves the input key TensorFlow wrote (not the suffixed tensor name)', async () => {
    const { savedModel: ref } = await readSavedModelDir(KERAS_CNN);
    const want = Object.keys(ref.meta_graphs![0]!.signature_def!.serving_default!.inputs!);
    const [a, b] = [await kerasCnn(null), await kerasCnn(null)];
    expect(b.inputs[0]!.name).not.toBe(a.inputs[0]!.name); // tfjs suffixed the second one's tensor
    for (const m of [a, b]) {
      const sink = fileMapSink();
      await saveKerasModel(m, sink, { includeOptimizer: false });
      const { savedModel } = await readSavedModel(fileMapSource(sink.files));
      expect(Object.keys(savedModel.meta_graphs![0]!.signature_def!.serving_default!.inputs!)).toEqual(want);
    }
  }, 60_000);

  it.each(['tf', 'h5', 'keras'] as const)('%s: loads back and predicts what the model predicts', async (format) => {
    const model = await explicitInputCnn();
    const sink = fileMapSink();
    let loaded: tf.LayersModel;
    if (format === 'tf') {
      await saveKerasModel(model, sink);
      loaded = await loadKerasModel(fileMapSource(sink.files));
    } else {
      loaded = await loadKerasModel(format === 'h5' ? await saveKerasH5(model) : await saveKerasV3(model));
    }
    const input = x();
    const want = model.predict(input) as tf.Tensor, got = loaded.predict(input) as tf.Tensor;
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    tf.dispose([input, want, got]);
  }, 60_000);

  it('Keras 3: one InputLayer, first, with its batch_shape and dtype', async () => {
    const zip = await JSZip.loadAsync(await saveKerasV3(await explicitInputCnn()));
    const config = JSON.parse(await zip.file('config.json')!.async('string')) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const inputs = config.config.layers.filter((l) => l.class_name === 'InputLayer');
    expect(inputs.length).toBe(1);
    expect(config.config.layers[0]!.class_name).toBe('InputLayer');
    expect(inputs[0]!.config).toMatchObject({ batch_shape: [null, 50, 50, 1], dtype: 'float32', name: 'conv2d_18_input' });
  }, 60_000);
});
