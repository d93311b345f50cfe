// Wrapper and recurrent layers in a Keras SavedModel. tf.keras 2.x tracks what a layer holds, not
// the weights themselves: an RNN its `cell` (StackedRNNCells its `cells` list), Bidirectional its two RNN copies as `forward_layer` / `backward_layer` (each with its
// `cell`), TimeDistributed its layer as `layer` (tf_keras/layers/rnn/bidirectional.py and
// base_wrapper.py). Both RNN copies hold weights of the same names, so a flat layout on the wrapper
// cannot tell them apart: the backward RNN used to load the forward one's weights. The reference for
// values is tfjs's own predict of the model that was saved.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource, readSavedModel, tensorflow, third_party } from '@savedmodel-js/core';
import { loadKerasModel, saveKerasModel } from '../src/index.js';
import { mulberry32 } from '../../core/test/checkpoint-prng.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => tf.disposeVariables());

type Merge = 'concat' | 'sum' | 'ave' | 'mul';

/** Bidirectional(LSTM) → TimeDistributed(Dense); every weight its own seeded values. */
function wrappedModel(mergeMode: Merge): tf.LayersModel {
  const m = tf.sequential({ layers: [
    tf.layers.bidirectional({ inputShape: [5, 3], layer: tf.layers.lstm({ units: 2, returnSequences: true }) as tf.RNN, mergeMode }),
    tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'tanh' }) }),
  ] });
  const r = mulberry32(mergeMode.length * 31 + 7);
  for (const w of m.weights) {
    const t = tf.tensor(Float32Array.from({ length: w.shape.reduce((a: number, b) => a * (b ?? 1), 1) }, () => r() - 0.5), w.shape as number[]);
    w.write(t);
    t.dispose();
  }
  return m;
}

const input = () => tf.tensor(Float32Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i * 0.71)), [2, 5, 3]);

