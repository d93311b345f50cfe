// Our own exports (saveModel on a tf.LayersModel: TF2 object graph, functions, variables) through
// a tfjs graph model and back, unquantized and with each quantization; and the browser-side
// sources (dropped files as a Map / File-like objects, a tf.io.IOHandler).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink } from '@savedmodel-js/core';
import { saveModel } from '@savedmodel-js/export';
import { loadSavedModel, type TFSavedModel } from '@savedmodel-js/runtime';
import { convertSavedModelToTfjs, convertTfjsModel, type NamedBlob } from '../src/index.js';
import { expectClose, loadTfjsGraphModel, tempDir, testValues, verifyStrict } from './helpers.js';

const tmp = tempDir('convert-export-');
afterAll(() => tmp.cleanup());

let exported: string;
let original: TFSavedModel;
let layers: tf.LayersModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  layers = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 6, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), name: 'c1' }),
    tf.layers.batchNormalization({ name: 'bn' }),
    tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }), name: 'dw' }),
    tf.layers.flatten({ name: 'flat' }),
    tf.layers.dense({ units: 5, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }), name: 'probs' }),
  ] });
  exported = join(tmp.dir, 'exported');
  await saveModel(layers, exported);
  original = await loadSavedModel(exported);
});

function inputKey(m: TFSavedModel): string {
  return (m as unknown as { inputKeys: string[] }).inputKeys[0]!;
}

describe('our export → tfjs graph model → SavedModel', () => {
  for (const quantize of [undefined, 'uint16', 'float16', 'uint8'] as const) {
    it(`${quantize ?? 'float32'}: tfjs-converter and our loader agree at batch 1 and 3`, async () => {
      const gdir = join(tmp.dir, `g-${quantize ?? 'f32'}`);
      await convertSavedModelToTfjs(exported, gdir, quantize ? { quantize } : {});
      const gm = await loadTfjsGraphModel(gdir);
      const sdir = join(tmp.dir, `s-${quantize ?? 'f32'}`);
      await convertTfjsModel(join(gdir, 'model.json'), sdir);
      expect(await verifyStrict(sdir)).toEqual([]);
      const back = await loadSavedModel(sdir);
      for (const batch of [1, 3]) {
        const x = tf.tensor4d(testValues(batch * 192, 'float32', batch), [batch, 8, 8, 3]);
        const feeds = { [inputKey(original)]: x };
        const want = original.predict(feeds) as tf.Tensor;
        const viaGoogle = gm.execute(feeds) as tf.Tensor;
        const viaBack = back.predict(feeds) as tf.Tensor;
        // Unquantized: all three equal. Quantized: our SavedModel equals the dequantized graph
        // model exactly as tfjs runs it, and stays near the float original.
        expectClose(viaBack.dataSync(), viaGoogle.dataSync(), 1e-5, 'ours vs tfjs-converter');
        expectClose(viaGoogle.dataSync(), want.dataSync(), quantize === undefined ? 1e-5 : quantize === 'uint8' ? 5e-2 : 1e-3, 'vs float original');
      }
      const files = readdirSync(gdir).sort();
      expect(files).toContain('model.json');
      const modelJson = JSON.parse(readFileSync(join(gdir, 'model.json'), 'utf8'));
      // layers as tfjs's fused ops, as tfjs-converter's converter writes them (Conv2D + BiasAdd +
      // Relu; the depthwise layer's conv + its bias, which tfjs-layers adds reshaped to [1, 1, 1, C];
      // the softmax layer's MatMul + BiasAdd); convertTfjsModel split them again (verifyStrict)
      const ops = (modelJson.modelTopology.node as { op: string }[]).map((n) => n.op);
      expect(ops.filter((op) => /^_?Fused(Depthwise|Conv|Mat)/.test(op)).sort()).toEqual(['FusedDepthwiseConv2dNative', '_FusedConv2D', '_FusedMatMul']);
      expect(ops).not.toContain('MatMul');
      expect(ops).not.toContain('DepthwiseConv2dNative');
      expect(ops.filter((op) => op === 'Reshape')).toEqual(['Reshape']); // the flatten layer's only
      const manifest = modelJson.weightsManifest[0].weights as { dtype: string; quantization?: { dtype: string } }[];
      if (quantize) expect(manifest.filter((w) => w.quantization?.dtype === quantize).length).toBe(manifest.filter((w) => w.dtype === 'float32').length);
      gm.dispose();
      back.dispose();
    });
  }
});

