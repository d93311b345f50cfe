// traceLayerCall: a layer's (or model's) call, as Keras saves the call functions of each layer.
import type * as tf from '@tensorflow/tfjs';
import type { ConcreteFunction } from './concrete-function.js';
import { SavedModelError } from './core.js';
import { isSizeIndependentModel } from './size-independent-model.js';
import { traceSignatureFunction, type TensorSpecLike } from './trace-function.js';
import type { TraceOptions } from './trace-core.js';
import type { Nested } from './tensor-spec.js';

type Outputs = tf.Tensor | tf.Tensor[];

/**
 * Traces `layer.apply(inputs, {training: false})` on `inputSignature` (one spec, or one list of
 * specs for a layer of several inputs), optionally returning `mapOutputs(outputs)` instead of
 * the outputs (a dict keyed by output name, say). Node names are the layer's own, unscoped, as
 * in the functions Keras saves per layer. A layer made only of tfjs-layers' own plain classes
 * (traceModel's rule) is traced once for its batch dimension; anything else twice.
 */
export function traceLayerCall(
  layer: tf.layers.Layer,
  inputSignature: readonly Nested<TensorSpecLike>[],
  options: TraceOptions = {},
  mapOutputs?: (outputs: Outputs) => Nested<tf.Tensor>,
): Promise<ConcreteFunction> {
  if (!layer || typeof (layer as { apply?: unknown }).apply !== 'function') throw new SavedModelError('INVALID_ARGUMENT', 'traceLayerCall needs a tfjs layer or model');
  const fn = (x: tf.Tensor | tf.Tensor[]) => {
    const y = layer.apply(x, { training: false }) as Outputs;
    return mapOutputs ? mapOutputs(y) : y;
  };
  const sizeIndependent = isSizeIndependentModel(layer as unknown as tf.LayersModel);
  return traceSignatureFunction(fn as (...a: never[]) => unknown, inputSignature, { name: layer.name, ...options }, sizeIndependent);
}
