// loadSavedModel on hand-built SavedModels (in memory): the cases the TensorFlow fixtures do not
// reach — nested calls, list outputs (number_attr / type_list_attr) referenced as
// `node:out_arg:i`, multi-output ops, name-keyed variables, and the refusals (functional control
// flow, resource-creating ops, missing checkpoint keys, int64 constants beyond int32, a
// placeholder the signature does not feed).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  attr, fileMapSink, floatTensor, int32Tensor, isSavedModelError, node, tensorflow, writeSavedModel,
  type CheckpointTensor, type SavedModelErrorCode,
} from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';

const DT = tensorflow.DataType;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Spec {
  nodes: tensorflow.INodeDef[];
  functions?: tensorflow.IFunctionDef[];
  inputs: Record<string, [string, tensorflow.DataType, number[]]>;
  outputs: Record<string, [string, tensorflow.DataType]>;
  objectGraph?: tensorflow.ISavedObjectGraph;
  checkpoint?: CheckpointTensor[];
}

async function build(spec: Spec): Promise<Map<string, Uint8Array>> {
  const tinfo = ([name, dtype, shape]: [string, tensorflow.DataType, number[]]): tensorflow.ITensorInfo =>
    ({ name, dtype, tensor_shape: { dim: shape.map((size) => ({ size })) } });
  const sig: tensorflow.ISignatureDef = {
    inputs: Object.fromEntries(Object.entries(spec.inputs).map(([k, v]) => [k, tinfo(v)])),
    outputs: Object.fromEntries(Object.entries(spec.outputs).map(([k, [n, d]]) => [k, { name: n, dtype: d, tensor_shape: { unknown_rank: true } }])),
    method_name: 'tensorflow/serving/predict',
  };
  const mg: tensorflow.IMetaGraphDef = {
    meta_info_def: { tags: ['serve'] },
    graph_def: { node: spec.nodes, library: { function: spec.functions ?? [] }, versions: { producer: 440, min_consumer: 12 } },
    signature_def: { serving_default: sig },
  };
  if (spec.objectGraph) mg.object_graph_def = spec.objectGraph;
  const sink = fileMapSink();
  const content: Parameters<typeof writeSavedModel>[1] = { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } };
  if (spec.checkpoint) content.checkpoint = spec.checkpoint;
  await writeSavedModel(sink, content);
  return sink.files;
}

function fn(name: string, inputs: [string, tensorflow.DataType][], outputs: [string, tensorflow.DataType, string][], body: tensorflow.INodeDef[]): tensorflow.IFunctionDef {
  return {
    signature: {
      name,
      input_arg: inputs.map(([n, type]) => ({ name: n, type })),
      output_arg: outputs.map(([n, type]) => ({ name: n, type })),
    },
    node_def: body,
    ret: Object.fromEntries(outputs.map(([n, , r]) => [n, r])),
  };
}

function call(name: string, f: string, inputs: string[], tin: tensorflow.DataType[], tout: tensorflow.DataType[]): tensorflow.INodeDef {
  return node(name, 'StatefulPartitionedCall', inputs, { f: attr.func(f), Tin: attr.types(tin), Tout: attr.types(tout) });
}

const constNode = (name: string, t: tensorflow.ITensorProto) => node(name, 'Const', [], { dtype: attr.type(t.dtype!), value: attr.tensor(t) });

function trackableGraph(): Uint8Array {
  return tensorflow.TrackableObjectGraph.encode({
    nodes: [
      { children: [{ node_id: 1, local_name: 'v' }] },
      { attributes: [{ name: 'VARIABLE_VALUE', full_name: 'v', checkpoint_key: 'v/.ATTRIBUTES/VARIABLE_VALUE' }] },
    ],
  }).finish();
}

