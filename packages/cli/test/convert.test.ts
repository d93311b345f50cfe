import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
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
