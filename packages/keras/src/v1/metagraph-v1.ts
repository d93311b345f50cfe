// One TF1 MetaGraphDef from a traced body: Placeholders for the inputs, resource variables,
// the body's nodes at top level, signature outputs, the saver, the (empty) local-variables init
// op, and the VariableDef collections — the pieces SavedModelBuilder.add_meta_graph writes.
import type * as tf from '@tensorflow/tfjs';
import { attr, buildStrippedOpList, tensorflow } from '@savedmodel-js/core';
import { GRAPH_DEF_PRODUCER, SDK_MARKER } from '@savedmodel-js/export';
import { GraphV1, tensorName } from './graph-v1.js';
import { emitSaver, emitVariables, type V1Variable } from './variables-v1.js';

export interface V1Input {
  /** Signature key and Placeholder name. */
  key: string;
  /** Function arg the body reads it as. */
  argName: string;
  dtype: tensorflow.DataType;
  shape: (number | null)[];
}

export interface V1Body {
  nodes: readonly tensorflow.INodeDef[];
  captures: readonly { argName: string; variable: tf.Variable }[];
  /** Function-style references of the body's outputs. */
  outputs: readonly string[];
}

export interface V1Output {
  key: string;
  /** Graph-style tensor reference. */
  ref: string;
  dtype: tensorflow.DataType;
  shape: (number | null)[] | null;
}

export interface MetaGraphSpec {
  tags: string[];
  signatureKey: string;
  methodName: string;
  inputs: readonly V1Input[];
  body: V1Body;
  /** Every variable the MetaGraph declares (the saver covers exactly these). */
  variables: readonly V1Variable[];
  variableName: (v: tf.Variable) => string;
  /** Adds nodes after the body (train op, …) and returns the signature outputs. */
  finish: (g: GraphV1, bodyOutputs: string[], handles: ReadonlyMap<string, string>) => V1Output[];
  collections?: Record<string, tensorflow.ICollectionDef>;
  /** Suffix of the saver's temporary shard name (`_temp_<id>/part`). */
  tempId: string;
}

function tensorInfo(name: string, dtype: tensorflow.DataType, shape: (number | null)[] | null): tensorflow.ITensorInfo {
  return { name: tensorName(name), dtype, tensor_shape: shape === null ? { unknown_rank: true } : { dim: shape.map((d) => ({ size: d ?? -1 })) } };
}

export function buildMetaGraph(spec: MetaGraphSpec): tensorflow.IMetaGraphDef {
  const g = new GraphV1();
  const bindings = new Map<string, string>();
  const inputs: Record<string, tensorflow.ITensorInfo> = {};
  for (const i of spec.inputs) {
    const p = g.add(i.key, 'Placeholder', [], { dtype: attr.type(i.dtype), shape: attr.shape(i.shape) });
    bindings.set(i.argName, p);
    inputs[i.key] = tensorInfo(p, i.dtype, i.shape);
  }
  const { handles, collections } = emitVariables(g, spec.variables);
  for (const c of spec.body.captures) {
    const h = handles.get(spec.variableName(c.variable));
    if (h === undefined) throw new Error(`internal: variable ${c.variable.name} is not declared`);
    bindings.set(c.argName, h);
  }
  const map = g.importBody(spec.body.nodes, bindings);
  const outs = spec.finish(g, spec.body.outputs.map(map), handles);
  const outputs: Record<string, tensorflow.ITensorInfo> = {};
  for (const o of outs) outputs[o.key] = tensorInfo(o.ref, o.dtype, o.shape);
  const saverDef = spec.variables.length ? emitSaver(g, spec.variables, handles, spec.tempId) : undefined;
  const init = g.add('init', 'NoOp', []);
  const graph = g.graphDef(GRAPH_DEF_PRODUCER);
  const mg: tensorflow.IMetaGraphDef = {
    meta_info_def: {
      stripped_op_list: buildStrippedOpList(graph),
      tags: spec.tags,
      tensorflow_git_version: SDK_MARKER,
    },
    graph_def: graph,
    collection_def: { ...collections, ...(spec.collections ?? {}), saved_model_main_op: { node_list: { value: [init] } } },
    signature_def: { [spec.signatureKey]: { inputs, outputs, method_name: spec.methodName } },
  };
  if (saverDef) mg.saver_def = saverDef;
  return mg;
}
