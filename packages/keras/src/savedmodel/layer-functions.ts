// The traced call functions tf.keras saves for each layer and model: `__call__`
// (`<name>_layer_call_fn`, returns the outputs) and `call_and_return_all_conditional_losses`
// (`<name>_layer_call_and_return_conditional_losses`, returns (outputs, [losses])); for the
// model also `_default_save_signature` (`_wrapped_model`, a bare concrete function returning a dict
// of outputs keyed by output layer name, which serving_default serves). Traced in inference mode.
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError } from '@savedmodel-js/core';
import { PolymorphicFunction, TensorSpec, uniqueNames, type ExportableFunction } from '@savedmodel-js/export';
import { modelInputNames, traceLayerCall, type Nested } from '@savedmodel-js/trace';

export interface LayerFunctions {
  call: PolymorphicFunction;
  callAndReturnLosses: PolymorphicFunction;
  /** Models only: `_wrapped_model` (a concrete function, traced lazily). */
  defaultSignature?: ExportableFunction;
}

type Shape = (number | null)[];

interface ApplyLike {
  name: string;
  apply(x: tf.Tensor | tf.Tensor[], kwargs?: Record<string, unknown>): tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[];
  inboundNodes?: { inputTensors: { shape: Shape; dtype: string }[] }[];
  inputs?: tf.SymbolicTensor[];
  outputs?: tf.SymbolicTensor[];
  outputNames?: string[];
}

/** Input specs of a layer (its first inbound node) or model (its inputs). */
export function inputSpecs(layer: ApplyLike, isModel: boolean, names?: string[]): TensorSpec[] {
  const tensors = isModel ? (layer.inputs ?? []) : (layer.inboundNodes?.[0]?.inputTensors ?? []);
  if (!tensors.length) throw new SavedModelError('INVALID_ARGUMENT', `layer ${layer.name} has never been called: its input shape is unknown`, { key: layer.name });
  return tensors.map((t, i) => new TensorSpec([...t.shape], t.dtype as tf.DataType, names?.[i] ?? (tensors.length === 1 ? 'inputs' : `inputs_${i}`)));
}

function signatureOf(specs: TensorSpec[]): TensorSpec[] | TensorSpec[][] {
  return specs.length === 1 ? [specs[0]!] : [specs];
}

function asList<T>(x: T | T[]): T[] {
  return Array.isArray(x) ? x : [x];
}

/** Distinct suffixes for the FunctionDef names of derived functions (an export renumbers them). */
let derivedUid = 1;

/**
 * The same traced body under another name, returning `(outputs, [])`: Keras' two call functions of
 * a layer compute the same thing (the losses list is empty in inference), so one trace serves both.
 */
function withLosses(cf: ExportableFunction, name: string): ExportableFunction {
  const fdName = `__inference_${name}_${derivedUid++}`;
  const fd = cf.functionDef;
  return {
    ...cf,
    name: fdName,
    functionDef: { ...fd, signature: { ...fd.signature, name: fdName } },
    structuredOutputs: [cf.structuredOutputs as Nested<TensorSpec>, []],
  };
}

/**
 * A layer or model's call functions. Like Keras's, they have no input signature: each is traced
 * on the layer's input specs (`ready` settles when both are), once for both functions, and once
 * for the batch dimension where the layer is made of tfjs-layers' own plain classes.
 */
export function layerFunctions(layer: ApplyLike, isModel: boolean, defaultSignature?: ExportableFunction): LayerFunctions & { ready: Promise<unknown> } {
  const specs = inputSpecs(layer, isModel);
  const call = (x: tf.Tensor | tf.Tensor[]) => layer.apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
  const opts = (suffix: string) => ({ argNames: ['inputs'], isMethod: true, name: `${layer.name}_${suffix}` });
  const callFn = new PolymorphicFunction((sig, name) => traceLayerCall(layer as unknown as tf.layers.Layer, sig, { name }), call as never, opts('layer_call_fn'));
  const out: LayerFunctions = {
    call: callFn,
    // the same signature's trace of `call`, from its cache (traced once for both)
    callAndReturnLosses: new PolymorphicFunction(
      async (sig, name) => withLosses(await callFn.getConcreteFunction(...sig), name),
      ((x: tf.Tensor | tf.Tensor[]) => [call(x), []]) as never,
      opts('layer_call_and_return_conditional_losses'),
    ),
  };
  if (defaultSignature) out.defaultSignature = defaultSignature;
  const sig = signatureOf(specs);
  return { ...out, ready: Promise.all([out.call.getConcreteFunction(...sig), out.callAndReturnLosses.getConcreteFunction(...sig)]) };
}

/**
 * `_wrapped_model`: the model's forward pass on its inputs (specs named after the input layers),
 * returning `{outputLayerName: tensor}` — what Keras saves as `_default_save_signature` and serves
 * as `serving_default`.
 */
export async function wrappedModel(model: tf.LayersModel): Promise<ExportableFunction> {
  const specs = inputSpecs(model as unknown as ApplyLike, true, modelInputNames(model));
  const outNames = uniqueNames(model.outputs.map((o) => o.sourceLayer.name));
  const toDict = (y: tf.Tensor | tf.Tensor[]) => {
    const list = asList(y);
    return Object.fromEntries(outNames.map((n, i) => [n, list[i]!]));
  };
  const pf = new PolymorphicFunction(
    (sig, name) => traceLayerCall(model, sig, { name }, toDict),
    ((x: tf.Tensor | tf.Tensor[]) => toDict(model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[])) as never,
    { inputSignature: signatureOf(specs), argNames: ['inputs'], name: '_wrapped_model' },
  );
  return pf.getConcreteFunction();
}
