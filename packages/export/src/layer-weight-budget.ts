// Building a tfjs layers model from an untrusted config (a Keras file, a model.json) allocates
// and initializes every weight the config describes before a single stored value is read: a
// 2 KB file asking for Dense(20000) on a 20000-wide input took 17 s and 1.8 GB, only for the
// stored weights not to fit. Under a budget, tfjs-layers' Layer.addWeight (where every layer's
// weights are made, before their initializer runs) first checks the size asked against what the
// file actually stores: LIMIT_EXCEEDED naming the layer and weight, nothing allocated; and makes
// the weights as zeros, since the file's values replace them. (A wrapper on the prototype,
// installed once; it acts only inside withLayerWeightBudget.)
import * as tf from '@tensorflow/tfjs';
import { SavedModelError } from '@savedmodel-js/core';
import { checkLayerGraph } from './layer-graph-check.js';

interface Budget { left: number; what: string; file: string | undefined }

let active: Budget | null = null;
const ZEROS = tf.initializers.zeros();
let installed = false;

type AddWeight = (this: tf.layers.Layer, name: string, shape: readonly (number | null)[], ...rest: unknown[]) => unknown;

function install(): void {
  if (installed) return;
  installed = true;
  const proto = tf.layers.Layer.prototype as unknown as { addWeight: AddWeight };
  const addWeight = proto.addWeight;
  proto.addWeight = function guardedAddWeight(this: tf.layers.Layer, name, shape, ...rest) {
    const b = active;
    if (b !== null) {
      let elements = 1;
      for (const d of shape) elements *= typeof d === 'number' && d >= 0 ? d : NaN;
      const bytes = elements * 4; // float32 / int32
      if (!(bytes <= b.left)) {
        const key = `${this.name}/${name}`;
        throw new SavedModelError('LIMIT_EXCEEDED',
          `layer ${this.name} would make weight ${name} of shape [${shape.join(', ')}] (${Number.isFinite(bytes) ? `${bytes} bytes` : 'an impossible size'}), more than ${b.what} (${b.left} bytes left): the config does not fit its weights`,
          b.file === undefined ? { key } : { file: b.file, key });
      }
      b.left -= bytes;
      // zeros, not the config's initializer: the caller sets every weight from the file, as tfjs's
      // own loader does (fastWeightInit); a hostile initializer config (a truncated normal with a
      // NaN scale) would otherwise draw forever, and a big model would draw for nothing
      const args = [...rest];
      args[1] = ZEROS;
      if (args.length > 5) args[5] = undefined;
      return addWeight.call(this, name, shape, ...args);
    }
    return addWeight.call(this, name, shape, ...rest);
  };
}

/**
 * Runs `build` (synchronous: tfjs builds a model's layers in the synchronous part of
 * tf.models.modelFromJSON, so pass its call and await the promise it returns afterwards) with
 * every layer weight it creates counted against `maxBytes` and made as zeros (the caller must set
 * every weight); `what` names the budget in errors ("the 12 weight values model.weights.h5 stores").
 */
export function withLayerWeightBudget<T>(maxBytes: number, what: string, file: string | undefined, build: () => T): T {
  install();
  const prev = active;
  active = { left: maxBytes, what, file };
  try {
    return build();
  } finally {
    active = prev;
  }
}

/**
 * tfjs-layers' modelFromJSON on an untrusted Keras config (`{class_name, config}`): refused first
 * where tfjs would never finish (checkLayerGraph), then built within `maxBytes` of layer weights
 * (withLayerWeightBudget). `around` wraps the tfjs call (the TF1 loader registers custom objects).
 */
export function modelFromUntrustedConfig(
  config: unknown, maxBytes: number, what: string, file: string | undefined,
  around: (build: () => Promise<tf.LayersModel>) => Promise<tf.LayersModel> = (build) => build(),
): Promise<tf.LayersModel> {
  return withLayerWeightBudget(maxBytes, what, file, () => {
    checkLayerGraph(config, file);
    return around(() => tf.models.modelFromJSON({ modelTopology: config as tf.io.ModelJSON['modelTopology'] }));
  });
}

/**
 * The budget for a model whose file stores `storedElements` weight values: as float32 / int32
 * (4 bytes each, whatever the stored dtype), with room to spare (1/16, at least 64 KiB).
 */
export function weightBudgetFor(storedElements: number): number {
  const bytes = storedElements * 4;
  return bytes + Math.max(64 * 1024, Math.ceil(bytes / 16));
}
