// A tfjs graph model from convertSavedModelToTfjs runs on stock TensorFlow.js: it holds no op that
// only loadSavedModel registers (the runtime runs OneHot as its own `_SmjsOneHot`; a graph model
// holding that op could not load elsewhere), and no OneHot stock tfjs computes wrong (tfjs-converter
// drops `axis`; tfjs-backend-wasm writes integer bits into float one-hots): those are written as
// an int32 OneHot, Cast, SelectV2 and Transpose (portable-one-hot.ts), and no EnsureShape (stock
// tfjs-converter reads its shape attr as a missing input: written as an Identity). Expected values:
// TensorFlow's tf.one_hot documentation (indices [0, 2, -1, 1], depth 3, on 5, off 0; axis 0 puts
// depth first), and OneHot's definition (output[..., j, ...] at `axis` is on where index == j).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, fileMapSink, floatTensor, int32Tensor, loadOpRegistry, node, tensorflow, validateGraphDef, writeSavedModel } from '@savedmodel-js/core';
import { convertSavedModelToTfjs } from '../src/index.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32;
beforeAll(async () => { await tf.setBackend('cpu'); await loadOpRegistry(); });
afterAll(async () => { await tf.setBackend('cpu'); });

interface ConvertedJson {
  modelTopology: { node: { name: string; op: string; input?: string[]; attr?: Record<string, unknown> }[] };
  signature: { outputs: { hot: { name: string } } };
}

/** A one-node SavedModel: hot = OneHot(indices, depth 3, on, off) of the given T and axis, converted. */
async function convertedOneHot(T: tensorflow.DataType, axis: number, rank: number): Promise<{ json: ConvertedJson; files: Map<string, Uint8Array>; nodes: tensorflow.INodeDef[] }> {
  const any = { unknown_rank: true };
  const value = (v: number) => attr.tensor(T === F ? floatTensor([v], []) : int32Tensor([v], []));
  const nodes = [
    node('indices', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape(Array<number>(rank).fill(-1)) }),
    node('depth', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([3], [])) }),
    node('on', 'Const', [], { dtype: attr.type(T), value: value(5) }),
    node('off', 'Const', [], { dtype: attr.type(T), value: value(-1) }),
    node('hot', 'OneHot', ['indices', 'depth', 'on', 'off'], { T: attr.type(T), TI: attr.type(I), axis: attr.int(axis) }),
  ];
  const mg: tensorflow.IMetaGraphDef = {
    meta_info_def: { tags: ['serve'] },
    graph_def: { versions: { producer: 1000 }, node: nodes },
    signature_def: {
      serving_default: {
        method_name: 'tensorflow/serving/predict',
        inputs: { indices: { name: 'indices:0', dtype: I, tensor_shape: any } },
        outputs: { hot: { name: 'hot:0', dtype: T, tensor_shape: any } },
      },
    },
  };
  const sm = fileMapSink();
  await writeSavedModel(sm, { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } });
  const out = fileMapSink();
  await convertSavedModelToTfjs(sm.files, out);
  const json = JSON.parse(new TextDecoder().decode(out.files.get('model.json'))) as ConvertedJson;
  return { json, files: out.files, nodes };
}

/** tf.loadGraphModel of the converted files, as an app loads them. */
function loadGraphModel(json: ConvertedJson, files: Map<string, Uint8Array>): Promise<tf.GraphModel> {
  return tf.loadGraphModel({ load: async () => tf.io.getModelArtifactsForJSON(json as unknown as tf.io.ModelJSON, async (manifest) => {
    const parts = manifest.flatMap((g) => g.paths.map((p) => files.get(p)!));
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { all.set(p, o); o += p.length; }
    return [manifest.flatMap((g) => g.weights), all.buffer];
  }) });
}

