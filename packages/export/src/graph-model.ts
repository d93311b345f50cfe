// A tf.GraphModel (tfjs-converter) already in memory, exported by tracing its `execute`: the
// kernels tfjs runs become TensorFlow ops and its weights Consts (a frozen graph, as
// tfjs-to-tf writes). @savedmodel-js/convert rebuilds graph models from model.json faithfully;
// this path serves models only held in memory and what that rebuild cannot do.
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError } from '@savedmodel-js/core';
import { quoteSnippet } from '@savedmodel-js/core/internal';
import { TensorSpec } from '@savedmodel-js/trace';
import { tfFunction, type FunctionOptions, type PolymorphicFunction } from './function.js';

interface TensorInfoLike {
  name: string;
  shape?: number[];
  dtype?: string;
}

/** What saveModel/exportModel use of a tf.GraphModel. */
export interface GraphModelLike {
  readonly inputs: TensorInfoLike[];
  readonly outputs: TensorInfoLike[];
  /** Signature keys where model.json has a signature, else node names (same order as inputs/outputs). */
  readonly inputNodes: string[];
  readonly outputNodes: string[];
  execute(inputs: tf.NamedTensorMap, outputs?: string[]): tf.Tensor | tf.Tensor[];
  executeAsync(inputs: tf.NamedTensorMap, outputs?: string[]): Promise<tf.Tensor | tf.Tensor[]>;
}

/** model.json's `signature` as tfjs-converter keeps it (GraphModel.modelSignature): proto3 JSON. */
interface SignatureLike {
  inputs?: Record<string, { name?: unknown; tensorShape?: { dim?: { size?: unknown }[]; unknownRank?: unknown } } | null>;
}

/**
 * Input shapes from model.json's signature, by node name, where it knows dims the Placeholder
 * leaves -1 (MoveNet MultiPose: [1,-1,-1,3] in the graph, [1,256,256,3] signed). Unknown dims are
 * traced at prime sizes, which a conv net's strides and concatenations reject; the signature is
 * the model's own contract for its inputs.
 */
function signedShapes(model: GraphModelLike): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const sig = (model as { modelSignature?: SignatureLike }).modelSignature;
  for (const info of Object.values(sig?.inputs ?? {})) {
    const name = typeof info?.name === 'string' ? info.name.replace(/:0$/, '') : undefined;
    const dims = info?.tensorShape?.dim;
    if (!name || !Array.isArray(dims) || info?.tensorShape?.unknownRank === true) continue;
    const shape = dims.map((d) => Number(d?.size ?? -1));
    if (shape.every((d) => Number.isSafeInteger(d) && d >= -1)) out.set(name, shape);
  }
  return out;
}

export function isGraphModel(x: unknown): x is GraphModelLike {
  const g = x as Partial<GraphModelLike> | null;
  return !!g && typeof g === 'object' && typeof g.execute === 'function' && typeof g.executeAsync === 'function' &&
    Array.isArray(g.inputs) && Array.isArray(g.outputs) && Array.isArray(g.inputNodes) && Array.isArray(g.outputNodes);
}

const DTYPES = new Set(['float32', 'int32', 'bool']);

function uniqueKeys(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    let k = n.replace(/:0$/, '') || 'output';
    const base = k;
    for (let i = 1; used.has(k); i++) k = `${base}_${i}`;
    used.add(k);
    return k;
  });
}

/**
 * The graph model's `execute` as a tf.function: one argument per model input (named by its
 * signature key or node name; `-1` dims unknown), returning a dict keyed the same way.
 */
export function graphModelFunction(model: GraphModelLike, options: Pick<FunctionOptions, 'name' | 'trace' | 'isMethod'> = {}): PolymorphicFunction {
  const inputs = model.inputs, outputs = model.outputs;
  if (inputs.length === 0) throw new SavedModelError('INVALID_ARGUMENT', 'the graph model has no inputs (Placeholders) to trace with');
  if (outputs.length === 0) throw new SavedModelError('INVALID_ARGUMENT', 'the graph model has no outputs');
  const argKeys = uniqueKeys(model.inputNodes.length === inputs.length ? model.inputNodes : inputs.map((t) => t.name));
  const outKeys = uniqueKeys(model.outputNodes.length === outputs.length ? model.outputNodes : outputs.map((t) => t.name));
  const signed = signedShapes(model);
  const specs = inputs.map((t, i) => {
    if (!Array.isArray(t.shape)) {
      throw new SavedModelError('UNSUPPORTED', `graph model input ${JSON.stringify(t.name)} has no shape (unknown rank): the tracer needs the rank`, { key: t.name });
    }
    const dtype = t.dtype ?? 'float32';
    if (!DTYPES.has(dtype)) throw new SavedModelError('UNSUPPORTED', `graph model input ${JSON.stringify(t.name)} is ${dtype}: only float32, int32 and bool inputs can be traced`, { key: t.name });
    const sig = signed.get(t.name);
    const shape = sig && sig.length === t.shape.length ? t.shape.map((d, k) => (d < 0 ? sig[k]! : d)) : t.shape;
    return new TensorSpec(shape.map((d) => (d < 0 ? null : d)), dtype as tf.DataType, argKeys[i]);
  });
  const outNames = outputs.map((t) => t.name);
  const fn = (...xs: tf.Tensor[]): Record<string, tf.Tensor> => {
    const feeds: tf.NamedTensorMap = {};
    inputs.forEach((t, i) => { feeds[t.name] = xs[i]!; });
    let y: tf.Tensor | tf.Tensor[];
    try {
      y = model.execute(feeds, outNames);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof SavedModelError) throw e;
      // control flow (If/While, TensorArrays) and dynamic-shape ops need executeAsync: no single trace
      const why = /executeAsync|dynamic op/i.test(msg) ? 'tfjs runs this graph model only asynchronously (control flow or dynamic ops), so it cannot be traced' : 'tfjs could not run the graph model while tracing';
      throw new SavedModelError('UNSUPPORTED', `${why}: ${quoteSnippet(msg)}`, { cause: e });
    }
    const ys = Array.isArray(y) ? y : [y];
    return Object.fromEntries(outKeys.map((k, i) => [k, ys[i]!]));
  };
  return tfFunction(fn as (...a: never[]) => unknown, { name: options.name ?? 'serve', argNames: argKeys, inputSignature: specs, isMethod: options.isMethod ?? false, ...(options.trace ? { trace: options.trace } : {}) });
}
