// loadSavedModel / getMetaGraphsFromSavedModel on the ten TensorFlow-written fixtures.
// Expected values come from the programs in shared/fixtures/tf/README.md (what TensorFlow
// computes), not from this SDK; signature keys, tensor names and dtypes from the protoc text
// decode of each saved_model.pb (NAME.pbtxt); the Keras CNN is checked against an independent
// tfjs-layers model built from the architecture in the graph and the checkpoint's weights.
import * as tf from '@tensorflow/tfjs';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSource, isSavedModelError, metaGraphFor, type SavedModelErrorCode } from '@savedmodel-js/core';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { FIXTURES, FIXTURE_NAMES } from '../../core/test/shared.js';
import {
  serializeExamples,
  freezeSignature, getMetaGraphsFromSavedModel, loadSavedModel, resolveVariableKeys, toModelArtifacts, type TFSavedModel,
} from '../src/index.js';

const fx = (name: string) => join(FIXTURES, name);

afterAll(() => { for (const m of models) m.dispose(); });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// ---- a small protobuf text-format reader for the .pbtxt fixtures (independent of the SDK) ----

type PbNode = { [field: string]: Array<string | PbNode> };

function parsePbtxt(text: string): PbNode {
  const tokens = text.match(/"(?:[^"\\]|\\.)*"|[{}]|[^\s{}:"]+:?/g) ?? [];
  let i = 0;
  const block = (): PbNode => {
    const out: PbNode = {};
    while (i < tokens.length && tokens[i] !== '}') {
      const name = tokens[i++]!.replace(/:$/, '');
      const list = (out[name] ??= []);
      if (tokens[i] === '{') {
        i++;
        list.push(block());
        i++; // '}'
      } else {
        const v = tokens[i++]!;
        list.push(v.startsWith('"') ? v.slice(1, -1) : v);
      }
    }
    return out;
  };
  return block();
}

const one = (n: PbNode, f: string): PbNode => n[f]?.[0] as PbNode;
const str = (n: PbNode, f: string): string => (n[f]?.[0] as string | undefined) ?? '';

interface PbTensorInfo { name: string; dtype: string; shape: number[] | undefined }
interface PbSignature { inputs: Record<string, PbTensorInfo>; outputs: Record<string, PbTensorInfo>; method: string }

function pbtxtSignatures(name: string): { tags: string[]; signatures: Record<string, PbSignature> } {
  const root = parsePbtxt(readFileSync(join(FIXTURES, `${name}.pbtxt`), 'utf8'));
  const mg = one(root, 'meta_graphs');
  const tags = (one(mg, 'meta_info_def').tags ?? []) as string[];
  const signatures: Record<string, PbSignature> = {};
  const info = (m: PbNode): Record<string, PbTensorInfo> => {
    const out: Record<string, PbTensorInfo> = {};
    for (const e of (m ?? []) as unknown as PbNode[]) {
      const v = one(e, 'value');
      const shapeNode = one(v, 'tensor_shape');
      const shape = shapeNode?.unknown_rank ? undefined : ((shapeNode?.dim ?? []) as PbNode[]).map((d) => Number(str(d, 'size') || 0));
      out[str(e, 'key')] = { name: str(v, 'name'), dtype: str(v, 'dtype') || 'DT_INVALID', shape };
    }
    return out;
  };
  for (const s of (mg.signature_def ?? []) as PbNode[]) {
    const v = one(s, 'value');
    signatures[str(s, 'key')] = { inputs: info(v.inputs as unknown as PbNode), outputs: info(v.outputs as unknown as PbNode), method: str(v, 'method_name') };
  }
  return { tags, signatures };
}

// ---- helpers ----