async function saved(m: tf.LayersModel): Promise<Map<string, Uint8Array>> {
  const sink = fileMapSink();
  await saveKerasModel(m, sink, { includeOptimizer: false });
  return sink.files;
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** The child named `name` of object-graph node `id`. */
function child(nodes: tensorflow.ISavedObject[], id: number, name: string): number {
  const c = (nodes[id]!.children ?? []).find((r) => r.local_name === name);
  if (!c) throw new Error(`node ${id} has no child ${name}: ${(nodes[id]!.children ?? []).map((r) => r.local_name).join(', ')}`);
  return c.node_id ?? 0;
}

describe('wrapper layers through a Keras SavedModel', () => {
  it.each(['concat', 'sum', 'ave', 'mul'] as const)('Bidirectional (%s) + TimeDistributed: loadKerasModel predicts as the saved model', async (mode) => {
    const m = wrappedModel(mode);
    const [fw, bw] = [m.layers[0]!.getWeights()[0]!, m.layers[0]!.getWeights()[3]!];
    expect(maxDiff(fw, bw)).toBeGreaterThan(0.01); // the two RNNs differ, or a swap goes unseen
    const loaded = await loadKerasModel(fileMapSource(await saved(m)));
    const x = input();
    expect(maxDiff(loaded.predict(x) as tf.Tensor, m.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
    m.weights.forEach((w, i) => expect(maxDiff(w.read(), loaded.weights[i]!.read())).toBe(0));
  });

  it('the object graph tracks forward_layer / backward_layer (each with its cell) and TimeDistributed\'s layer, as tf.keras does', async () => {
    const m = wrappedModel('concat');
    const files = await saved(m);
    const { savedModel } = await readSavedModel(fileMapSource(files));
    const nodes = savedModel.meta_graphs![0]!.object_graph_def!.nodes!;
    const variableName = (id: number) => nodes[id]!.variable?.name;
    const bidi = child(nodes, 0, 'layer_with_weights-0');
    for (const [attr, rnn] of [['forward_layer', m.layers[0]!.weights.slice(0, 3)], ['backward_layer', m.layers[0]!.weights.slice(3)]] as const) {
      const layer = child(nodes, bidi, attr);
      expect(nodes[layer]!.user_object?.identifier).toBe('_tf_keras_rnn_layer');
      const cell = child(nodes, layer, 'cell');
      expect(['kernel', 'recurrent_kernel', 'bias'].map((n) => variableName(child(nodes, cell, n)))).toEqual(rnn.map((w) => w.name));
    }
    expect((nodes[bidi]!.children ?? []).map((c) => c.local_name)).not.toContain('kernel');
    const td = child(nodes, 0, 'layer_with_weights-1');
    const inner = child(nodes, td, 'layer');
    expect(['kernel', 'bias'].map((n) => variableName(child(nodes, inner, n)))).toEqual(m.layers[1]!.weights.map((w) => w.name));

    // keras_metadata.pb: an entry per wrapped layer, configured as the copy it is
    const md = third_party.py.keras.protobuf.SavedMetadata.decode(files.get('keras_metadata.pb')!);
    const entry = (path: string) => JSON.parse(md.nodes.find((n) => n.node_path === path)!.metadata!) as { class_name: string; config: { name: string; go_backwards?: boolean } };
    const f = entry('root.layer_with_weights-0.forward_layer'), b = entry('root.layer_with_weights-0.backward_layer');
    expect([f.class_name, f.config.go_backwards, b.class_name, b.config.go_backwards]).toEqual(['LSTM', false, 'LSTM', true]);
    expect(entry('root.layer_with_weights-1.layer').class_name).toBe('Dense');
  });

  it('a file with the earlier flat layout (the wrapped weights on the wrapper, repeated names suffixed) still loads right', async () => {
    const m = wrappedModel('sum');
    const files = await saved(m);
    // rewrite the object graph as savedmodel-js wrote it before: kernel, …, kernel_1, … on the wrapper
    const sm = tensorflow.SavedModel.decode(files.get('saved_model.pb')!);
    const nodes = sm.meta_graphs[0]!.object_graph_def!.nodes;
    const flatten = (id: number, attrs: string[], cellOf: (n: number) => number) => {
      const refs: tensorflow.TrackableObjectGraph.TrackableObject.IObjectReference[] = [];
      const used = new Set<string>();
      for (const a of attrs) {
        const holder = cellOf(child(nodes, id, a));
        for (const r of nodes[holder]!.children!.filter((c) => nodes[c.node_id ?? 0]!.variable)) {
          let n = r.local_name!;
          for (let i = 1; used.has(n); i++) n = `${r.local_name}_${i}`;
          used.add(n);
          refs.push({ node_id: r.node_id, local_name: n });
        }
      }
      nodes[id]!.children = [...nodes[id]!.children.filter((c) => !attrs.includes(c.local_name!)), ...refs];
    };
    flatten(child(nodes, 0, 'layer_with_weights-0'), ['forward_layer', 'backward_layer'], (n) => child(nodes, n, 'cell'));
    flatten(child(nodes, 0, 'layer_with_weights-1'), ['layer'], (n) => n);
    expect(nodes[child(nodes, 0, 'layer_with_weights-0')]!.children.map((c) => c.local_name)).toContain('kernel_1');
    const old = new Map(files).set('saved_model.pb', tensorflow.SavedModel.encode(sm).finish());
    const loaded = await loadKerasModel(fileMapSource(old));
    const x = input();
    expect(maxDiff(loaded.predict(x) as tf.Tensor, m.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
  });
});

/** Every weight of `m` its own seeded values. */
function distinct(m: tf.LayersModel, seed: number): tf.LayersModel {
  const r = mulberry32(seed);
  for (const w of m.weights) {
    const t = tf.tensor(Float32Array.from({ length: w.shape.reduce((a: number, b) => a * (b ?? 1), 1) }, () => r() - 0.5), w.shape as number[]);
    w.write(t);
    t.dispose();
  }
  return m;
}

describe('recurrent layers tracked through their cells', () => {
  const cases: [string, () => tf.LayersModel, number[], string[][]][] = [
    ['RNN of stacked cells (LSTMCell, GRUCell)', () => tf.sequential({ layers: [tf.layers.rnn({ inputShape: [4, 3], cell: [tf.layers.lstmCell({ units: 3 }), tf.layers.gruCell({ units: 2 })], returnSequences: true })] }),
      [2, 4, 3], [['cell', 'cells', '0', 'kernel'], ['cell', 'cells', '0', 'recurrent_kernel'], ['cell', 'cells', '0', 'bias'], ['cell', 'cells', '1', 'kernel'], ['cell', 'cells', '1', 'recurrent_kernel'], ['cell', 'cells', '1', 'bias']]],
    ['RNN of one SimpleRNNCell', () => tf.sequential({ layers: [tf.layers.rnn({ inputShape: [4, 3], cell: tf.layers.simpleRNNCell({ units: 3 }) })] }),
      [2, 4, 3], [['cell', 'kernel'], ['cell', 'recurrent_kernel'], ['cell', 'bias']]],
    ['ConvLSTM2D', () => tf.sequential({ layers: [tf.layers.convLstm2d({ inputShape: [2, 5, 5, 1], filters: 2, kernelSize: 3, padding: 'same' })] }),
      [2, 2, 5, 5, 1], [['cell', 'kernel'], ['cell', 'recurrent_kernel'], ['cell', 'bias']]],
  ];
  it.each(cases)('%s: each weight under its cell, as tf.keras tracks it; loadKerasModel predicts as the saved model', async (_, make, shape, paths) => {
    const m = distinct(make(), shape.length);
    const files = await saved(m);
    const { savedModel } = await readSavedModel(fileMapSource(files));
    const nodes = savedModel.meta_graphs![0]!.object_graph_def!.nodes!;
    const layer = child(nodes, 0, 'layer_with_weights-0');
    expect(nodes[layer]!.user_object?.identifier).toBe('_tf_keras_rnn_layer');
    const found = paths.map((p) => nodes[p.reduce((id, name) => child(nodes, id, name), layer)]!.variable?.name);
    expect(found).toEqual(m.layers[0]!.weights.map((w) => w.name));
    const loaded = await loadKerasModel(fileMapSource(files));
    const x = tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.61)), shape);
    expect(maxDiff(loaded.predict(x) as tf.Tensor, m.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
  });
});
