// A tiny file whose config asks for huge layers: tfjs would allocate and initialize every weight
// the config describes before a stored value is read (Dense(20000) on a 20000-wide input: 17 s and
// 1.8 GB, in an earlier release). Every Keras loader builds the model within the weights its file
// stores: LIMIT_EXCEEDED naming the layer and weight, before the allocation.
import * as tf from '@tensorflow/tfjs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource, third_party } from '@savedmodel-js/core';
import { exportSavedModelV1, loadFromSavedModel, loadKerasH5, loadKerasModel, loadKerasV3, saveKerasH5, saveKerasModel, saveKerasV3 } from '../src/index.js';
import { h5StringAttr, withH5StringAttr } from './helpers/h5-attrs.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => tf.disposeVariables());

const N = 20000;
const small = () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, name: 'd' })] });
/** A Keras JSON config (any form) with the Dense layer made N × N. */
const huge = (json: string) => json.replace(/"units": ?3/g, `"units": ${N}`).replace(/\[null, ?4\]/g, `[null, ${N}]`);

async function expectRefused(load: Promise<unknown>): Promise<void> {
  const rss0 = process.memoryUsage().rss;
  const err = await load.then(() => undefined, (e: unknown) => e);
  expect(err, String(err)).toMatchObject({ code: 'LIMIT_EXCEEDED', key: 'd/kernel' });
  expect((err as Error).message).toMatch(new RegExp(`layer d would make weight kernel of shape \\[4, ${N}\\]|\\[${N}, ${N}\\]`));
  expect(process.memoryUsage().rss - rss0).toBeLessThan(512 * 2 ** 20); // the 1.6 GB kernel was never made
}

