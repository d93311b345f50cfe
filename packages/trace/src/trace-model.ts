// traceModel: the graph of a tf.LayersModel's call, as Keras' SavedModel export traces it.
// Traces model.apply (not predict: predict adds its batching Slice and a trailing Identity).
import type * as tf from '@tensorflow/tfjs';
import type { Recorder } from './backend/recorder.js';
import type { ConcreteFunction } from './concrete-function.js';
import { SavedModelError } from './core.js';
import { isSizeIndependentModel } from './size-independent-model.js';
import { traceFlat, type RunHooks, type TraceOptions } from './trace-core.js';
import { TensorSpec, type Nested } from './tensor-spec.js';

export interface TraceModelOptions extends TraceOptions {
  /** Passed to model.apply (default false: inference). */
  training?: boolean;
}

type AnyLayer = tf.layers.Layer & { layers?: AnyLayer[] };

/**
 * Wraps every layer's call (recursively) so recorded kernels know their layer. The wrappers are
 * installed on the first run and serve every run of the trace (the second trace of unknown
 * dims too); `release` puts the layers' own methods back.
 */
function layerHooks(model: tf.LayersModel): RunHooks {
  let current: Recorder | null = null;
  let restore: (() => void)[] | null = null;
  // undo steps are kept as the wrappers go in: a failure halfway is undone by release too
  const install = (undo: (() => void)[]): void => {
    const seen = new Set<AnyLayer>();
    const visit = (layer: AnyLayer) => {
      if (seen.has(layer)) return;
      seen.add(layer);
      // call for layers run by a model's graph, apply for the clone() it may add around call
      for (const method of ['call', 'apply'] as const) {
        const own = Object.getOwnPropertyDescriptor(layer, method);
        const orig = layer[method] as (...a: unknown[]) => unknown;
        const wrapped = function (this: AnyLayer, ...args: unknown[]) {
          const rec = current;
          if (!rec) return orig.apply(this, args);
          rec.pushLayer(layer.name);
          try { return orig.apply(this, args); } finally { rec.popLayer(); }
        };
        Object.defineProperty(layer, method, { value: wrapped, configurable: true, writable: true });
        undo.push(() => {
          if (own) Object.defineProperty(layer, method, own);
          else delete (layer as unknown as Record<string, unknown>)[method];
        });
      }
      for (const l of layer.layers ?? []) visit(l);
    };
    for (const l of model.layers as AnyLayer[]) visit(l);
  };
  return {
    attach(rec: Recorder) {
      rec.pushLayer(model.name);
      current = rec;
      if (!restore) install((restore = []));
    },
    detach() {
      current = null;
    },
    release() {
      current = null;
      for (const r of (restore ?? []).reverse()) r();
      restore = null;
    },
  };
}

/**
 * A model's input names, as Keras names them: each input layer's (a Sequential's is
 * `<first layer>_input`), not the SymbolicTensor's own, which tfjs suffixes when another model in
 * this process used it (x → x_1).
 */
export function modelInputNames(model: tf.LayersModel): string[] {
  return model.inputs.map((s) => s.sourceLayer?.name ?? s.name);
}

/**
 * Traces `model.apply(inputs, {training})` with an input signature from model.inputs (unknown
 * batch dimension). One input: one positional argument; several: one list argument.
 */
export async function traceModel(model: tf.LayersModel, options: TraceModelOptions = {}): Promise<ConcreteFunction> {
  if (!model || !Array.isArray(model.inputs) || model.inputs.length === 0) {
    throw new SavedModelError('INVALID_ARGUMENT', 'traceModel needs a built tf.LayersModel (with inputs)');
  }
  const names = modelInputNames(model);
  const specs = model.inputs.map((s, i) => new TensorSpec(s.shape, s.dtype, names[i]));
  const multi = specs.length > 1;
  const signature: Nested<TensorSpec>[] = multi ? [specs] : [specs[0]!];
  const training = options.training ?? false;
  const run = (flat: tf.Tensor[]) => model.apply(multi ? flat : flat[0]!, { training }) as Nested<tf.Tensor>;
  return traceFlat({ run, signature, name: options.name ?? model.name, options, hooks: layerHooks(model), sizeIndependent: isSizeIndependentModel(model) });
}