/** OneHot by its definition: on where the index equals the position along `axis`, else off. */
function oneHotReference(indices: number[][] | number[], axis: number, on: number, off: number): unknown {
  const nested = Array.isArray(indices[0]);
  const rows = (nested ? indices : [indices]) as number[][];
  const hot = rows.map((r) => r.map((i) => [0, 1, 2].map((j) => (i === j ? on : off))));
  const out = nested ? hot : hot[0]!;
  const rank = nested ? 2 : 1;
  const a = axis === -1 ? rank : axis;
  if (a === rank) return out;
  // move the last (depth) axis to `a`
  if (!nested) return [0, 1, 2].map((j) => (out as number[][]).map((row) => row[j]));
  const m = out as number[][][];
  return a === 0 ? [0, 1, 2].map((j) => m.map((r) => r.map((v) => v[j]))) : m.map((r) => [0, 1, 2].map((j) => r.map((v) => v[j])));
}

describe('convert writes only ops stock tfjs-converter knows', () => {
  it('OneHot stays OneHot (not the runtime\'s custom op) and runs on tf.loadGraphModel', async () => {
    const any = { unknown_rank: true };
    const mg: tensorflow.IMetaGraphDef = {
      meta_info_def: { tags: ['serve'] },
      graph_def: {
        versions: { producer: 1000 },
        node: [
          node('indices', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape([-1]) }),
          node('depth', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([3], [])) }),
          node('on', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([5], [])) }),
          node('off', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([0], [])) }),
          node('hot', 'OneHot', ['indices', 'depth', 'on', 'off'], { T: attr.type(F), TI: attr.type(I), axis: attr.int(-1) }),
        ],
      },
      signature_def: {
        serving_default: {
          method_name: 'tensorflow/serving/predict',
          inputs: { indices: { name: 'indices:0', dtype: I, tensor_shape: any } },
          outputs: { hot: { name: 'hot:0', dtype: F, tensor_shape: any } },
        },
      },
    };
    const sm = fileMapSink();
    await writeSavedModel(sm, { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } });
    const out = fileMapSink();
    await convertSavedModelToTfjs(sm.files, out);
    const json = JSON.parse(new TextDecoder().decode(out.files.get('model.json'))) as { modelTopology: { node: { op: string }[] }; signature: { outputs: { hot: { name: string } } } };
    const ops = json.modelTopology.node.map((n) => n.op);
    expect(ops).toContain('OneHot');
    expect(ops.filter((o) => o.startsWith('_Smjs'))).toEqual([]);
    const gm = await tf.loadGraphModel({ load: async () => tf.io.getModelArtifactsForJSON(json as unknown as tf.io.ModelJSON, async (manifest) => {
      const parts = manifest.flatMap((g) => g.paths.map((p) => out.files.get(p)!));
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) { all.set(p, o); o += p.length; }
      return [manifest.flatMap((g) => g.weights), all.buffer];
    }) });
    const y = gm.execute(tf.tensor1d([0, 2, -1, 1], 'int32'), json.signature.outputs.hot.name) as tf.Tensor;
    expect(await y.array()).toEqual([[5, 0, 0], [0, 0, 5], [0, 0, 0], [0, 5, 0]]);
  });
});

