// What tfjs-layers' own serialization leaves out of a layer config, put back in every Keras format:
// SeparableConv2D's getConfig has no depth_multiplier (Keras's has; tfjs's constructor reads it).
// Without it the file describes a multiplier-1 layer whose depthwise kernel no longer fits: tfjs
// and Keras alike fail to load it. Values are checked against tfjs's predict of the saved model.
import * as tf from '@tensorflow/tfjs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource, third_party } from '@savedmodel-js/core';
import { loadKerasModel, saveKerasH5, saveKerasModel, saveKerasV3 } from '../src/index.js';
import { readHdf5 } from '../src/h5/h5wasm-files.js';
import { randomizeWeights } from './helpers/format-zoo.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => tf.disposeVariables());

function separable(): tf.LayersModel {
  const m = tf.sequential({ layers: [
    tf.layers.separableConv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'sep' }),
    tf.layers.globalAveragePooling2d({}),
  ] });
  randomizeWeights(m, 9);
  return m;
}

/** Every layer config named `name` in a Keras JSON tree. */
function configsNamed(json: unknown, name: string, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(json)) json.forEach((j) => configsNamed(j, name, out));
  else if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    if (o.name === name && 'filters' in o) out.push(o);
    Object.values(o).forEach((v) => configsNamed(v, name, out));
  }
  return out;
}

const x = () => tf.tensor(Float32Array.from({ length: 2 * 6 * 6 * 2 }, (_, i) => Math.cos(i * 0.3)), [2, 6, 6, 2]);

describe('SeparableConv2D depth_multiplier in every Keras format', () => {
  it.each(['tf', 'h5', 'keras'] as const)('%s: the file states it and the model loads and predicts as saved', async (format) => {
    const m = separable();
    expect((m.layers[0]!.getConfig() as { depthMultiplier?: number }).depthMultiplier).toBeUndefined(); // the tfjs gap this covers
    let loaded: tf.LayersModel;
    let configs: Record<string, unknown>[];
    if (format === 'tf') {
      const sink = fileMapSink();
      await saveKerasModel(m, sink, { includeOptimizer: false });
      const md = third_party.py.keras.protobuf.SavedMetadata.decode(sink.files.get('keras_metadata.pb')!);
      configs = md.nodes.flatMap((n) => configsNamed(JSON.parse(n.metadata ?? '{}'), 'sep'));
      loaded = await loadKerasModel(fileMapSource(sink.files));
    } else if (format === 'h5') {
      const bytes = await saveKerasH5(m);
      loaded = await loadKerasModel(bytes);
      const config = await readHdf5('model.h5', bytes, (f) => f.attrs['model_config']!.value as string);
      configs = configsNamed(JSON.parse(config), 'sep');
    } else {
      const bytes = await saveKerasV3(m);
      const zip = await JSZip.loadAsync(bytes);
      configs = configsNamed(JSON.parse(await zip.file('config.json')!.async('string')), 'sep');
      loaded = await loadKerasModel(bytes);
    }
    expect(configs.length).toBeGreaterThan(0);
    for (const c of configs) expect(c.depth_multiplier).toBe(2);
    const [got, want] = [loaded.predict(x()) as tf.Tensor, m.predict(x()) as tf.Tensor];
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-5);
  });
});