async function expectCode(code: SavedModelErrorCode, fn: () => unknown, ...mentions: string[]): Promise<void> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  expect(isSavedModelError(err), `expected SavedModelError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code, String(err)).toBe(code);
  for (const m of mentions) expect((err as Error).message).toContain(m);
}

function values(t: tf.Tensor | tf.NamedTensorMap | tf.Tensor[]): number[] {
  expect(t).toBeInstanceOf(tf.Tensor);
  return Array.from((t as tf.Tensor).dataSync() as Float32Array | Int32Array);
}

const models: TFSavedModel[] = [];
async function load(name: string, signature?: string): Promise<TFSavedModel> {
  const m = await loadSavedModel(fx(name), signature === undefined ? {} : { signature });
  models.push(m);
  return m;
}

// ---- tests ----

describe('getMetaGraphsFromSavedModel', () => {
  it.each(FIXTURE_NAMES)('%s: tags and signatures as in the pbtxt', async (name) => {
    const metas = await getMetaGraphsFromSavedModel(fx(name));
    const expected = pbtxtSignatures(name);
    expect(metas).toHaveLength(1);
    const m = metas[0]!;
    expect(m.tags).toEqual(['serve']);
    expect(expected.tags).toEqual(['serve']);
    const keys = Object.keys(expected.signatures).filter((k) => k !== '__saved_model_init_op').sort();
    expect(Object.keys(m.signatureDefs)).toEqual(keys);
    const jsDtype: Record<string, string> = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_INT64: 'int32', DT_UINT8: 'int32', DT_STRING: 'string' };
    for (const k of keys) {
      const got = m.signatureDefs[k]!;
      const want = expected.signatures[k]!;
      expect(got.methodName).toBe(want.method);
      for (const side of ['inputs', 'outputs'] as const) {
        expect(Object.keys(got[side]).sort()).toEqual(Object.keys(want[side]).sort());
        for (const [ik, w] of Object.entries(want[side])) {
          const g = got[side][ik]!;
          expect(g.name).toBe(w.name);
          expect(g.tfDtype).toBe(w.dtype);
          expect(g.dtype).toBe(jsDtype[w.dtype]);
          expect(g.shape).toEqual(w.shape);
        }
      }
    }
  });

  it('reads from an in-memory map and a FileSource as from a directory', async () => {
    const files = new Map<string, Uint8Array>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else files.set(relative(fx('module_with_multiple_signatures'), p).split('\\').join('/'), new Uint8Array(readFileSync(p)));
      }
    };
    walk(fx('module_with_multiple_signatures'));
    const fromDir = await getMetaGraphsFromSavedModel(fx('module_with_multiple_signatures'));
    expect(await getMetaGraphsFromSavedModel(files)).toEqual(fromDir);
    expect(await getMetaGraphsFromSavedModel(fileMapSource(files))).toEqual(fromDir);
    const m = await loadSavedModel(files, { signature: 'timestwo' });
    expect(values(m.predict(tf.scalar(4)))).toEqual([8]);
    m.dispose();
  });
});

describe('variables → checkpoint keys', () => {
  it.each(FIXTURE_NAMES)('%s: object graph and saver agree; every variable the signatures read has a key', async (name) => {
    const { savedModel, checkpoint } = await readSavedModelDir(fx(name));
    const mg = metaGraphFor(savedModel, 'serve');
    const keys = resolveVariableKeys(mg, checkpoint);
    for (const [node, key] of keys.objectGraph) {
      if (keys.saver.has(node)) expect(keys.saver.get(node), node).toBe(key);
    }
    if (mg.object_graph_def) expect(keys.objectGraph.size).toBeGreaterThan(0);
    expect(keys.saver.size).toBeGreaterThan(0);
    for (const { key } of keys.byNode.values()) expect(checkpoint!.has(key), key).toBe(true);
  });

  it('TF2 keys are object paths, TF1 keys are variable names', async () => {
    const byNode = async (name: string) => {
      const { savedModel, checkpoint } = await readSavedModelDir(fx(name));
      return Object.fromEntries([...resolveVariableKeys(metaGraphFor(savedModel, 'serve'), checkpoint).byNode].map(([k, v]) => [k, `${v.key} (${v.via})`]));
    };
    expect(await byNode('module_with_multiple_signatures')).toEqual({
      Variable: 'v/.ATTRIBUTES/VARIABLE_VALUE (object_graph)',
      Variable_1: 'two/.ATTRIBUTES/VARIABLE_VALUE (object_graph)',
    });
    expect(await byNode('half_plus_two_v1')).toEqual({ a: 'a (saver)', a2: 'a2 (saver)', b: 'b (saver)', c: 'c (saver)', c2: 'c2 (saver)' });
    const keras = await byNode('keras_cnn');
    expect(keras['dense_34/kernel']).toBe('layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE (object_graph)');
    // The optimizer's variables are not captured by any signature: only the saver knows them.
    expect(keras['SGD/iter']).toBe('optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE (saver)');
  });
});

describe('loadSavedModel: predict on every fixture', () => {
  it('times_three_float: x * 3 (float32 scalar)', async () => {
    const m = await load('times_three_float');
    expect(m.inputs).toEqual([{ name: 'serving_default_x', dtype: 'float32', tfDtype: 'DT_FLOAT', shape: [] }]);
    expect(m.outputs).toEqual([{ name: 'StatefulPartitionedCall', dtype: 'float32', tfDtype: 'DT_FLOAT', shape: [] }]);
    const y = m.predict(tf.scalar(2.5)) as tf.Tensor;
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([]);
    expect(values(y)).toEqual([7.5]);
    expect(values(m.predict({ x: tf.scalar(-4) }))).toEqual([-12]);
    expect(values(m.predict([tf.scalar(1)]))).toEqual([3]);
  });

  it('times_two_int: x * 2 (int32 scalar)', async () => {
    const m = await load('times_two_int');
    const y = m.predict(tf.scalar(21, 'int32')) as tf.Tensor;
    expect(y.dtype).toBe('int32');
    expect(values(y)).toEqual([42]);
  });

  it('module_with_multiple_signatures: serving_default x * 3, timestwo x * 2', async () => {
    const a = await load('module_with_multiple_signatures');
    const b = await load('module_with_multiple_signatures', 'timestwo');
    expect(Object.keys(a.signatures)).toEqual(['serving_default', 'timestwo']);
    expect(values(a.predict(tf.scalar(5)))).toEqual([15]);
    expect(values(b.predict(tf.scalar(5)))).toEqual([10]);
    expect(b.inputs[0]!.name).toBe('timestwo_x');
    expect(b.outputs[0]!.name).toBe('StatefulPartitionedCall_1');
  });

  it('model_multi_output: (x * 2, y) for int32 (x, y)', async () => {
    const m = await load('model_multi_output');
    const r = m.predict({ x: tf.scalar(3, 'int32'), y: tf.scalar(7, 'int32') }) as tf.NamedTensorMap;
    expect(Object.keys(r).sort()).toEqual(['output_0', 'output_1']);
    expect(values(r.output_0!)).toEqual([6]);
    expect(values(r.output_1!)).toEqual([7]);
    expect(r.output_0!.dtype).toBe('int32');
    // arrays are taken in input-key order (x, y)
    const r2 = m.predict([tf.scalar(10, 'int32'), tf.scalar(-1, 'int32')]) as tf.NamedTensorMap;
    expect([values(r2.output_0!), values(r2.output_1!)]).toEqual([[20], [-1]]);
    const [o1] = m.execute({ x: tf.scalar(1, 'int32'), y: tf.scalar(9, 'int32') }, ['output_1']) as tf.Tensor[];
    expect(values(o1!)).toEqual([9]);
    expect(values(m.execute({ x: tf.scalar(4, 'int32'), y: tf.scalar(0, 'int32') }, 'output_0') as tf.Tensor)).toEqual([8]);
  });

  it('model_single_input_multi_output: (x * 2, x)', async () => {
    const m = await load('model_single_input_multi_output');
    const r = m.predict(tf.scalar(4, 'int32')) as tf.NamedTensorMap;
    expect(values(r.output_0!)).toEqual([8]);
    expect(values(r.output_1!)).toEqual([4]);
  });

  it('int64_multiply: 3 * 2 * x, int64 [2] (runs as int32, values exact)', async () => {
    const m = await load('int64_multiply');
    expect(m.inputs).toEqual([{ name: 'serving_default_x', dtype: 'int32', tfDtype: 'DT_INT64', shape: [2] }]);
    expect(m.outputs[0]!.tfDtype).toBe('DT_INT64');
    const xs = [123456789n, -357913941n];
    const y = m.predict(tf.tensor1d(xs.map(Number), 'int32')) as tf.Tensor;
    expect(y.dtype).toBe('int32');
    expect(y.shape).toEqual([2]);
    expect(Array.from(y.dataSync() as Int32Array, (v) => BigInt(v))).toEqual(xs.map((x) => 3n * 2n * x));
  });

  it('uint8_multiply: 3 * 2 * int32(x), uint8 [1]', async () => {
    const m = await load('uint8_multiply');
    expect(m.inputs[0]).toEqual({ name: 'serving_default_x', dtype: 'int32', tfDtype: 'DT_UINT8', shape: [1] });
    const y = m.predict(tf.tensor1d([255], 'int32')) as tf.Tensor;
    expect(y.dtype).toBe('int32');
    expect(values(y)).toEqual([1530]);
  });

  it('half_plus_two_tf2: serving_default 0.5x + 2; the x2 signatures 0.5x + 3', async () => {
    const m = await load('half_plus_two_tf2');
    expect(m.methodName).toBe('tensorflow/serving/predict');
    expect(values(m.predict(tf.tensor1d([4])))).toEqual([4]);
    expect(values(m.predict({ x: tf.tensor1d([-2]) }))).toEqual([1]);
    for (const sig of ['classify_x2_to_y3', 'regress_x2_to_y3']) {
      const s = await load('half_plus_two_tf2', sig);
      expect(values(s.predict(tf.tensor1d([4])))).toEqual([5]);
    }
  });

  it('half_plus_two_v1 (TF1 graph, VariableV2): serving_default 0.5x + 2 on [-1, 1]; regress_x2_to_y3 0.5x + 3', async () => {
    const m = await load('half_plus_two_v1');
    expect(m.inputs).toEqual([{ name: 'x', dtype: 'float32', tfDtype: 'DT_FLOAT', shape: [-1, 1] }]);
    const y = m.predict(tf.tensor2d([[0], [1], [10]])) as tf.Tensor;
    expect(y.shape).toEqual([3, 1]);
    expect(values(y)).toEqual([2, 2.5, 7]);
    const r = await load('half_plus_two_v1', 'regress_x2_to_y3');
    expect(r.methodName).toBe('tensorflow/serving/regress');
    expect(values(r.predict(tf.tensor2d([[2], [4]])))).toEqual([4, 5]);
    // the signature input x:0 is Identity(ParseExample): feeding it prunes the parser away
    expect(m.graph.nodes.map((n) => n.op)).not.toContain('ParseExample');
    expect(m.graph.variables.map((v) => `${v.variable}=${v.key}`).sort()).toEqual(['a=a', 'b=b']);
  });

  describe('keras_cnn', () => {
    it('signature [-1, 50, 50, 1] → softmax over 5 classes, equal to a tfjs-layers rebuild with the checkpoint weights', async () => {
      const m = await load('keras_cnn');
      expect(m.inputs).toEqual([{ name: 'serving_default_conv2d_18_input', dtype: 'float32', tfDtype: 'DT_FLOAT', shape: [-1, 50, 50, 1] }]);
      expect(m.outputs).toEqual([{ name: 'StatefulPartitionedCall', dtype: 'float32', tfDtype: 'DT_FLOAT', shape: [-1, 5] }]);

      // Deterministic pseudo-random images in [0, 1).
      let seed = 12345;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      const x = tf.tensor4d(Float32Array.from({ length: 3 * 50 * 50 }, rand), [3, 50, 50, 1]);
      const y = m.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([3, 5]);
      const got = y.arraySync() as number[][];
      for (const row of got) {
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        for (const p of row) expect(p).toBeGreaterThan(0);
      }

      // Architecture as the graph has it (function __inference__wrapped_model_66844):
      // Conv2D 3x3x1x64 VALID stride 1 + BiasAdd, Relu (separate activation layer),
      // MaxPool 4x4 stride 4 VALID, Reshape to 9216, MatMul 9216x64 + BiasAdd, Dropout (identity
      // at inference), Relu, MatMul 64x5 + BiasAdd, Softmax.
      const { checkpoint } = await readSavedModelDir(fx('keras_cnn'));
      const w = (layer: number, part: 'kernel' | 'bias', shape: number[]) =>
        tf.tensor(checkpoint!.value(`layer_with_weights-${layer}/${part}/.ATTRIBUTES/VARIABLE_VALUE`) as Float32Array, shape);
      const ref = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [50, 50, 1], filters: 64, kernelSize: 3, padding: 'valid', activation: 'linear' }),
          tf.layers.activation({ activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 4, strides: 4, padding: 'valid' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 64 }),
          tf.layers.dropout({ rate: 0.5 }),
          tf.layers.activation({ activation: 'relu' }),
          tf.layers.dense({ units: 5, activation: 'softmax' }),
        ],
      });
      ref.layers[0]!.setWeights([w(0, 'kernel', [3, 3, 1, 64]), w(0, 'bias', [64])]);
      ref.layers[4]!.setWeights([w(1, 'kernel', [9216, 64]), w(1, 'bias', [64])]);
      ref.layers[7]!.setWeights([w(2, 'kernel', [64, 5]), w(2, 'bias', [5])]);
      const want = (ref.predict(x) as tf.Tensor).arraySync() as number[][];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) expect(Math.abs(got[i]![j]! - want[i]![j]!)).toBeLessThan(1e-4);
      // different images give different answers (the weights are really used)
      expect(Math.max(...got[0]!.map((p, j) => Math.abs(p - got[1]![j]!)))).toBeGreaterThan(1e-6);
      ref.dispose();
    });
  });
});

describe('frozen graphs', () => {
  it.each(FIXTURE_NAMES)('%s: no calls, no resources, every input resolves, weights read directly', async (name) => {
    const { savedModel, checkpoint } = await readSavedModelDir(fx(name));
    const mg = metaGraphFor(savedModel, 'serve');
    for (const key of Object.keys(mg.signature_def ?? {})) {
      if (key === '__saved_model_init_op') continue;
      let g;
      try {
        g = freezeSignature(mg, checkpoint, key);
      } catch (e) {
        // only the tf.Example parsing signatures may fail, and not while freezing
        throw new Error(`${name} ${key}: ${String(e)}`);
      }
      const names = new Set(g.nodes.map((n) => n.name));
      expect(names.size).toBe(g.nodes.length);
      const seen = new Set<string>();
      for (const n of g.nodes) {
        expect(['StatefulPartitionedCall', 'PartitionedCall', 'ReadVariableOp', 'VarHandleOp', 'VariableV2', 'NoOp']).not.toContain(n.op);
        for (const i of n.input ?? []) {
          expect(i.startsWith('^')).toBe(false);
          const src = i.split(':')[0]!;
          expect(seen.has(src), `${n.name} reads ${i} before it is defined`).toBe(true);
        }
        seen.add(n.name ?? '');
        if (n.op === 'Const') expect(g.constants.has(n.name ?? '')).toBe(true);
      }
      // a variable's read is its Const: no Identity in between (one per weight per predict)
      const weights = new Set(g.variables.map((v) => v.node));
      const outputs = new Set(g.outputs.map((o) => o.node));
      const reread = g.nodes.filter((n) => n.op === 'Identity' && !outputs.has(n.name ?? '') && weights.has(n.input?.[0] ?? ''));
      expect(reread.map((n) => n.name), `${name} ${key}`).toEqual([]);
    }
  });

  it('toModelArtifacts: the same graph through tf.io.fromMemory + tf.loadGraphModel', async () => {
    const { savedModel, checkpoint } = await readSavedModelDir(fx('model_multi_output'));
    const g = freezeSignature(metaGraphFor(savedModel, 'serve'), checkpoint, 'serving_default');
    const model = await tf.loadGraphModel(tf.io.fromMemory(toModelArtifacts(g)));
    const feeds = { [g.inputs[0]!.node]: tf.scalar(5, 'int32'), [g.inputs[1]!.node]: tf.scalar(6, 'int32') };
    const [a, b] = model.execute(feeds, g.outputs.map((o) => o.node)) as tf.Tensor[];
    expect([values(a!), values(b!)]).toEqual([[10], [6]]);
    model.dispose();
  });
});

describe('errors', () => {
  it('wrong input key, wrong dtype, missing input, wrong shape, wrong count → INVALID_ARGUMENT', async () => {
    const m = await load('model_multi_output');
    const i = (v: number) => tf.scalar(v, 'int32');
    await expectCode('INVALID_ARGUMENT', () => m.predict({ x: i(1), z: i(2) }), "unknown input 'z'", 'serving_default');
    await expectCode('INVALID_ARGUMENT', () => m.predict({ x: tf.scalar(1.5), y: i(2) }), "input 'x' must be int32 (DT_INT32), got float32");
    await expectCode('INVALID_ARGUMENT', () => m.predict({ x: i(1) }), "missing input 'y'");
    await expectCode('INVALID_ARGUMENT', () => m.predict(i(1)), 'single tensor', '2 inputs');
    await expectCode('INVALID_ARGUMENT', () => m.predict([i(1)]), '1 tensors were given');
    await expectCode('INVALID_ARGUMENT', () => m.predict({ x: tf.tensor1d([1, 2], 'int32'), y: i(2) }), "input 'x' must have shape []");
    await expectCode('INVALID_ARGUMENT', () => m.execute({ x: i(1), y: i(2) }, 'output_9'), "unknown output 'output_9'");
    const n = await load('int64_multiply');
    await expectCode('INVALID_ARGUMENT', () => n.predict(tf.tensor1d([1, 2, 3], 'int32')), 'must have shape [2]');
    n.dispose();
    await expectCode('INVALID_ARGUMENT', () => n.predict(tf.tensor1d([1, 2], 'int32')), 'disposed');
  });

  it('unknown signature / tag set → NOT_FOUND', async () => {
    await expectCode('NOT_FOUND', () => loadSavedModel(fx('times_three_float'), { signature: 'nope' }), "'nope'", 'serving_default');
    await expectCode('NOT_FOUND', () => loadSavedModel(fx('times_three_float'), { tags: ['train'] }), 'train');
  });

  it('tf.Example signatures (ParseExampleV2 / ParseExample) run on serialized Examples: 0.5x + 2, y2 = 0.5x + 3', async () => {
    const inputs = serializeExamples([{ x: 8 }, { x: 2 }]);
    for (const name of ['half_plus_two_tf2', 'half_plus_two_v1']) {
      for (const [sig, want] of [['classify_x_to_y', [6, 3]], ['regress_x_to_y', [6, 3]], ['regress_x_to_y2', [7, 4]]] as const) {
        const m = await loadSavedModel(fx(name), { signature: sig });
        const r = await m.run({ inputs });
        expect(Object.values(r)[0]!.values, `${name} ${sig}`).toEqual(want);
        m.dispose();
      }
    }
  });
});
