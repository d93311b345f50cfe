// A layer's or model's weight lists (weights, trainableWeights, nonTrainableWeights) in linear
// time. tfjs-layers' Container.trainableWeights concatenates its layers' lists one at a time
// (`weights = weights.concat(layer.trainableWeights)`: quadratic in the layer count, ~7 ms and
// ~30 MB of short-lived arrays per read of a 2,000-layer model) and Container.weights reads it
// again. Where an object uses tfjs's own getters, the same lists are built here in one pass (the
// same elements in the same order); a class that overrides a getter is asked through it.
import * as tf from '@tensorflow/tfjs';

export interface WeightLists<W> {
  weights: W[];
  trainable: W[];
  nonTrainable: W[];
}

interface LayerWithLists<W> {
  weights: W[];
  trainableWeights: W[];
  nonTrainableWeights: W[];
  trainable?: boolean;
  layers?: LayerWithLists<W>[];
  _trainableWeights?: unknown[];
}

/** The getter `name` resolves to on `o` (own or inherited), or undefined for a plain value. */
function getterOf(o: object, name: string): (() => unknown) | undefined {
  for (let p: object | null = o; p; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d) return d.get;
  }
  return undefined;
}

// tfjs's own getters: Container (tf.LayersModel's parent class) and Layer
const containerProto = Object.getPrototypeOf(tf.LayersModel.prototype) as object;
const layerProto = tf.layers.Layer.prototype as object;
const CONTAINER = {
  weights: getterOf(containerProto, 'weights'),
  trainable: getterOf(containerProto, 'trainableWeights'),
  nonTrainable: getterOf(containerProto, 'nonTrainableWeights'),
};
const LAYER_WEIGHTS = getterOf(layerProto, 'weights');

/** tfjs's Container.trainableWeights, in one pass; undefined where that getter would throw (it is asked then). */
function containerTrainable<W>(c: LayerWithLists<W>): W[] | undefined {
  if ((c._trainableWeights?.length ?? 0) > 0) return undefined; // the getter's own error says why
  if (!c.trainable) return [];
  const out: W[] = [];
  for (const layer of c.layers ?? []) for (const w of trainableOf(layer)) out.push(w);
  return out;
}

function trainableOf<W>(l: LayerWithLists<W>): W[] {
  return (getterOf(l, 'trainableWeights') === CONTAINER.trainable && CONTAINER.trainable ? containerTrainable(l) : undefined) ?? l.trainableWeights;
}

function nonTrainableOf<W>(l: LayerWithLists<W>): W[] {
  if (!(CONTAINER.nonTrainable && getterOf(l, 'nonTrainableWeights') === CONTAINER.nonTrainable)) return l.nonTrainableWeights;
  // Container.nonTrainableWeights: the layers' non-trainable weights; of a non-trainable
  // container, every layer's trainable weights first
  const out: W[] = [];
  if (!l.trainable) for (const layer of l.layers ?? []) for (const w of trainableOf(layer)) out.push(w);
  for (const layer of l.layers ?? []) for (const w of nonTrainableOf(layer)) out.push(w);
  return out;
}

/** `layer`'s weights, trainableWeights and nonTrainableWeights, as tfjs's getters give them. */
export function weightLists<W>(of: { weights: W[]; trainableWeights: W[]; nonTrainableWeights: W[] }): WeightLists<W> {
  const layer = of as LayerWithLists<W>;
  const trainable = trainableOf(layer);
  const nonTrainable = nonTrainableOf(layer);
  const w = getterOf(layer, 'weights');
  // both of tfjs's weights getters are trainableWeights.concat(nonTrainableWeights)
  const weights = w !== undefined && (w === CONTAINER.weights || w === LAYER_WEIGHTS) ? trainable.concat(nonTrainable) : layer.weights;
  return { weights, trainable, nonTrainable };
}