describe('configs asking for more weights than their file stores', () => {
  it('.keras', async () => {
    const zip = await JSZip.loadAsync(await saveKerasV3(small()));
    zip.file('config.json', huge(await zip.file('config.json')!.async('string')));
    await expectRefused(loadKerasV3(await zip.generateAsync({ type: 'uint8array' })));
  });

  it('.h5', async () => {
    const bytes = await saveKerasH5(small());
    await expectRefused(loadKerasH5(await withH5StringAttr(bytes, 'model_config', huge((await h5StringAttr(bytes, 'model_config'))!))));
  });

  it('Keras SavedModel (keras_metadata.pb)', async () => {
    const sink = fileMapSink();
    await saveKerasModel(small(), sink);
    const Meta = third_party.py.keras.protobuf.SavedMetadata;
    const md = Meta.decode(sink.files.get('keras_metadata.pb')!);
    const nodes = md.nodes.map((n) => (n.node_path === 'root' ? { ...n, metadata: huge(n.metadata ?? '') } : n));
    const files = new Map(sink.files).set('keras_metadata.pb', Meta.encode({ nodes } as never).finish());
    await expectRefused(loadKerasModel(fileMapSource(files)));
  });

  it('TF1 export (assets/saved_model.json)', async () => {
    const sink = fileMapSink();
    await exportSavedModelV1(small(), sink);
    const key = [...sink.files.keys()].find((k) => k.endsWith('assets/saved_model.json'))!;
    const files = new Map(sink.files).set(key, new TextEncoder().encode(huge(new TextDecoder().decode(sink.files.get(key)!))));
    await expectRefused(loadFromSavedModel(fileMapSource(files)));
  });

  it('an initializer config tfjs would draw from forever (VarianceScaling, normal, a scale that is no number): the weights come from the file, nothing is drawn', async () => {
    const m = small();
    const zip = await JSZip.loadAsync(await saveKerasV3(m));
    const config = (await zip.file('config.json')!.async('string')).replace(/"scale": ?1(\.0)?,/, '"scale": {"class_name": "Nope", "config": {}},').replace(/"distribution": ?"uniform"/, '"distribution": "normal"');
    expect(config).toContain('"Nope"');
    zip.file('config.json', config);
    const back = await loadKerasV3(await zip.generateAsync({ type: 'uint8array' }));
    expect(back.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(m.getWeights().map((w) => Array.from(w.dataSync())));
  }, 20_000);

  it('a config within its weights still loads (the budget is what the file stores)', async () => {
    const m = small();
    const back = await loadKerasV3(await saveKerasV3(m));
    expect(back.getWeights().map((w) => w.shape)).toEqual(m.getWeights().map((w) => w.shape));
  });
});

// Found by the loaders fuzz (FUZZ_SEED=3000): `"optimizer": null` in a .keras compile_config was a
// TypeError. What is not an optimizer (null, a number, an array, a class_name that is no string) in
// the compile or training config leaves the model uncompiled, with a warning, as a missing one does.
describe('compile configs whose optimizer is not one', () => {
  const compiled = () => {
    const m = small();
    m.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    return m;
  };
  const NOT_OPTIMIZERS: unknown[] = [null, 5, [], ['Adam'], { class_name: null }, { class_name: 7, config: {} }];

  it('.keras compile_config.optimizer, and compile_config itself', async () => {
    const m = compiled();
    const zip = await JSZip.loadAsync(await saveKerasV3(m));
    const config = JSON.parse(await zip.file('config.json')!.async('string'));
    expect(config.compile_config.optimizer).toBeTruthy();
    const variants = [...NOT_OPTIMIZERS.map((o) => ({ ...config, compile_config: { ...config.compile_config, optimizer: o } })), { ...config, compile_config: 5 }];
    for (const v of variants) {
      zip.file('config.json', JSON.stringify(v));
      const warnings: string[] = [];
      const back = await loadKerasV3(await zip.generateAsync({ type: 'uint8array' }), { onWarning: (w) => warnings.push(w) });
      expect(back.optimizer, JSON.stringify(v.compile_config)).toBeUndefined();
      expect(warnings.join('\n')).toMatch(/not compiled/);
      expect(back.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(m.getWeights().map((w) => Array.from(w.dataSync())));
    }
  }, 30_000);

  it('.h5 training_config.optimizer_config, and training_config itself', async () => {
    const bytes = await saveKerasH5(compiled());
    const tc = JSON.parse((await h5StringAttr(bytes, 'training_config'))!);
    expect(tc.optimizer_config.class_name).toBe('Adam');
    for (const v of [...NOT_OPTIMIZERS.map((o) => JSON.stringify({ ...tc, optimizer_config: o })), 'null', '5']) {
      const warnings: string[] = [];
      const back = await loadKerasH5(await withH5StringAttr(bytes, 'training_config', v), { onWarning: (w) => warnings.push(w) });
      expect(back.optimizer, v).toBeUndefined();
      expect(warnings.join('\n')).toMatch(/not compiled/);
    }
  }, 30_000);
});

// Found by the loaders fuzz: a real Keras 2 .h5 whose LSTM entry lost its "name" hung loadKerasH5
// (tfjs-layers retries a layer call whose input never appears forever); now CORRUPT at once.
describe('functional configs tfjs would rebuild forever', () => {
  it('.h5 (lstm_functional_tf_keras_2.h5, TF-written): a layer entry without its name', async () => {
    const { readFileSync } = await import('node:fs');
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/keras2/lstm_functional_tf_keras_2.h5', import.meta.url)));
    const config = JSON.parse((await h5StringAttr(bytes, 'model_config'))!) as { config: { layers: Array<{ name?: string }> } };
    expect(config.config.layers[1]!.name).toBe('lstm');
    delete config.config.layers[1]!.name;
    const damaged = await withH5StringAttr(bytes, 'model_config', JSON.stringify(config));
    const t0 = performance.now();
    const err = await loadKerasH5(damaged).then(() => undefined, (e: unknown) => e);
    expect(err, String(err)).toMatchObject({ code: 'CORRUPT' });
    expect((err as Error).message).toMatch(/outputLayer_a is called on "lstm"/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  }, 20_000);
});
