import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { quantizeWeights } from '@savedmodel-js/convert';
import { FIXTURES } from '../../core/test/shared.js';
import { main } from '../src/main.js';

async function run(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'savedmodel-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Saves `model` the way tfjs.io's file handlers lay it out: model.json + one weights file. */
async function saveTfjsLayersModel(model: tf.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = a.weightData as ArrayBuffer;
    writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(data));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: 'test', convertedBy: null, modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return join(dir, 'model.json');
}

describe('savedmodel convert', () => {
  it('converts a tfjs Layers model on disk; the SavedModel verifies strictly and answers like the model', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [3], name: 'features' });
    const hidden = tf.layers.dense({ units: 4, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 2, activation: 'softmax', name: 'probs', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(hidden) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const modelJson = await saveTfjsLayersModel(model, join(tmp, 'tfjs'));
    const out = join(tmp, 'saved');
    const r = await run('convert', modelJson, out);
    expect(r.err).toContain('converting');
    expect(r.code).toBe(0);
    const v = await run('verify', out, '--strict');
    expect(v.code).toBe(0);
    // As Keras does for a layers model: input keys = input names, output keys = output names.
    const s = await run('show', out, '--tag_set', 'serve', '--signature_def', 'serving_default');
    // (tfjs renames a layer whose name is already taken in this process: the test built the
    // original model here, so the reloaded input may come back as features_1.)
    const key = /inputs\['(features(?:_\d+)?)'\] tensor_info:/.exec(s.out)?.[1];
    expect(key).toBeDefined();
    expect(s.out).toContain("outputs['probs'] tensor_info:");
    expect(s.out).toContain('shape: (-1, 3)');
    const x = [[0.1, -2, 3], [1, 1, 1]];
    const res = await run('run', out, '--signature_def', 'serving_default', '--input_exprs', `${key}=${JSON.stringify(x)}`, '--json');
    expect(res.code).toBe(0);
    const got = JSON.parse(res.out).outputs.probs.values as number[];
    const want = Array.from((model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync());
    got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want[i]!))));
  });

  it('a non-empty target is ALREADY_EXISTS and leaves it untouched; a bad model.json is a typed error', async () => {
    const target = join(tmp, 'busy');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'keep.txt'), 'x');
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    const modelJson = await saveTfjsLayersModel(model, join(tmp, 'tfjs2'));
    const r = await run('convert', modelJson, target);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[ALREADY_EXISTS]');
    expect(readdirSync(target)).toEqual(['keep.txt']);
    writeFileSync(join(tmp, 'bad.json'), '{"nope": 1}');
    const b = await run('convert', join(tmp, 'bad.json'), join(tmp, 'never'));
    expect(b.code).toBe(1);
    expect(b.err).toContain('[INVALID_ARGUMENT]');
  });
});

