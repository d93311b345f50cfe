// Real models that an npm package ships. The graph model: nsfwjs@4.3.0 (MIT) bundles MobileNetV2 "mid" as
// written by tensorflowjs_converter 1.7.4 — uint8-quantized weights in two shards, and the fused
// ops Grappler and tfjs leave (_FusedConv2D with BiasAdd / BiasAdd+Relu6,
// FusedDepthwiseConv2dNative with BiasAdd+Relu6, _FusedMatMul with BiasAdd). Numeric truth:
// tfjs-converter's GraphModel.execute on the original files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOpDef } from '@savedmodel-js/core';
import { loadSavedModel, type TFSavedModel } from '@savedmodel-js/runtime';
import { convertTfjsModel, type ConvertTfjsResult } from '../src/index.js';
import { expectClose, loadTfjsGraphModel, tempDir, testValues, tfjsFilesHandler, verifyStrict } from './helpers.js';

// The devDependency as installed beside this package (its exports map hides package.json).
const MODELS = fileURLToPath(new URL('../node_modules/nsfwjs/dist/models', import.meta.url));

/** nsfwjs bundles each file as a UMD module exporting the JSON object or the base64 shard. */
function umdExport(file: string): unknown {
  const module = { exports: {} as unknown };
  runInNewContext(readFileSync(file, 'utf8'), { module, exports: module.exports });
  return module.exports;
}

/** Lays the bundled model out as tensorflowjs_converter wrote it: model.json + shard files. */
function unpack(name: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const json = umdExport(join(MODELS, name, 'model.min.js')) as { weightsManifest: { paths: string[] }[] };
  for (const g of json.weightsManifest) {
    for (const p of g.paths) writeFileSync(join(dir, p), Buffer.from(umdExport(join(MODELS, name, `${p}.min.js`)) as string, 'base64'));
  }
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return join(dir, 'model.json');
}

const tmp = tempDir('convert-npm-');
afterAll(async () => {
  tmp.cleanup();
  await tf.setBackend('cpu');
});

let original: tf.GraphModel;
let converted: TFSavedModel;
let result: ConvertTfjsResult;
const outDir = join(tmp.dir, 'saved');

// MobileNet at 224x224 on the pure-JS cpu backend takes minutes on a shared machine: wasm.
beforeAll(async () => {
  await tf.setBackend('wasm');
  const modelJson = unpack('mobilenet_v2_mid', join(tmp.dir, 'tfjs'));
  original = await loadTfjsGraphModel(dirname(modelJson));
  result = await convertTfjsModel(modelJson, outDir);
  converted = await loadSavedModel(outDir);
});

describe('nsfwjs MobileNetV2 (uint8, fused ops) → SavedModel', () => {
  it('splits every fused op into registry ops; verify --strict is clean', async () => {
    const g = result.graph!;
    expect(g.splitOps).toEqual({ _FusedConv2D: 35, FusedDepthwiseConv2dNative: 17, _FusedMatMul: 1 });
    for (const op of Object.keys(g.opHistogram)) expect(getOpDef(op), op).toBeDefined();
    expect(g.opHistogram.Conv2D).toBe(35);
    expect(g.opHistogram.DepthwiseConv2dNative).toBe(17);
    expect(g.opHistogram.MatMul).toBe(1);
    expect(g.opHistogram.BiasAdd).toBe(35 + 17 + 1);
    expect(g.opHistogram.Relu6).toBe(18 + 17);
    expect(result.weights.quantized).toEqual({ uint8: 108 });
    // The signature of model.json's userDefinedMetadata is not a model.json `signature`: the
    // signature comes from the Placeholder and the unconsumed output.
    expect(g.signature.inputs).toEqual({ input: { name: 'input:0', dtype: 'DT_FLOAT', shape: [-1, 224, 224, 3] } });
    expect(Object.keys(g.signature.outputs)).toEqual(['Identity']);
    expect(await verifyStrict(outDir)).toEqual([]);
  });

  for (const batch of [1, 3]) {
    it(`predicts like tfjs-converter's GraphModel.execute on the original (batch ${batch})`, async () => {
      const x = tf.tensor4d(testValues(batch * 224 * 224 * 3, 'float32', batch).map((v) => v / 2 + 0.5), [batch, 224, 224, 3]);
      const want = original.execute({ input: x }, 'Identity') as tf.Tensor;
      const got = converted.predict({ input: x }) as tf.Tensor;
      expect(got.shape).toEqual([batch, 5]);
      // Same dequantized weights on both sides: only the op split changes the arithmetic.
      expectClose(got.dataSync(), want.dataSync(), 1e-5, 'probabilities');
      tf.dispose([x, want, got]);
    });
  }
});

// nsfwjs also bundles MobileNetV2 as a layers model, as tensorflowjs_converter wrote it from
// Keras 2.2.4 (uint8-quantized, ZeroPadding2D, ReLU(max_value=6), DepthwiseConv2D, Add): a real
// Keras model whole. Numeric truth: tfjs-layers' own predict on the original files.
describe('nsfwjs MobileNetV2 layers model (Keras 2.2.4, uint8) → SavedModel', () => {
  let layers: tf.LayersModel;
  let fromLayers: TFSavedModel;
  let layersResult: ConvertTfjsResult;
  const layersOut = join(tmp.dir, 'saved-layers');
  beforeAll(async () => {
    const modelJson = unpack('mobilenet_v2', join(tmp.dir, 'tfjs-layers'));
    layers = await tf.loadLayersModel(tfjsFilesHandler(dirname(modelJson)));
    layersResult = await convertTfjsModel(modelJson, layersOut);
    fromLayers = await loadSavedModel(layersOut);
  }, 120_000);
  afterAll(() => { layers.dispose(); fromLayers.dispose(); });

  it('converts every layer; the weights dequantized; verify --strict is clean', async () => {
    expect(layersResult.weights.quantized).toEqual({ uint8: 266 });
    expect(fromLayers.inputs.map((t) => t.shape)).toEqual([[-1, 224, 224, 3]]);
    expect(await verifyStrict(layersOut)).toEqual([]);
  });

  it('predicts like tfjs-layers on the original files (batch 2)', async () => {
    const x = tf.tensor4d(testValues(2 * 224 * 224 * 3, 'float32', 7).map((v) => v / 2 + 0.5), [2, 224, 224, 3]);
    const want = layers.predict(x) as tf.Tensor;
    const got = fromLayers.predict(x) as tf.Tensor;
    expect(got.shape).toEqual(want.shape);
    expectClose(got.dataSync(), want.dataSync(), 1e-5, 'probabilities');
    tf.dispose([x, want, got]);
  });
});