async function expectCode(code: SavedModelErrorCode, p: Promise<unknown>, ...mentions: string[]): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(isSavedModelError(err), `expected SavedModelError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code, String(err)).toBe(code);
  for (const m of mentions) expect((err as Error).message).toContain(m);
}

/** x: float [4] and a captured variable v = [1, 5, 3, 7], bound through the object graph. */
function tf2Model(outerBody: tensorflow.INodeDef[], outerOutputs: [string, tensorflow.DataType, string][]): Spec {
  const F = DT.DT_FLOAT, R = DT.DT_RESOURCE;
  const inner = fn('__inference_inner_7', [['x', F], ['r', R]], [['p', F, 'mul:z:0'], ['q', F, 'sub:z:0']], [
    node('read', 'ReadVariableOp', ['r'], { dtype: attr.type(F) }),
    node('mul', 'Mul', ['x', 'read:value:0'], { T: attr.type(F) }),
    node('sub', 'Sub', ['x', 'read:value:0', '^mul'], { T: attr.type(F) }),
  ]);
  const outer = fn('__inference_outer_9', [['x', F], ['r', R]], outerOutputs, outerBody);
  return {
    nodes: [
      node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([4]) }),
      node('Variable', 'VarHandleOp', [], { dtype: attr.type(F), shape: attr.shape([4]), shared_name: attr.str('Variable') }),
      call('StatefulPartitionedCall', '__inference_outer_9', ['x', 'Variable'], [F, R], outerOutputs.map(([, t]) => t)),
    ],
    functions: [inner, outer],
    inputs: { x: ['x:0', F, [4]] },
    outputs: Object.fromEntries(outerOutputs.map(([n, t], i) => [n, [`StatefulPartitionedCall:${i}`, t]])),
    objectGraph: {
      nodes: [
        { children: [{ node_id: 1, local_name: 'v' }], user_object: { identifier: '_generic_user_object' } },
        { variable: { dtype: F, shape: { dim: [{ size: 4 }] } } },
      ],
      concrete_functions: { __inference_outer_9: { bound_inputs: [1] } },
    },
    checkpoint: [
      { key: '_CHECKPOINTABLE_OBJECT_GRAPH', dtype: DT.DT_STRING, shape: [], data: [trackableGraph()] },
      { key: 'v/.ATTRIBUTES/VARIABLE_VALUE', dtype: F, shape: [4], data: new Float32Array([1, 5, 3, 7]) },
    ],
  };
}

describe('inlining', () => {
  it('nested calls, Split (number_attr list), IdentityN (type_list_attr list), TopKV2 (second output), variable via object graph', async () => {
    const F = DT.DT_FLOAT, R = DT.DT_RESOURCE, I = DT.DT_INT32;
    const spec = tf2Model([
      call('inner_call', '__inference_inner_7', ['x', 'r'], [F, R], [F, F]),
      constNode('split_dim', int32Tensor([0])),
      node('split', 'Split', ['split_dim:output:0', 'inner_call:output:1'], { num_split: attr.int(2), T: attr.type(F) }),
      node('idn', 'IdentityN', ['split:output:1', 'split:output:0'], { T: attr.types([F, F]) }),
      constNode('k', int32Tensor([2])),
      node('topk', 'TopKV2', ['inner_call:output:0', 'k:output:0'], { T: attr.type(F) }),
      node('NoOp', 'NoOp', ['^inner_call']),
    ], [['a', F, 'idn:output:1'], ['b', F, 'topk:values:0'], ['c', I, 'topk:indices:0'], ['d', F, 'idn:output:0']]);
    const m = await loadSavedModel(await build(spec));
    const x = tf.tensor1d([4, 3, 2, 1]);
    // v = [1, 5, 3, 7]: p = x * v = [4, 15, 6, 7]; q = x - v = [3, -2, -1, -6]
    const r = m.predict(x) as tf.NamedTensorMap;
    expect(Array.from(r.a!.dataSync())).toEqual([3, -2]); // split(q)[0]
    expect(Array.from(r.d!.dataSync())).toEqual([-1, -6]); // split(q)[1]
    expect(Array.from(r.b!.dataSync())).toEqual([15, 7]);
    expect(r.c!.dtype).toBe('int32');
    expect(Array.from(r.c!.dataSync())).toEqual([1, 3]);
    expect(m.graph.variables).toEqual([{ variable: 'Variable', node: 'Variable', key: 'v/.ATTRIBUTES/VARIABLE_VALUE', via: 'object_graph' }]);
    // the variable is read twice (in one inlined function) but becomes a single Const
    expect(m.graph.nodes.filter((n) => n.op === 'Const').map((n) => n.name).sort()).toEqual([
      'StatefulPartitionedCall/k', 'StatefulPartitionedCall/split_dim', 'Variable',
    ]);
    m.dispose();
  });

  it('a function returning its argument, and two outputs naming the same tensor', async () => {
    const F = DT.DT_FLOAT;
    const spec = tf2Model([], [['same', F, 'x'], ['again', F, 'x']]);
    const m = await loadSavedModel(await build(spec));
    const r = m.predict(tf.tensor1d([1, 2, 3, 4])) as tf.NamedTensorMap;
    r.same!.dispose();
    expect(Array.from(r.again!.dataSync())).toEqual([1, 2, 3, 4]);
    m.dispose();
  });

  it('TF1 graph: VariableV2 keyed by its name, Identity reads, a fed intermediate tensor prunes its producer', async () => {
    const F = DT.DT_FLOAT;
    const files = await build({
      nodes: [
        node('raw', 'Placeholder', [], { dtype: attr.type(DT.DT_STRING), shape: attr.shape([]) }),
        node('parsed', 'StringToNumber', ['raw'], { out_type: attr.type(F) }),
        node('x', 'Identity', ['parsed'], { T: attr.type(F) }),
        node('w', 'VariableV2', [], { dtype: attr.type(F), shape: attr.shape([2]) }),
        node('w/read', 'Identity', ['w'], { T: attr.type(F) }),
        node('y', 'Mul', ['x', 'w/read'], { T: attr.type(F) }),
      ],
      inputs: { x: ['x:0', F, [-1]] },
      outputs: { y: ['y:0', F] },
      checkpoint: [{ key: 'w', dtype: F, shape: [2], data: new Float32Array([2, -3]) }],
    });
    const m = await loadSavedModel(files);
    expect(Array.from((m.predict(tf.tensor1d([5, 6])) as tf.Tensor).dataSync())).toEqual([10, -18]);
    expect(m.graph.variables).toEqual([{ variable: 'w', node: 'w', key: 'w', via: 'name' }]);
    expect(m.graph.nodes.map((n) => n.op)).not.toContain('StringToNumber');
    m.dispose();
  });
});

describe('refusals', () => {
  const F = DT.DT_FLOAT;

  it('Case with no branches (lowered to If chains, see case.test.ts) → INVALID_GRAPH naming it', async () => {
    const files = await build({
      nodes: [
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([]) }),
        node('c', 'Placeholder', [], { dtype: attr.type(DT.DT_INT32), shape: attr.shape([]) }),
        node('case', 'Case', ['c', 'x'], { branches: { list: { func: [] } }, Tin: attr.types([F]), Tout: attr.types([F]) }),
      ],
      functions: [fn('t', [['a', F]], [['o', F, 'a']], [])],
      inputs: { x: ['x:0', F, []], c: ['c:0', DT.DT_INT32, []] },
      outputs: { y: ['case:0', F] },
    });
    await expectCode('INVALID_GRAPH', loadSavedModel(files), 'Case', 'case');
  });

  it('a resource-creating op the loader has no host implementation for (dense hash table) → UNSUPPORTED', async () => {
    const files = await build({
      nodes: [
        node('k', 'Placeholder', [], { dtype: attr.type(DT.DT_STRING), shape: attr.shape([]) }),
        node('table', 'MutableDenseHashTableV2', [], { key_dtype: attr.type(DT.DT_STRING), value_dtype: attr.type(F) }),
        constNode('default', floatTensor([0])),
        node('find', 'LookupTableFindV2', ['table', 'k', 'default'], { Tin: attr.type(DT.DT_STRING), Tout: attr.type(F) }),
      ],
      inputs: { k: ['k:0', DT.DT_STRING, []] },
      outputs: { v: ['find:0', F] },
    });
    await expectCode('UNSUPPORTED', loadSavedModel(files), 'MutableDenseHashTableV2', 'resource');
  });

  it('a variable without a checkpoint value → NOT_FOUND naming it', async () => {
    const spec = tf2Model([call('inner_call', '__inference_inner_7', ['x', 'r'], [F, DT.DT_RESOURCE], [F, F])], [['a', F, 'inner_call:output:0']]);
    spec.checkpoint = [{ key: 'other', dtype: F, shape: [], data: new Float32Array([1]) }];
    await expectCode('NOT_FOUND', loadSavedModel(await build(spec)), 'Variable');
  });

  it('an int64 constant beyond int32 → UNSUPPORTED; within int32 it runs', async () => {
    const make = (v: bigint) => build({
      nodes: [
        node('x', 'Placeholder', [], { dtype: attr.type(DT.DT_INT64), shape: attr.shape([]) }),
        constNode('big', { dtype: DT.DT_INT64, tensor_shape: {}, int64_val: [Number(v)] }),
        node('y', 'AddV2', ['x', 'big'], { T: attr.type(DT.DT_INT64) }),
      ],
      inputs: { x: ['x:0', DT.DT_INT64, []] },
      outputs: { y: ['y:0', DT.DT_INT64] },
    });
    await expectCode('UNSUPPORTED', loadSavedModel(await make(1n << 40n)), 'big', 'int32');
    const m = await loadSavedModel(await make(-7n));
    expect((await m.run({ x: 10 })).y).toEqual({ dtype: 'int32', tfDtype: 'DT_INT64', shape: [], values: [3] });
    m.dispose();
  });

  it('outputs that need a placeholder the signature does not feed → INVALID_GRAPH', async () => {
    const files = await build({
      nodes: [
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([]) }),
        node('z', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([]) }),
        node('y', 'AddV2', ['x', 'z'], { T: attr.type(F) }),
      ],
      inputs: { x: ['x:0', F, []] },
      outputs: { y: ['y:0', F] },
    });
    await expectCode('INVALID_GRAPH', loadSavedModel(files), 'placeholder z');
  });
});
