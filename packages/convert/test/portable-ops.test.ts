// A tfjs graph model from convertSavedModelToTfjs runs on stock TensorFlow.js: it holds no op that
// only loadSavedModel registers (the runtime runs OneHot as its own `_SmjsOneHot`; a graph model
// holding that op could not load elsewhere), and no OneHot stock tfjs computes wrong (tfjs-converter
// drops `axis`; tfjs-backend-wasm writes integer bits into float one-hots): those are written as
// an int32 OneHot, Cast, SelectV2 and Transpose (portable-one-hot.ts), and no EnsureShape (stock
// tfjs-converter reads its shape attr as a missing input: written as an Identity), and no
// BatchMatMulV2 whose operands stock tfjs might pair wrongly (portable-batch-matmul.ts: broadcast in
// the graph first; expected values: numpy's matmul by hand, matMulReference). OneHot's expected values:
// TensorFlow's tf.one_hot documentation (indices [0, 2, -1, 1], depth 3, on 5, off 0; axis 0 puts
// depth first), and OneHot's definition (output[..., j, ...] at `axis` is on where index == j).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, fileMapSink, floatTensor, int32Tensor, isSavedModelError, loadOpRegistry, node, tensorflow, writeSavedModel } from '@savedmodel-js/core';
import { frozenGraphErrors, matMulReference } from '../../runtime/test/graph-kit.js';
import { convertSavedModelToTfjs } from '../src/index.js';
import { prng } from '../../trace/test/helpers/checks.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32;
beforeAll(async () => { await tf.setBackend('cpu'); await loadOpRegistry(); });
afterAll(async () => { await tf.setBackend('cpu'); });

interface ConvertedJson {
  modelTopology: { node: { name: string; op: string; input?: string[]; attr?: Record<string, unknown> }[] };
  signature: { inputs?: Record<string, { name: string }>; outputs: Record<string, { name: string }> };
}

/** A SavedModel of `nodes` (serving_default: key → [tensor, dtype] in and out), converted to a tfjs graph model. */
async function convertGraph(nodes: tensorflow.INodeDef[], inputs: Record<string, [string, number]>, outputs: Record<string, [string, number]>, options: { skipOpCheck?: boolean } = {}): Promise<{ json: ConvertedJson; files: Map<string, Uint8Array> }> {
  const info = ([name, dtype]: [string, number]): tensorflow.ITensorInfo => ({ name, dtype, tensor_shape: { unknown_rank: true } });
  const mg: tensorflow.IMetaGraphDef = {
    meta_info_def: { tags: ['serve'] },
    graph_def: { versions: { producer: 1000 }, node: nodes },
    signature_def: {
      serving_default: {
        method_name: 'tensorflow/serving/predict',
        inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, info(v)])),
        outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, info(v)])),
      },
    },
  };
  const sm = fileMapSink();
  await writeSavedModel(sm, { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } });
  const out = fileMapSink();
  await convertSavedModelToTfjs(sm.files, out, options);
  return { json: JSON.parse(new TextDecoder().decode(out.files.get('model.json'))) as ConvertedJson, files: out.files };
}

/** A one-node SavedModel: hot = OneHot(indices, depth 3, on 5, off) of the given T and axis, converted. */
async function convertedOneHot(T: tensorflow.DataType, axis: number, rank: number, off = -1): Promise<{ json: ConvertedJson; files: Map<string, Uint8Array>; nodes: tensorflow.INodeDef[] }> {
  const value = (v: number) => attr.tensor(T === F ? floatTensor([v], []) : int32Tensor([v], []));
  const nodes = [
    node('indices', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape(Array<number>(rank).fill(-1)) }),
    node('depth', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([3], [])) }),
    node('on', 'Const', [], { dtype: attr.type(T), value: value(5) }),
    node('off', 'Const', [], { dtype: attr.type(T), value: value(off) }),
    node('hot', 'OneHot', ['indices', 'depth', 'on', 'off'], { T: attr.type(T), TI: attr.type(I), axis: attr.int(axis) }),
  ];
  return { ...(await convertGraph(nodes, { indices: ['indices:0', I] }, { hot: ['hot:0', T] })), nodes };
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
    const { json, files } = await convertedOneHot(F, -1, 1, 0);
    const ops = json.modelTopology.node.map((n) => n.op);
    expect(ops).toContain('OneHot');
    expect(ops.filter((o) => o.startsWith('_Smjs'))).toEqual([]);
    const gm = await loadGraphModel(json, files);
    const y = gm.execute(tf.tensor1d([0, 2, -1, 1], 'int32'), json.signature.outputs.hot!.name) as tf.Tensor;
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
        const y = gm.execute(x, json.signature.outputs.hot!.name) as tf.Tensor;
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
    expect(frozenGraphErrors(frozen)).toEqual([]);
  });
});

