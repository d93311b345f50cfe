// Issue 14 item 3: saveKerasModel passes SaveOptions.saveDebugInfo through to the SavedModel writer.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, tensorflow } from '@savedmodel-js/core';
import { saveKerasModel } from '../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('saveKerasModel options.saveDebugInfo', () => {
  it('writes debug/saved_model_debug_info.pb with every function node traced', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: 'd1' })] });
    const plain = fileMapSink();
    await saveKerasModel(model, plain);
    expect(plain.files.has('debug/saved_model_debug_info.pb')).toBe(false);

    const sink = fileMapSink();
    await saveKerasModel(model, sink, { options: { saveDebugInfo: true } });
    const info = tensorflow.GraphDebugInfo.decode(sink.files.get('debug/saved_model_debug_info.pb')!);
    const graph = tensorflow.SavedModel.decode(sink.files.get('saved_model.pb')!).meta_graphs[0]!.graph_def!;
    for (const f of graph.library?.function ?? []) {
      for (const n of f.node_def ?? []) expect(info.traces[`${n.name}@${f.signature!.name}`], `${n.name}@${f.signature!.name}`).toBeDefined();
    }
    // Keras's per-layer functions are traced without layer hooks (their node names must stay as
    // Keras writes them), so their frames name the tfjs kernel only — no layer path yet.
    const matmuls = (graph.library?.function ?? []).flatMap((f) => (f.node_def ?? []).filter((n) => n.op === 'MatMul').map((n) => `${n.name}@${f.signature!.name}`));
    expect(matmuls.length).toBeGreaterThan(0);
    for (const key of matmuls) {
      const files = info.traces[key]!.file_line_cols.map((c) => info.files[c.file_index]!);
      expect(files, key).toContain('tfjs-kernel:_FusedMatMul');
    }
  });
});
