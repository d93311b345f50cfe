// loadKerasModel on SavedModels with keras_metadata.pb: TensorFlow's keras_cnn (predicts like
// loadSavedModel on the same folder, compiled with its SGD state), and round trips of a zoo of
// tfjs models through saveKerasModel (same config, same predictions, optimizer state kept).
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource, isSavedModelError, readSavedModel, SavedModelError, third_party } from '@savedmodel-js/core';
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
  it('a SavedModel without keras_metadata.pb is NOT_FOUND; a missing or truncated .h5/.keras is a typed error; unknown options are INVALID_ARGUMENT', async () => {
    const half = join(KERAS_CNN, '..', 'half_plus_two_tf2');
    await expect(loadKerasModel(half)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(loadKerasModel(join(tmp, 'missing.h5'))).rejects.toBeInstanceOf(SavedModelError);
    await expect(loadKerasModel(join(tmp, 'missing.keras'))).rejects.toBeInstanceOf(SavedModelError);
    await expect(loadKerasModel(new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).rejects.toBeInstanceOf(SavedModelError);
    await expect(loadKerasModel(KERAS_CNN, { compiled: false } as never)).rejects.toBeInstanceOf(SavedModelError);
    await expect(loadKerasModel(KERAS_CNN, { compiled: false } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('saveKerasModel: unknown option → INVALID_ARGUMENT; .h5/.keras/saveFormat dispatch to the file formats and load back; overwrite: false on an existing folder → ALREADY_EXISTS', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    await expect(saveKerasModel(m, fileMapSink(), { includeOptimiser: true } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const x = tf.tensor2d([[1, 2, 3], [-1, 0, 0.5]]);
    const ref = m.predict(x) as tf.Tensor;
    for (const [target, opts] of [[join(tmp, 'x.h5'), {}], [join(tmp, 'x.keras'), {}], [join(tmp, 'x.bin'), { saveFormat: 'h5' as const }]] as const) {
      await saveKerasModel(m, target, opts);
      const head = readFileSync(target).subarray(0, 4);
      // HDF5 signature (\x89HDF) vs a zip's local header (PK\x03\x04): the format the extension / saveFormat asks for
      expect([...head], target).toEqual(target.endsWith('.keras') ? [0x50, 0x4b, 3, 4] : [0x89, 0x48, 0x44, 0x46]);
      const back = await loadKerasModel(target.endsWith('.bin') ? new Uint8Array(readFileSync(target)) : target);
      expect(maxAbsDiff(back.predict(x) as tf.Tensor, ref), target).toBe(0);
    }
    await expect(saveKerasModel(m, join(tmp, 'x.h5'), { overwrite: false })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(saveKerasModel(m, join(tmp, 'x'), { saveFormat: 'pb' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const dir = join(tmp, 'exists');
    await saveKerasModel(m, dir);
    await expect(saveKerasModel(m, dir, { overwrite: false })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await saveKerasModel(m, dir); // overwrite defaults to true, as tf.keras
  }, 60_000);

  it('hostile keras_metadata.pb: bad JSON, no root entry, a config tfjs cannot build → typed errors naming the place', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const sink = fileMapSink();
    await saveKerasModel(m, sink);
    const md = third_party.py.keras.protobuf.SavedMetadata.decode(sink.files.get('keras_metadata.pb')!);
    const withRoot = (metadata: string | null) => {
      const files = new Map(sink.files);
      const nodes = md.nodes.filter((n) => metadata !== null || n.node_path !== 'root').map((n) => (n.node_path === 'root' ? { ...n, metadata } : n));
      files.set('keras_metadata.pb', third_party.py.keras.protobuf.SavedMetadata.encode({ nodes } as never).finish());
      return fileMapSource(files);
    };
    await expect(loadKerasModel(withRoot('{"class_name": "Sequential", '))).rejects.toMatchObject({ code: 'CORRUPT', file: 'keras_metadata.pb' });
    await expect(loadKerasModel(withRoot('[1, 2]'))).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(loadKerasModel(withRoot(null))).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(loadKerasModel(withRoot('{"model_config": {"class_name": "NoSuchModel", "config": {}}}'))).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    // the checkpoint lacks a weight the config asks for
    const files = new Map(sink.files);
    const big = JSON.parse(md.nodes.find((n) => n.node_path === 'root')!.metadata!) as { model_config: { config: { layers: { config: { units: number } }[] } } };
    big.model_config.config.layers[0]!.config.units = 5;
    const nodes = md.nodes.map((n) => (n.node_path === 'root' ? { ...n, metadata: JSON.stringify(big) } : n));
    files.set('keras_metadata.pb', third_party.py.keras.protobuf.SavedMetadata.encode({ nodes } as never).finish());
    await expect(loadKerasModel(fileMapSource(files))).rejects.toMatchObject({ code: 'CORRUPT' });
    // a Sequential's layer entries that are no objects (found by the loaders fuzz, FUZZ_SEED=11000:
    // a TypeError while folding the InputLayer into the first layer); keras_cnn as TF wrote it
    const cnn = fixtureFiles('keras_cnn');
    const cnnMd = third_party.py.keras.protobuf.SavedMetadata.decode(cnn.get('keras_metadata.pb')!);
    const root = JSON.parse(cnnMd.nodes.find((n) => n.node_path === 'root')!.metadata!) as { model_config: { class_name: string; config: { layers: unknown[] } } };
    expect(root.model_config.class_name).toBe('Sequential');
    expect((root.model_config.config.layers[0] as { class_name: string }).class_name).toBe('InputLayer');
    for (const damage of [(l: unknown[]) => { (l[1] as { config: unknown }).config = true; }, (l: unknown[]) => { (l[1] as { config: unknown }).config = 'constructor'; }, (l: unknown[]) => { l[1] = true; }, (l: unknown[]) => { (l[0] as { config: unknown }).config = null; }, (l: unknown[]) => { (l[1] as { config: unknown }).config = 5; }]) {
      const r = structuredClone(root);
      damage(r.model_config.config.layers);
      const nodes = cnnMd.nodes.map((n) => (n.node_path === 'root' ? { ...n, metadata: JSON.stringify(r) } : n));
      const damaged = new Map(cnn).set('keras_metadata.pb', third_party.py.keras.protobuf.SavedMetadata.encode({ nodes } as never).finish());
      // loads (tfjs may build without the folded shape) or fails typed
      const err = await loadKerasModel(fileMapSource(damaged)).then((l) => { l.dispose(); return undefined; }, (e: unknown) => e);
      if (err !== undefined) expect(isSavedModelError(err), String(err)).toBe(true);
    }
  }, 60_000);

  it('a layer with no tf.keras counterpart is UNSUPPORTED, naming it', async () => {
    class Twice extends tf.layers.Layer {
      static readonly className = 'Twice';
      override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor { return tf.mul(Array.isArray(x) ? x[0]! : x, 2); }
    }
    tf.serialization.registerClass(Twice);
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] }), new Twice({ name: 'twice' })] });
    const err = await saveKerasModel(m, fileMapSink()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNSUPPORTED' });
    expect(String((err as Error).message)).toContain('twice (Twice)');
  }, 60_000);

  it('Adamax state as tf.keras writes it (m and v slots): restored into tfjs\'s Adamax, which implements no setWeights', async () => {
    // Adam's slots are Adamax's (m, v): a trained Adam model whose training_config then says Adamax
    // is the checkpoint tf.keras writes for Adamax
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    m.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    await m.fit(tf.ones([4, 3]), tf.zeros([4, 2]), { epochs: 1, verbose: 0 });
    const sink = fileMapSink();
    await saveKerasModel(m, sink);
    const md = third_party.py.keras.protobuf.SavedMetadata.decode(sink.files.get('keras_metadata.pb')!);
    const root = JSON.parse(md.nodes.find((n) => n.node_path === 'root')!.metadata!) as { training_config: { optimizer_config: { class_name: string; config: Record<string, unknown> } } };
    expect(root.training_config.optimizer_config.class_name).toBe('Adam');
    root.training_config.optimizer_config.class_name = 'Adamax';
    delete root.training_config.optimizer_config.config.amsgrad;
    const nodes = md.nodes.map((n) => (n.node_path === 'root' ? { ...n, metadata: JSON.stringify(root) } : n));
    const files = new Map(sink.files);
    files.set('keras_metadata.pb', third_party.py.keras.protobuf.SavedMetadata.encode({ nodes } as never).finish());
    const warnings: string[] = [];
    const loaded = await loadKerasModel(fileMapSource(files), { onWarning: (w) => warnings.push(w) });
    expect(loaded.optimizer.getClassName()).toBe('Adamax');
    expect(warnings).toEqual([]);
    // the file's m and v (Adam's, from tfjs's own getWeights) are now Adamax's fields
    const adam = await m.optimizer.getWeights();
    const adamax = loaded.optimizer as unknown as { accumulatedFirstMoment: { variable: tf.Tensor }[]; accumulatedWeightedInfNorm: { variable: tf.Tensor }[] };
    const mine = [...adamax.accumulatedFirstMoment, ...adamax.accumulatedWeightedInfNorm].map((s) => Array.from(s.variable.dataSync()));
    expect(mine).toEqual(adam.slice(1).map((w) => Array.from(w.tensor.dataSync())));
    await loaded.fit(tf.ones([4, 3]), tf.zeros([4, 2]), { epochs: 1, verbose: 0 }); // it trains on
  }, 60_000);

  it('a generic RNN over stacked cells: saved as a Keras SavedModel and as .keras, both predict the same', async () => {
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const m = tf.sequential({ layers: [tf.layers.rnn({
      cell: [tf.layers.lstmCell({ units: 3, kernelInitializer: init(1), recurrentInitializer: init(2) }), tf.layers.gruCell({ units: 2, kernelInitializer: init(3), recurrentInitializer: init(4) })],
      inputShape: [4, 3], name: 'stacked',
    })] });
    const x = tf.tensor3d(Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.sin(i)), [2, 4, 3]);
    for (const saveFormat of ['tf', 'keras'] as const) {
      const sink = fileMapSink();
      await saveKerasModel(m, sink, { saveFormat });
      const back = saveFormat === 'tf' ? await loadKerasModel(fileMapSource(sink.files)) : await loadKerasModel([...sink.files.values()][0]!);
      expect(Array.from((back.predict(x) as tf.Tensor).dataSync()), saveFormat).toEqual(Array.from((m.predict(x) as tf.Tensor).dataSync()));
    }
  }, 60_000);

  it('saveTraces: false writes the Keras objects and metadata without per-layer functions; it still loads', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
    const withTraces = fileMapSink(), without = fileMapSink();
    await saveKerasModel(m, withTraces);
    await saveKerasModel(m, without, { saveTraces: false });
    const fnNames = async (files: Map<string, Uint8Array>) => {
      const { savedModel } = await readSavedModel(fileMapSource(files));
      return (savedModel.meta_graphs![0]!.graph_def!.library!.function ?? []).map((f) => f.signature!.name!.replace(/_\d+$/, '')).sort();
    };
    expect((await fnNames(withTraces.files)).filter((n) => n.includes('layer_call'))).toHaveLength(6);
    expect((await fnNames(without.files)).filter((n) => n.includes('layer_call'))).toEqual([]);
    const { kerasMetadata } = await readSavedModel(fileMapSource(without.files));
    expect(kerasMetadata!.nodes.map((n) => n.node_path)).toEqual(['root', 'root.layer_with_weights-0', 'root.layer_with_weights-1']);
    const x = tf.tensor2d([[1, -2, 3]]);
    const loaded = await loadKerasModel(fileMapSource(without.files));
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as tf.Tensor).dataSync()));
  }, 60_000);
});
