// Which variables a layer saves, in Keras's order, and what Keras 2 names them. Keras's legacy
// (h5) order is `trainable_weights + non_trainable_weights`, gathered through nested models; a
// frozen nested model lists all of its sublayers' weights (each sublayer's trainable first) as
// non-trainable. tfjs's Container orders a frozen model differently, so the order is rebuilt here.
import type * as tf from '@tensorflow/tfjs';

type LayerVariable = tf.LayerVariable;
type AnyLayer = tf.layers.Layer;

interface ContainerLike { layers: AnyLayer[] }
const isContainer = (l: AnyLayer): l is AnyLayer & ContainerLike => Array.isArray((l as unknown as Partial<ContainerLike>).layers);

function trainableOf(layer: AnyLayer): LayerVariable[] {
  if (!isContainer(layer)) return layer.trainableWeights;
  if (!layer.trainable) return [];
  return layer.layers.flatMap(trainableOf);
}

function nonTrainableOf(layer: AnyLayer): LayerVariable[] {
  if (!isContainer(layer)) return layer.nonTrainableWeights;
  if (layer.trainable) return layer.layers.flatMap(nonTrainableOf);
  return layer.layers.flatMap((l) => [...trainableOf(l), ...nonTrainableOf(l)]);
}

/** The layer's variables in Keras's h5 order, shared ones once. */
export function kerasLegacyWeights(layer: AnyLayer): LayerVariable[] {
  const seen = new Set<LayerVariable>();
  return [...trainableOf(layer), ...nonTrainableOf(layer)].filter((v) => !seen.has(v) && (seen.add(v), true));
}

/** The layers a model saves at its top level: Keras's `model.layers` (a Sequential's input layer is not one). */
export function savedLayers<L extends { getClassName(): string }>(model: { getClassName(): string; layers?: L[] }): L[] {
  const layers = model.layers ?? [];
  if (model.getClassName() === 'Sequential') return layers.filter((l) => l.getClassName() !== 'InputLayer');
  return layers;
}

/** The recurrent cell name Keras 2 puts between the layer and the weight (`lstm/lstm_cell/kernel:0`). */
const CELL_SCOPE: Record<string, string> = { LSTM: 'lstm_cell', GRU: 'gru_cell', SimpleRNN: 'simple_rnn_cell' };

/** Maps every leaf variable under `layer` to the leaf layer that owns it. */
function owners(layer: AnyLayer, into = new Map<LayerVariable, AnyLayer>()): Map<LayerVariable, AnyLayer> {
  if (isContainer(layer)) for (const l of layer.layers) owners(l, into);
  else for (const w of layer.weights) into.set(w, layer);
  return into;
}

/**
 * Keras 2 variable names (`dense/kernel:0`, `lstm/lstm_cell/recurrent_kernel:0`) for `weights`,
 * each named after the leaf layer that owns it. Made unique, as HDF5 paths must be.
 */
export function kerasWeightNames(layer: AnyLayer, weights: LayerVariable[]): string[] {
  const owner = owners(layer);
  const used = new Set<string>();
  return weights.map((w) => {
    const leaf = owner.get(w) ?? layer;
    const original = w.originalName ?? w.name;
    const rest = original.startsWith(`${leaf.name}/`) ? original.slice(leaf.name.length + 1) : original.split('/').pop()!;
    const cell = CELL_SCOPE[leaf.getClassName()];
    let name = `${leaf.name}/${cell !== undefined && !rest.includes('/') ? `${cell}/` : ''}${rest}`;
    for (let i = 1; used.has(name); i++) name = `${leaf.name}/${rest}_${i}`;
    used.add(name);
    return `${name}:0`;
  });
}