describe('OneHot stock tfjs gets wrong is written as ops it gets right', () => {
  const cases: [string, tensorflow.DataType, number, number[] | number[][]][] = [
    ['float, axis -1 (the documented example)', F, -1, [0, 2, -1, 1]],
    ['float, axis 0 (depth first, as documented)', F, 0, [0, 2, -1, 1]],
    ['int32, axis 0', I, 0, [0, 2, -1, 1]],
    ['float, rank-2 indices, axis 1', F, 1, [[0, 2], [1, -1]]],
    ['float, rank-2 indices, axis 2 (the last, given explicitly)', F, 2, [[0, 2], [1, -1]]],
  ];
  for (const [what, T, axis, indices] of cases) {
    for (const backend of ['cpu', 'wasm']) {
      it(`${what} on ${backend}`, async () => {
        const rank = Array.isArray(indices[0]) ? 2 : 1;
        const { json, files } = await convertedOneHot(T, axis, rank);
        const graph = json.modelTopology.node;
        // every OneHot left is one stock tfjs computes right: int32 values along the last axis
        for (const n of graph.filter((x) => x.op === 'OneHot')) {
          expect((n.attr as { T: { type: string } }).T.type).toBe('DT_INT32');
          expect(Number((n.attr as { axis?: { i?: string } }).axis?.i ?? -1)).toBe(-1);
        }
        await tf.setBackend(backend);
        const gm = await loadGraphModel(json, files);
        const x = tf.tensor(indices as number[], rank === 2 ? [2, 2] : [4], 'int32');
        const y = gm.execute(x, json.signature.outputs.hot.name) as tf.Tensor;
        expect(y.dtype).toBe(T === F ? 'float32' : 'int32');
        expect(await y.array()).toEqual(oneHotReference(indices, axis, 5, -1));
        tf.dispose([x, y]);
        gm.dispose();
        await tf.setBackend('cpu');
      });
    }
  }

  it('the rewritten nodes are TensorFlow ops with their attrs (TF 2.2 registry)', async () => {
    const { nodes } = await convertedOneHot(F, 1, 2);
    const { portableOneHot } = await import('../src/portable-one-hot.js');
    const frozen = portableOneHot({
      signatureKey: 'serving_default', methodName: '', nodes, constants: new Map(), inputs: [], outputs: [], variables: [],
      producer: 1000, hostNodes: new Map(), writtenVariables: [], functions: [],
    });
    expect(frozen.nodes.map((n) => n.op)).toContain('Transpose');
    // a frozen graph's Consts carry their values beside the node (constants): put them back
    const withValues = frozen.nodes.map((n) => {
      const t = frozen.constants.get(n.name ?? '');
      return n.op === 'Const' && t ? node(n.name!, 'Const', [], { ...n.attr, value: attr.tensor(int32Tensor(Array.from(t.values as Int32Array), t.shape)) }) : n;
    });
    const errors = validateGraphDef({ node: withValues }, { strict: true }).filter((e) => e.severity === 'error').map((e) => e.message);
    expect(errors).toEqual([]);
  });
});

describe('EnsureShape (its shape an attr, which tfjs-converter reads as a missing input)', () => {
  it('is written as an Identity that stock tfjs runs', async () => {
    const any = { unknown_rank: true };
    const mg: tensorflow.IMetaGraphDef = {
      meta_info_def: { tags: ['serve'] },
      graph_def: {
        versions: { producer: 1000 },
        node: [
          node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1, 3]) }),
          node('e', 'EnsureShape', ['x'], { T: attr.type(F), shape: attr.shape([-1, 3]) }),
          node('y', 'Neg', ['e'], { T: attr.type(F) }),
        ],
      },
      signature_def: {
        serving_default: {
          method_name: 'tensorflow/serving/predict',
          inputs: { x: { name: 'x:0', dtype: F, tensor_shape: any } },
          outputs: { y: { name: 'y:0', dtype: F, tensor_shape: any } },
        },
      },
    };
    const sm = fileMapSink();
    await writeSavedModel(sm, { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } });
    const out = fileMapSink();
    await convertSavedModelToTfjs(sm.files, out);
    const json = JSON.parse(new TextDecoder().decode(out.files.get('model.json'))) as ConvertedJson & { signature: { outputs: { y: { name: string } } } };
    expect(json.modelTopology.node.map((n) => n.op)).not.toContain('EnsureShape');
    const gm = await loadGraphModel(json, out.files);
    const x = tf.tensor2d([[1, -2, 3], [4, 5, -6]]);
    const y = gm.execute(x, json.signature.outputs.y.name) as tf.Tensor;
    expect(await y.array()).toEqual([[-1, 2, -3], [-4, -5, 6]]);
    tf.dispose([x, y]);
    gm.dispose();
  });
});
