// Generated hostile SavedModels (in memory, nothing committed): long chains, deep call nesting,
// call trees that double per level, cycles, huge splatted constants.
import {
  attr, fileMapSink, node, tensorflow, writeSavedModel, type CheckpointTensor,
} from '@savedmodel-js/core';

export const DT = tensorflow.DataType;
const F = DT.DT_FLOAT;

export interface Spec {
  nodes: tensorflow.INodeDef[];
  functions?: tensorflow.IFunctionDef[];
  inputs: Record<string, [string, tensorflow.DataType, number[]]>;
  outputs: Record<string, [string, tensorflow.DataType]>;
  checkpoint?: CheckpointTensor[];
}

/** The SavedModel's files (saved_model.pb, variables/ when a checkpoint is given). */
export async function build(spec: Spec): Promise<Map<string, Uint8Array>> {
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
  const sink = fileMapSink();
  const content: Parameters<typeof writeSavedModel>[1] = { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } };
  if (spec.checkpoint) content.checkpoint = spec.checkpoint;
  await writeSavedModel(sink, content);
  return sink.files;
}

export function fn(name: string, inputs: [string, tensorflow.DataType][], outputs: [string, tensorflow.DataType, string][], body: tensorflow.INodeDef[]): tensorflow.IFunctionDef {
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

export function call(name: string, f: string, inputs: string[], tin: tensorflow.DataType[], tout: tensorflow.DataType[]): tensorflow.INodeDef {
  return node(name, 'StatefulPartitionedCall', inputs, { f: attr.func(f), Tin: attr.types(tin), Tout: attr.types(tout) });
}

export const constNode = (name: string, t: tensorflow.ITensorProto) => node(name, 'Const', [], { dtype: attr.type(t.dtype!), value: attr.tensor(t) });

export const placeholder = (name: string, dtype = F, shape: number[] = [-1]) => node(name, 'Placeholder', [], { dtype: attr.type(dtype), shape: attr.shape(shape) });

/** `n` Neg nodes in a row after `from` (graph-style refs: "n1", function-style: "n1:y:0"). */
export function negChain(n: number, from: string, style: 'graph' | 'function'): { nodes: tensorflow.INodeDef[]; last: string } {
  const nodes: tensorflow.INodeDef[] = [];
  let prev = from;
  for (let i = 0; i < n; i++) {
    const name = `n${i}`;
    nodes.push(node(name, 'Neg', [prev], { T: attr.type(F) }));
    prev = style === 'graph' ? name : `${name}:y:0`;
  }
  return { nodes, last: prev };
}

/** x → f0(x) → f1 → … → f{depth-1}, each function calling the next (the last negates). */
export function nestedCalls(depth: number, callsPerLevel = 1): Spec {
  const functions: tensorflow.IFunctionDef[] = [];
  for (let d = 0; d < depth; d++) {
    const name = `f${d}`;
    if (d === depth - 1) {
      functions.push(fn(name, [['a', F]], [['o', F, 'neg:y:0']], [node('neg', 'Neg', ['a'], { T: attr.type(F) })]));
      continue;
    }
    // each level calls the next `callsPerLevel` times and adds the results up
    const body: tensorflow.INodeDef[] = [];
    for (let k = 0; k < callsPerLevel; k++) body.push(call(`c${k}`, `f${d + 1}`, ['a'], [F], [F]));
    let out = 'c0:output:0';
    if (callsPerLevel > 1) {
      body.push(node('sum', 'AddN', body.map((_, k) => `c${k}:output:0`), { N: attr.int(callsPerLevel), T: attr.type(F) }));
      out = 'sum:sum:0';
    }
    functions.push(fn(name, [['a', F]], [['o', F, out]], body));
  }
  return {
    nodes: [placeholder('x'), call('call', 'f0', ['x'], [F], [F])],
    functions,
    inputs: { x: ['x:0', F, [-1]] },
    outputs: { y: ['call:0', F] },
  };
}

/** One signature y = x + c for a Const `c` with the given TensorProto (float x unless `dtype`). */
export function constModel(c: tensorflow.ITensorProto, dtype = F): Spec {
  return {
    nodes: [placeholder('x', dtype, []), constNode('c', c), node('y', 'AddV2', ['x', 'c'], { T: attr.type(dtype) })],
    inputs: { x: ['x:0', dtype, []] },
    outputs: { y: ['y:0', dtype] },
  };
}

/** Const splats and other impossible sizes: each must be refused before allocating. */
export const SPLATS: Record<string, () => Spec> = {
  'float splat [3e8]': () => constModel({ dtype: F, tensor_shape: { dim: [{ size: 3e8 }] }, float_val: [1] }),
  'float [2^40]': () => constModel({ dtype: F, tensor_shape: { dim: [{ size: 2 ** 40 }] }, float_val: [1] }),
  'float [2^31, 2^31]': () => constModel({ dtype: F, tensor_shape: { dim: [{ size: 2 ** 31 }, { size: 2 ** 31 }] }, float_val: [1] }),
  'int64 splat [2e8]': () => constModel({ dtype: DT.DT_INT64, tensor_shape: { dim: [{ size: 2e8 }] }, int64_val: [7] }, DT.DT_INT64),
  'string splat [1e8] of 100 bytes': () => constModel({ dtype: DT.DT_STRING, tensor_shape: { dim: [{ size: 1e8 }] }, string_val: [new Uint8Array(100).fill(97)] }, DT.DT_STRING),
};