describe('savedmodel convert: graph models, quantized weights, --to tfjs-graph-model', () => {
  const FIXTURE = join(FIXTURES, 'keras_cnn');

  it('--to tfjs-graph-model refuses ops stock TensorFlow.js does not run (error [UNSUPPORTED] naming them) unless --skip_op_check', async () => {
    const { attr, node, tensorflow, writeSavedModel } = await import('@savedmodel-js/core');
    const { dirSink } = await import('@savedmodel-js/core/node');
    const F = tensorflow.DataType.DT_FLOAT;
    const dir = join(tmp, 'erfinv');
    await writeSavedModel(await dirSink(dir), { savedModel: { saved_model_schema_version: 1, meta_graphs: [{
      meta_info_def: { tags: ['serve'] },
      graph_def: { versions: { producer: 1000 }, node: [node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(null) }), node('y', 'Erfinv', ['x'], { T: attr.type(F) })] },
      signature_def: { serving_default: { method_name: 'tensorflow/serving/predict', inputs: { x: { name: 'x:0', dtype: F, tensor_shape: { unknown_rank: true } } }, outputs: { y: { name: 'y:0', dtype: F, tensor_shape: { unknown_rank: true } } } } },
    }] } });
    const refused = await run('convert', dir, join(tmp, 'erfinv-g'), '--to', 'tfjs-graph-model');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('[UNSUPPORTED]');
    expect(refused.err).toContain('Erfinv');
    const written = await run('convert', dir, join(tmp, 'erfinv-g'), '--to', 'tfjs-graph-model', '--skip_op_check');
    expect(written.code, written.err).toBe(0);
    expect(readFileSync(join(tmp, 'erfinv-g', 'model.json'), 'utf8')).toContain('"Erfinv"');
  });

  it('SavedModel → tfjs graph model (uint8) → SavedModel: --json reports the op histogram; tfjs and our loader agree', async () => {
    const gdir = join(tmp, 'cnn-tfjs');
    const a = await run('convert', FIXTURE, gdir, '--to', 'tfjs-graph-model', '--quantize', 'uint8', '--json');
    expect(a.code, a.err).toBe(0);
    const ar = JSON.parse(a.out);
    expect(ar.files).toContain('model.json');
    const manifest = JSON.parse(readFileSync(join(gdir, 'model.json'), 'utf8')).weightsManifest[0].weights as { quantization?: { dtype: string } }[];
    expect(manifest.some((w) => w.quantization?.dtype === 'uint8')).toBe(true);
    const sdir = join(tmp, 'cnn-back');
    const b = await run('convert', join(gdir, 'model.json'), sdir, '--json');
    expect(b.code, b.err).toBe(0);
    const br = JSON.parse(b.out);
    expect(br.format).toBe('graph-model');
    expect(br.graph.opHistogram.Conv2D).toBeGreaterThan(0);
    expect(br.weights.quantized.uint8).toBeGreaterThan(0);
    expect((await run('verify', sdir, '--strict')).code).toBe(0);
    // Google's loader on the quantized graph model vs our loader on its SavedModel: the same
    // dequantized weights, so the same answers.
    const json = JSON.parse(readFileSync(join(gdir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    const gm = await tf.loadGraphModel(tf.io.fromMemory(await tf.io.getModelArtifactsForJSON(json, async (m) => {
      const bufs = m[0]!.paths.map((p) => new Uint8Array(readFileSync(join(gdir, p))));
      const all = new Uint8Array(bufs.reduce((n, x) => n + x.length, 0));
      let o = 0;
      for (const x of bufs) { all.set(x, o); o += x.length; }
      return [m[0]!.weights, all.buffer];
    })));
    const inputKey = Object.keys(br.graph.signature.inputs)[0]!;
    const x = tf.randomUniform([2, 50, 50, 1], 0, 1, 'float32', 7);
    const want = Array.from((gm.execute({ [inputKey]: x }) as tf.Tensor).dataSync());
    const res = await run('run', sdir, '--input_exprs', `${inputKey}=${JSON.stringify(await x.array())}`, '--json');
    expect(res.code, res.err).toBe(0);
    const got = Object.values(JSON.parse(res.out).outputs as Record<string, { values: number[] }>)[0]!.values;
    got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want[i]!))));
  });

  it('a quantized layers model converts, predicts like tfjs on the same files, and the progress never passes 100%', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({ layers: [
      tf.layers.dense({ units: 64, inputShape: [32], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ] });
    const dir = join(tmp, 'layers-q');
    const modelJsonPath = await saveTfjsLayersModel(model, dir);
    // Quantize every weight to uint8 the way tensorflowjs_converter does.
    const mj = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
    const data = new Float32Array(new Uint8Array(readFileSync(join(dir, 'group1-shard1of1.bin'))).buffer);
    const parts: Uint8Array[] = [];
    let o = 0;
    for (const w of mj.weightsManifest[0].weights as { shape: number[]; quantization?: unknown }[]) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = quantizeWeights(data.slice(o, o + n), 'uint8');
      o += n;
      w.quantization = q.quantization;
      parts.push(q.bytes);
    }
    writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.concat(parts));
    writeFileSync(modelJsonPath, JSON.stringify(mj));
    const out = join(tmp, 'layers-q-saved');
    let err = '';
    const code = await main(['convert', modelJsonPath, out], { out: () => {}, err: (s) => { err += s; }, isTTY: false });
    expect(code, err).toBe(0);
    for (const m of err.matchAll(/([\d.]+)\/([\d.]+) MB/g)) expect(Number(m[1])).toBeLessThanOrEqual(Number(m[2]));
    expect(err).not.toMatch(/\d{4,}%/);
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(await tf.io.getModelArtifactsForJSON(mj, async (m) =>
      [m[0]!.weights, new Uint8Array(readFileSync(join(dir, 'group1-shard1of1.bin'))).buffer])));
    const x = tf.randomUniform([3, 32], -1, 1, 'float32', 5);
    const want = Array.from((reloaded.predict(x) as tf.Tensor).dataSync());
    const key = reloaded.inputs[0]!.name.replace(/:0$/, '');
    const s = await run('show', out, '--tag_set', 'serve', '--signature_def', 'serving_default');
    const inKey = /inputs\['([^']+)'\] tensor_info:/.exec(s.out)?.[1] ?? key;
    const res = await run('run', out, '--input_exprs', `${inKey}=${JSON.stringify(await x.array())}`, '--json');
    expect(res.code, res.err).toBe(0);
    const got = Object.values(JSON.parse(res.out).outputs as Record<string, { values: number[] }>)[0]!.values;
    got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want[i]!))));
  });

  it('a weight group without paths is [INVALID_ARGUMENT] without a stack trace; a ../ path is refused', async () => {
    writeFileSync(join(tmp, 'nopaths.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [{ weights: [] }] }));
    const r = await run('convert', join(tmp, 'nopaths.json'), join(tmp, 'never1'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('[INVALID_ARGUMENT]');
    expect(r.err).toContain('weightsManifest[0].paths');
    expect(r.err).not.toContain('    at ');
    writeFileSync(join(tmp, 'dotdot.json'), JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] }));
    const d = await run('convert', join(tmp, 'dotdot.json'), join(tmp, 'never2'));
    expect(d.code).toBe(1);
    expect(d.err).toContain('leaves the folder');
  });

  it('a graph model the faithful rebuild cannot handle (Conv1D) is traced: the output says so and why', async () => {
    const dir = join(tmp, 'conv1d');
    mkdirSync(dir, { recursive: true });
    const b64 = (x: string) => Buffer.from(x).toString('base64');
    const filter = new Float32Array(3 * 2 * 4).map((_, i) => Math.sin(i) * 0.5);
    writeFileSync(join(dir, 'w.bin'), new Uint8Array(filter.buffer));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      format: 'graph-model',
      modelTopology: { node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '5' }, { size: '2' }] } } } },
        { name: 'filter', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }, { size: '2' }, { size: '4' }] } } } } },
        { name: 'y', op: 'Conv1D', input: ['x', 'filter'], attr: { stride: { i: '1' }, padding: { s: b64('SAME') }, data_format: { s: b64('NWC') }, dilation: { i: '1' }, T: { type: 'DT_FLOAT' } } },
      ], versions: { producer: 1645 } },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'filter', shape: [3, 2, 4], dtype: 'float32' }] }],
    }));
    const r = await run('convert', join(dir, 'model.json'), join(tmp, 'conv1d-saved'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/cannot be rebuilt as it is \(op Conv1D is neither/);
    expect(r.out).toMatch(/Traced with tfjs-converter .*because op Conv1D/);
    expect(r.out).toMatch(/Conv2D: 1/);
    const j = await run('convert', join(dir, 'model.json'), join(tmp, 'conv1d-saved'), '--overwrite', '--json');
    expect(j.code, j.err).toBe(0);
    expect(JSON.parse(j.out).traced.opHistogram.Conv2D).toBe(1);
  });
});

