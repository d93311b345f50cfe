// exportSavedModelV1 / saveKerasModelV1: the serve MetaGraph (TF1 layout), options, targets,
// timestamped folders. Numbers come from tfjs's own model.predict.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSavedModelError, tensorflow, verifySavedModel } from '@savedmodel-js/core';
import { dirSource, readSavedModelDir } from '@savedmodel-js/core/node';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { exportSavedModelV1, saveKerasModelV1 } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'keras-v1-'));
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function denseModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 3, inputShape: [4], activation: 'relu', kernelInitializer: 'glorotUniform', biasInitializer: 'ones' }));
  m.add(tf.layers.dense({ units: 2 }));
  return m;
}

const X = tf.tensor2d([[0.1, -0.2, 0.3, 0.4], [1, 2, -3, 0.5], [0, 0, 0, 1]]);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { return isSavedModelError(e) ? e.code : `not a SavedModelError: ${String(e)}`; }
  return 'no error';
}

describe('exportSavedModelV1: serve', () => {
  it('uncompiled model: only serve, TF1 layout, runs like model.predict', async () => {
    const model = denseModel();
    const dir = join(tmp, 'plain');
    const summary = await exportSavedModelV1(model, dir);
    expect(summary.tagSets).toEqual([['serve']]);
    const sm = await readSavedModelDir(dir);
    const mgs = sm.savedModel.meta_graphs ?? [];
    expect(mgs).toHaveLength(1);
    const mg = mgs[0]!;
    const sig = mg.signature_def!.serving_default!;
    expect(sig.method_name).toBe('tensorflow/serving/predict');
    expect(Object.keys(sig.inputs!)).toEqual([model.inputNames[0]]);
    expect(Object.keys(sig.outputs!)).toEqual([model.outputNames[0]]);
    expect(sig.inputs![model.inputNames[0]!]!.name).toBe(`${model.inputNames[0]}:0`);
    // no functions, no object graph: a TF1 graph
    expect(mg.graph_def?.library?.function ?? []).toHaveLength(0);
    expect(mg.object_graph_def ?? null).toBeNull();
    const ops = new Set((mg.graph_def!.node ?? []).map((n) => n.op));
    for (const op of ['Placeholder', 'VarHandleOp', 'ReadVariableOp', 'MatMul', 'SaveV2', 'RestoreV2', 'MergeV2Checkpoints']) expect(ops).toContain(op);
    expect(mg.saver_def?.restore_op_name).toBe('save/restore_all');
    expect(mg.collection_def?.variables?.bytes_list?.value).toHaveLength(4);
    const vd = tensorflow.VariableDef.decode(mg.collection_def!.variables!.bytes_list!.value![0]!);
    expect(vd.is_resource).toBe(true);
    expect(vd.variable_name).toBe(`${model.weights[0]!.name}:0`);
    // the Keras JSON config where TF1 Keras writes it
    const json = JSON.parse(readFileSync(join(dir, 'assets', 'saved_model.json'), 'utf8')) as { class_name: string };
    expect(json.class_name).toBe('Sequential');

    const report = await verifySavedModel(dirSource(dir), { strict: true });
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.warnings).toBe(0);

    const loaded = await loadSavedModel(dir);
    const got = loaded.predict(X) as tf.Tensor;
    const want = model.predict(X) as tf.Tensor;
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    loaded.dispose();
  });

  it('asText writes saved_model.pbtxt; inputSignature fixes the input shape', async () => {
    const model = denseModel();
    const dir = join(tmp, 'text');
    await exportSavedModelV1(model, dir, { asText: true, inputSignature: [{ shape: [3, 4], dtype: 'float32', name: 'x' }] });
    expect(existsSync(join(dir, 'saved_model.pbtxt'))).toBe(true);
    expect(existsSync(join(dir, 'saved_model.pb'))).toBe(false);
    const sm = await readSavedModelDir(dir);
    const input = Object.values(sm.savedModel.meta_graphs![0]!.signature_def!.serving_default!.inputs!)[0]!;
    expect(input.tensor_shape?.dim?.map((d) => Number(d.size))).toEqual([3, 4]);
    const loaded = await loadSavedModel(dir);
    expect(Array.from((loaded.predict(X) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(X) as tf.Tensor).dataSync()));
    loaded.dispose();
  });

  it('rejects unknown option keys, a non-empty target, and an unserializable config without servingOnly', async () => {
    const model = denseModel();
    expect(await codeOf(exportSavedModelV1(model, join(tmp, 'x1'), { bogus: 1 } as never))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(saveKerasModelV1(model, join(tmp, 'x2'), { servingOnly: true } as never))).toBe('INVALID_ARGUMENT');
    const full = join(tmp, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'x');
    expect(await codeOf(exportSavedModelV1(model, full))).toBe('ALREADY_EXISTS');
    expect(readdirSync(full)).toEqual(['keep.txt']);

    class Opaque extends tf.layers.Layer {
      static className = 'OpaqueV1TestLayer';
      override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor { return tf.mul(Array.isArray(x) ? x[0]! : x, 2); }
    }
    const input = tf.input({ shape: [4] });
    const out = new Opaque({}).apply(input) as tf.SymbolicTensor;
    const custom = tf.model({ inputs: input, outputs: out });
    const err = await exportSavedModelV1(custom, join(tmp, 'sub')).catch((e: unknown) => e);
    expect(isSavedModelError(err) && err.code).toBe('UNSUPPORTED');
    expect(String((err as Error).message)).toMatch(/Subclassed models can only be exported for serving/);
    expect(existsSync(join(tmp, 'sub'))).toBe(false);
    const dir = join(tmp, 'sub-serving');
    const s = await exportSavedModelV1(custom, dir, { servingOnly: true });
    expect(s.tagSets).toEqual([['serve']]);
    expect(existsSync(join(dir, 'assets', 'saved_model.json'))).toBe(false);
    const loaded = await loadSavedModel(dir);
    expect(Array.from((loaded.predict(X) as tf.Tensor).dataSync())).toEqual(Array.from(tf.mul(X, 2).dataSync()));
    loaded.dispose();
  });

  it('two exports started together both succeed (tracing is serialized) and leave the weights alone', async () => {
    const a = denseModel(), b = denseModel();
    a.compile({ optimizer: tf.train.adam(0.1), loss: 'meanSquaredError' });
    b.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const before = [a, b].map((m) => m.getWeights().map((w) => Array.from(w.dataSync())));
    const r = await Promise.all([exportSavedModelV1(a, join(tmp, 'conc-a')), exportSavedModelV1(b, join(tmp, 'conc-b'))]);
    expect(r.map((x) => x.tagSets.length)).toEqual([3, 3]);
    expect([a, b].map((m) => m.getWeights().map((w) => Array.from(w.dataSync())))).toEqual(before);
    for (const [m, d] of [[a, 'conc-a'], [b, 'conc-b']] as const) {
      const loaded = await loadSavedModel(join(tmp, d));
      expect(Array.from((loaded.predict(X) as tf.Tensor).dataSync())).toEqual(Array.from((m.predict(X) as tf.Tensor).dataSync()));
      loaded.dispose();
    }
  });

  it('saveKerasModelV1: a timestamped folder; twice in a row gives two folders', async () => {
    const model = denseModel();
    const base = join(tmp, 'exports');
    const a = await saveKerasModelV1(model, base);
    const b = await saveKerasModelV1(model, base);
    expect(a).not.toBe(b);
    for (const p of [a, b]) {
      expect(p.startsWith(base)).toBe(true);
      expect(/^\d{10}$/.test(p.slice(base.length + 1))).toBe(true);
      expect(existsSync(join(p, 'saved_model.pb'))).toBe(true);
    }
    expect(readdirSync(base).sort()).toEqual([a, b].map((p) => p.slice(base.length + 1)).sort());
  });
});