describe('ops tfjs-converter has no mapping for, registered by the runtime', () => {
  it('Conv3DTranspose (Conv3DBackpropInputV2): the tfjs graph model from model.json runs it as the layers model does', async () => {
    const m = tf.sequential({ layers: [
      tf.layers.conv3dTranspose({ inputShape: [3, 2, 3, 2], filters: 2, kernelSize: 2, strides: 2, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ] });
    const sdir = join(tmp.dir, 'conv3dt'), gdir = join(tmp.dir, 'conv3dt-g');
    await saveModel(m, sdir);
    await convertSavedModelToTfjs(sdir, gdir);
    const ops = (JSON.parse(readFileSync(join(gdir, 'model.json'), 'utf8')).modelTopology.node as { op: string }[]).map((n) => n.op);
    expect(ops).toContain('Conv3DBackpropInputV2'); // attrs as model.json keeps them (base64 strings)
    const gm = await loadTfjsGraphModel(gdir);
    const x = tf.tensor(testValues(2 * 36, 'float32', 5), [2, 3, 2, 3, 2]);
    expectClose((gm.execute(x) as tf.Tensor).dataSync(), (m.predict(x) as tf.Tensor).dataSync(), 1e-5, 'graph model vs layers');
    gm.dispose();
  });
});

describe('browser-side sources', () => {
  it('dropped files (a Map, or File-like objects without folders) and an IOHandler give the same SavedModel', async () => {
    const gdir = join(tmp.dir, 'g-drop');
    await convertSavedModelToTfjs(exported, gdir, { shardBytes: 1000 });
    const names = readdirSync(gdir);
    expect(names.filter((n) => n.endsWith('.bin')).length).toBeGreaterThan(2);
    const map = new Map(names.map((n) => [`my-model/${n}`, new Uint8Array(readFileSync(join(gdir, n)))]));
    const a = fileMapSink();
    await convertTfjsModel(map, a);
    const blobs: NamedBlob[] = names.map((n) => {
      const b = new Uint8Array(readFileSync(join(gdir, n)));
      return { name: n, size: b.length, arrayBuffer: async () => b.slice().buffer };
    });
    const b = fileMapSink();
    await convertTfjsModel(blobs.reverse(), b);
    const json = JSON.parse(readFileSync(join(gdir, 'model.json'), 'utf8'));
    const c = fileMapSink();
    await convertTfjsModel({
      load: async () => {
        const paths = json.weightsManifest[0].paths as string[];
        const data = paths.map((p) => new Uint8Array(readFileSync(join(gdir, p))));
        const all = new Uint8Array(data.reduce((n, d) => n + d.length, 0));
        let o = 0;
        for (const d of data) { all.set(d, o); o += d.length; }
        return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: all.buffer, format: json.format, signature: json.signature };
      },
    }, c);
    const pb = (s: typeof a) => s.files.get('saved_model.pb')!;
    expect(pb(a).length).toBeGreaterThan(1000);
    expect(Buffer.from(pb(b)).equals(Buffer.from(pb(a)))).toBe(true);
    expect(Buffer.from(pb(c)).equals(Buffer.from(pb(a)))).toBe(true);
    const m = await loadSavedModel(a.files);
    const x = tf.tensor4d(testValues(192, 'float32', 4), [1, 8, 8, 3]);
    expectClose((m.predict({ [inputKey(original)]: x }) as tf.Tensor).dataSync(), (original.predict({ [inputKey(original)]: x }) as tf.Tensor).dataSync(), 1e-5, 'from dropped files');
  });
});

describe('a tf.GraphModel in memory', () => {
  it('converts from its artifacts, or from its weight tensors when tfjs kept no weight bytes', async () => {
    const gdir = join(tmp.dir, 'g-mem');
    await convertSavedModelToTfjs(exported, gdir, { quantize: 'float16' });
    const gm = await loadTfjsGraphModel(gdir);
    const x = tf.tensor4d(testValues(3 * 192, 'float32', 8), [3, 8, 8, 3]);
    const feeds = { [inputKey(original)]: x };
    const want = (gm.execute(feeds) as tf.Tensor).dataSync();
    const a = fileMapSink();
    const r = await convertTfjsModel(gm as never, a);
    expect(r.weights.quantized).toEqual({ float16: Object.keys(gm.weights).filter((k) => gm.weights[k]![0]!.dtype === 'float32').length });
    expectClose(((await loadSavedModel(a.files)).predict(feeds) as tf.Tensor).dataSync(), want, 1e-5, 'from artifacts');
    // As after a streamed load: artifacts without weightData.
    const streamed = Object.assign(Object.create(Object.getPrototypeOf(gm)), gm, { artifacts: { ...(gm as unknown as { artifacts: object }).artifacts, weightData: undefined } });
    const b = fileMapSink();
    const r2 = await convertTfjsModel(streamed as never, b);
    expect(r2.weights.quantized).toEqual({});
    expectClose(((await loadSavedModel(b.files)).predict(feeds) as tf.Tensor).dataSync(), want, 1e-5, 'from weight tensors');
  });
});