describe('savedmodel convert: Keras files', () => {
  // A real Keras 2.3.1 .h5 (provenance in packages/keras/test/fixtures/keras2/README.md).
  const H5 = join(__dirname, '../../keras/test/fixtures/keras2/ReLU_0_model.h5');

  it('a Keras .h5 → tf.keras SavedModel (keras_metadata.pb) and → tfjs layers model; both answer like the Keras model in tfjs', async () => {
    await tf.setBackend('cpu');
    const { loadKerasModel, loadSavedModel } = await import('savedmodel-js');
    const keras = await loadKerasModel(H5, { compile: false });
    const shape = keras.inputs[0]!.shape.map((d) => d ?? 3);
    const x = tf.randomUniform(shape, -1, 1, 'float32', 7);
    const want = await (keras.predict(x) as tf.Tensor).data();

    const sm = join(tmp, 'from-h5');
    const r = await run('convert', H5, sm);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(sm)).toContain('keras_metadata.pb');
    expect((await run('verify', sm)).code).toBe(0);
    const loaded = await loadSavedModel(sm);
    const got = await (loaded.predict(x) as tf.Tensor).data();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);

    const tfjsDir = join(tmp, 'from-h5-tfjs');
    expect((await run('convert', H5, tfjsDir, '--to', 'tfjs-layers-model')).code).toBe(0);
    const json = JSON.parse(readFileSync(join(tfjsDir, 'model.json'), 'utf8'));
    const back = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
      weightData: new Uint8Array(readFileSync(join(tfjsDir, json.weightsManifest[0].paths[0]))).buffer,
    }));
    const got2 = await (back.predict(x) as tf.Tensor).data();
    for (let i = 0; i < want.length; i++) expect(got2[i]).toBe(want[i]);

    // an existing target is kept unless --overwrite; flags that don't apply to Keras inputs are usage errors
    expect((await run('convert', H5, sm)).code).not.toBe(0);
    expect((await run('convert', H5, sm, '--overwrite')).code).toBe(0);
    expect((await run('convert', H5, join(tmp, 'x'), '--to', 'tfjs-graph-model')).code).not.toBe(0);
  }, 120_000);
});