describe('EnsureShape (its shape an attr, which tfjs-converter reads as a missing input)', () => {
  it('is written as an Identity that stock tfjs runs', async () => {
    const { json, files } = await convertGraph([
      node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1, 3]) }),
      node('e', 'EnsureShape', ['x'], { T: attr.type(F), shape: attr.shape([-1, 3]) }),
      node('y', 'Neg', ['e'], { T: attr.type(F) }),
    ], { x: ['x:0', F] }, { y: ['y:0', F] });
    expect(json.modelTopology.node.map((n) => n.op)).not.toContain('EnsureShape');
    const gm = await loadGraphModel(json, files);
    const x = tf.tensor2d([[1, -2, 3], [4, 5, -6]]);
    const y = gm.execute(x, json.signature.outputs.y!.name) as tf.Tensor;
    expect(await y.array()).toEqual([[-1, 2, -3], [-4, -5, 6]]);
    tf.dispose([x, y]);
    gm.dispose();
  });
});

describe('BatchMatMulV2 whose batch dimensions stock tfjs pairs wrongly', () => {
  const unknown = attr.shape(null);
  /** a and b as placeholders of unknown shape (or b a constant), y = BatchMatMulV2(a, b), converted. */
  const converted = (bConst?: { values: number[]; shape: number[] }, adj = false) => convertGraph([
    node('a', 'Placeholder', [], { dtype: attr.type(F), shape: unknown }),
    bConst
      ? node('b', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor(bConst.values, bConst.shape)) })
      : node('b', 'Placeholder', [], { dtype: attr.type(F), shape: unknown }),
    node('y', 'BatchMatMulV2', ['a', 'b'], { T: attr.type(F), adj_x: attr.bool(adj), adj_y: attr.bool(adj) }),
  ], bConst ? { a: ['a:0', F] } : { a: ['a:0', F], b: ['b:0', F] }, { y: ['y:0', F] });
  const rand = prng(29);
  const values = (shape: number[]) => Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => rand(-1, 1));

  const cases: [number[], number[], boolean][] = [
    [[2, 1, 2, 3], [1, 3, 3, 2], false], // both sides expand: 6 of 12 matrices in stock tfjs
    [[2, 3, 2, 3], [2, 1, 3, 2], false], // one side expands, not as a tail: paired wrongly
    [[4, 2, 3], [2, 1, 3, 2], true],
    [[2, 2, 3], [2, 3, 2], false], // equal batches
    [[3, 2, 3], [3, 2], false], // a matrix on one side
    [[2, 3], [3, 4], false], // no batch dimension at all
  ];
  for (const backend of ['cpu', 'wasm']) {
    it(`runs right on tf.loadGraphModel (${backend})`, async () => {
      const { json, files } = await converted();
      expect(json.modelTopology.node.map((n) => n.op)).toContain('BroadcastTo');
      await tf.setBackend(backend);
      const gm = await loadGraphModel(json, files);
      for (const [sa, sb, adj] of cases) {
        const a = values(sa), b = values(sb);
        const want = matMulReference(a, sa, b, sb, adj, adj);
        const inputs = { [json.signature.inputs!.a!.name]: tf.tensor(a, sa), [json.signature.inputs!.b!.name]: tf.tensor(b, sb) };
        // the same graph model for every shape: the broadcast shapes are computed in the graph
        const gmAdj = adj ? await loadGraphModel((await converted(undefined, true)).json, files) : gm;
        const y = gmAdj.execute(inputs, json.signature.outputs.y!.name) as tf.Tensor;
        expect(y.shape, `${JSON.stringify(sa)} × ${JSON.stringify(sb)}`).toEqual(want.shape);
        const got = Array.from(await y.data());
        expect(got.length).toBe(want.values.length);
        got.forEach((v, i) => expect(Math.abs(v - want.values[i]!), `${JSON.stringify(sa)} × ${JSON.stringify(sb)} [${i}]`).toBeLessThan(1e-5));
        tf.dispose([...Object.values(inputs), y]);
        if (gmAdj !== gm) gmAdj.dispose();
      }
      gm.dispose();
      await tf.setBackend('cpu');
    });
  }

  it('a product with a constant matrix is left as it is', async () => {
    const { json } = await converted({ values: values([3, 2]), shape: [3, 2] });
    const graph = json.modelTopology.node;
    expect(graph.map((n) => n.op)).not.toContain('BroadcastTo');
    expect(graph.find((n) => n.op === 'BatchMatMulV2')?.input).toEqual(['a', 'b']);
  });

  it('the rewritten nodes are TensorFlow ops with their attrs (TF 2.2 registry)', async () => {
    const { portableBatchMatMul } = await import('../src/portable-batch-matmul.js');
    const frozen = portableBatchMatMul({
      signatureKey: 'serving_default', methodName: '', constants: new Map(), inputs: [], outputs: [], variables: [],
      producer: 1000, hostNodes: new Map(), writtenVariables: [], functions: [],
      nodes: [
        node('a', 'Placeholder', [], { dtype: attr.type(F), shape: unknown }),
        node('b', 'Placeholder', [], { dtype: attr.type(F), shape: unknown }),
        node('y', 'BatchMatMulV2', ['a', 'b'], { T: attr.type(F), adj_x: attr.bool(false), adj_y: attr.bool(false) }),
      ],
    });
    expect(frozen.nodes.filter((n) => n.op === 'BroadcastTo')).toHaveLength(2);
    expect(frozenGraphErrors(frozen)).toEqual([]);
  });
});

