// The `serve` MetaGraph: the model's forward pass (traced like tf.keras traces model.call),
// signature `serving_default` with method tensorflow/serving/predict, keyed by the model's
// input and output names as Keras's export_outputs_for_mode(PREDICT) keys them.
import type * as tf from '@tensorflow/tfjs';
import { tensorflow } from '@savedmodel-js/core';
import { modelInputNames, tfDtype, traceFunction, traceModel, type ConcreteFunction, type TensorSpecLike } from '@savedmodel-js/trace';
import { uniqueNames } from '@savedmodel-js/export';
import { buildMetaGraph, type V1Input } from './metagraph-v1.js';
import type { V1Variable } from './variables-v1.js';

export interface GraphContext {
  variables: readonly V1Variable[];
  variableName: (v: tf.Variable) => string;
  tempId: string;
}


export async function traceServing(model: tf.LayersModel, inputSignature?: readonly TensorSpecLike[]): Promise<ConcreteFunction> {
  if (!inputSignature) return traceModel(model);
  const multi = inputSignature.length > 1;
  const run = (...xs: tf.Tensor[]) => model.apply(multi ? xs : xs[0]!, { training: false }) as tf.Tensor | tf.Tensor[];
  return traceFunction(run as never, inputSignature, { name: model.name });
}

export function serveMetaGraph(model: tf.LayersModel, fn: ConcreteFunction, ctx: GraphContext): tensorflow.IMetaGraphDef {
  const names = modelInputNames(model);
  const inputKeys = uniqueNames(fn.inputs.map((inp, i) => names[i] ?? inp.spec.name ?? inp.argName));
  const inputs: V1Input[] = fn.inputs.map((inp, i) => ({
    key: inputKeys[i]!, argName: inp.argName, dtype: tfDtype(inp.spec.dtype), shape: [...inp.spec.shape],
  }));
  const outputKeys = uniqueNames(fn.outputs.map((o, i) => model.outputNames[i] ?? o.spec.name ?? o.argName));
  const ret = fn.functionDef.ret ?? {};
  return buildMetaGraph({
    tags: ['serve'],
    signatureKey: 'serving_default',
    methodName: 'tensorflow/serving/predict',
    inputs,
    body: {
      nodes: fn.functionDef.node_def ?? [],
      captures: fn.captures.map((c) => ({ argName: c.argName, variable: c.variable })),
      outputs: fn.outputs.map((o) => ret[o.argName]!),
    },
    variables: ctx.variables,
    variableName: ctx.variableName,
    tempId: ctx.tempId,
    finish: (_g, refs) => fn.outputs.map((o, i) => ({ key: outputKeys[i]!, ref: refs[i]!, dtype: tfDtype(o.spec.dtype), shape: [...o.spec.shape] })),
  });
}