describe('BatchMatMulV3 (not in stock tfjs-converter) is written as BatchMatMulV2', () => {
  const V3 = (Ta: number, Tb: number, Tout: number) => node('y', 'BatchMatMulV3', ['a', 'b'], { Ta: attr.type(Ta), Tb: attr.type(Tb), Tout: attr.type(Tout), adj_x: attr.bool(false), adj_y: attr.bool(false) });
  const cases: [number, number, number, string][] = [[F, F, F, 'float32'], [I, I, F, 'int32']];
  for (const [Ta, Tb, Tout, dtype] of cases) {
    it(`${dtype} operands into float32, broadcast batches, on tf.loadGraphModel`, async () => {
      const { json, files } = await convertGraph([
        node('a', 'Placeholder', [], { dtype: attr.type(Ta), shape: attr.shape(null) }),
        node('b', 'Placeholder', [], { dtype: attr.type(Tb), shape: attr.shape(null) }),
        V3(Ta, Tb, Tout),
      ], { a: ['a:0', Ta], b: ['b:0', Tb] }, { y: ['y:0', Tout] });
      const ops = json.modelTopology.node.map((n) => n.op);
      expect(ops).not.toContain('BatchMatMulV3');
      expect(ops).toContain('BatchMatMulV2');
      if (Ta !== Tout) expect(ops).toContain('Cast');
      const gm = await loadGraphModel(json, files);
      const sa = [2, 1, 2, 3], sb = [1, 3, 3, 2];
      const a = Array.from({ length: 12 }, (_, i) => i - 5), b = Array.from({ length: 18 }, (_, i) => (i % 7) - 3);
      const want = matMulReference(a, sa, b, sb, false, false);
      const inputs = { [json.signature.inputs!.a!.name]: tf.tensor(a, sa, dtype as 'float32'), [json.signature.inputs!.b!.name]: tf.tensor(b, sb, dtype as 'float32') };
      const y = gm.execute(inputs, json.signature.outputs.y!.name) as tf.Tensor;
      expect(y.dtype).toBe('float32');
      expect(y.shape).toEqual(want.shape);
      expect(Array.from(await y.data())).toEqual(want.values);
      tf.dispose([...Object.values(inputs), y]);
      gm.dispose();
    });
  }
});

describe('ops stock tfjs-converter does not run', () => {
  const erfinv = [
    node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(null) }),
    node('y', 'Erfinv', ['x'], { T: attr.type(F) }),
  ];
  it('are refused (UNSUPPORTED naming the op and node), as tensorflowjs_converter refuses them', async () => {
    const err = await convertGraph(erfinv, { x: ['x:0', F] }, { y: ['y:0', F] }).then(() => undefined, (e: unknown) => e);
    expect(isSavedModelError(err, 'UNSUPPORTED'), String(err)).toBe(true);
    expect(String((err as Error).message)).toContain('Erfinv (node "y")');
  });
  it('are written with skipOpCheck, for an app that registers them', async () => {
    const { json } = await convertGraph(erfinv, { x: ['x:0', F] }, { y: ['y:0', F] }, { skipOpCheck: true });
    expect(json.modelTopology.node.map((n) => n.op)).toContain('Erfinv');
  });
  it('UnsortedSegmentSum, which only loadSavedModel runs (as its own op), is refused too', async () => {
    const err = await convertGraph([
      node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(null) }),
      node('ids', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([0, 1, 0], [3])) }),
      node('num', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([2], [])) }),
      node('y', 'UnsortedSegmentSum', ['x', 'ids', 'num'], { T: attr.type(F), Tindices: attr.type(I), Tnumsegments: attr.type(I) }),
    ], { x: ['x:0', F] }, { y: ['y:0', F] }).then(() => undefined, (e: unknown) => e);
    expect(isSavedModelError(err, 'UNSUPPORTED'), String(err)).toBe(true);
    expect(String((err as Error).message)).toContain('UnsortedSegmentSum');
  });
});
