// What a tfjs LayersModel holds that the Keras file formats store: its Keras JSON config, each
// saved layer's weights (Keras order and names), the compile settings and the optimizer's slots.
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError } from '@savedmodel-js/core';
import { kerasLegacyWeights, kerasWeightNames, savedLayers } from './layer-weights.js';
import { specForTfjs, type OptimizerSpec } from './optimizer-config.js';
import { readOptimizerWeights } from '../optimizer-weights.js';

export interface SavedWeight {
  /** Keras 2 variable name (`dense/kernel:0`). */
  kerasName: string;
  variable: tf.LayerVariable;
}

export interface SavedLayer {
  layer: tf.layers.Layer;
  name: string;
  weights: SavedWeight[];
}

export interface OptimizerState {
  spec: OptimizerSpec;
  /** tfjs's optimizer config (camelCase). */
  tfjsConfig: Record<string, unknown>;
  iterations: number;
  /** Slots Keras keeps, per kind in Keras 2 order; each in the order of `variables`. */
  slots: { kind: string; values: tf.Tensor[] }[];
  /** The model variables the slots belong to, with their Keras 2 names. */
  variables: SavedWeight[];
}

/**
 * The model's Keras JSON config (`{class_name, config}`), from tfjs's own serialization, with what
 * tfjs 4.x leaves out of it put back:
 * - a frozen nested model (`trainable = false`) freezes its sublayers in Keras, and Keras writes
 *   `trainable: false` in each of their configs; tfjs does not, and would load them trainable (and
 *   order their h5 weights differently);
 * - SeparableConv1D/2D's `depth_multiplier` (tfjs's getConfig omits it: read back, the layer gets
 *   multiplier 1 and its depthwise kernel no longer fits).
 */
export function modelConfig(model: tf.LayersModel): { class_name: string; config: unknown } {
  const json = model.toJSON(null, false) as unknown as { class_name: string; config: unknown };
  const patches = new Map<string, Record<string, unknown>>();
  const patch = (name: string, p: Record<string, unknown>) => patches.set(name, { ...patches.get(name), ...p });
  const collect = (layer: tf.layers.Layer, inFrozen: boolean): void => {
    const isFrozen = inFrozen || !layer.trainable;
    if (isFrozen && inFrozen) patch(layer.name, { trainable: false });
    const multiplier = (layer as unknown as { depthMultiplier?: unknown }).depthMultiplier;
    if (/^SeparableConv[12]D$/.test(layer.getClassName()) && typeof multiplier === 'number') patch(layer.name, { depth_multiplier: multiplier });
    const sub = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(sub)) for (const l of sub) collect(l, isFrozen);
    const wrapped = (layer as unknown as { layer?: unknown }).layer;
    if (wrapped instanceof Object && typeof (wrapped as tf.layers.Layer).getClassName === 'function') collect(wrapped as tf.layers.Layer, isFrozen);
  };
  for (const l of model.layers) collect(l, false);
  if (patches.size > 0) patchConfigs(json.config, patches);
  return { class_name: json.class_name, config: json.config };
}

/** Merges `patches` (by layer name) into the layer configs of a model config, nested ones too. */
function patchConfigs(node: unknown, patches: Map<string, Record<string, unknown>>): void {
  if (Array.isArray(node)) { node.forEach((n) => patchConfigs(n, patches)); return; }
  if (node === null || typeof node !== 'object') return;
  const o = node as { class_name?: unknown; config?: { name?: unknown; layers?: unknown; layer?: unknown } };
  if (typeof o.class_name === 'string' && o.config !== undefined && typeof o.config.name === 'string') {
    const p = patches.get(o.config.name);
    if (p) Object.assign(o.config, p);
  }
  if (o.config !== undefined) {
    patchConfigs(o.config.layers, patches);
    patchConfigs(o.config.layer, patches); // a wrapper's layer
  }
  patchConfigs((o as { layers?: unknown }).layers, patches); // the model's own config: `{name, layers}`
}

export function savedLayerWeights(model: tf.LayersModel): SavedLayer[] {
  return savedLayers(model).map((layer) => {
    const vars = kerasLegacyWeights(layer);
    const names = kerasWeightNames(layer, vars);
    return { layer, name: layer.name, weights: vars.map((variable, i) => ({ kerasName: names[i]!, variable })) };
  });
}

/** tfjs's training config (loss, metrics) when compiled, with the optimizer as tfjs describes it. */
export function tfjsTrainingConfig(model: tf.LayersModel): { loss: unknown; metrics: unknown; optimizerClass: string; optimizerConfig: Record<string, unknown> } | undefined {
  if (model.optimizer == null) return undefined;
  let tc: { loss: unknown; metrics?: unknown; optimizer_config: { class_name: string; config: Record<string, unknown> } };
  try {
    tc = (model as unknown as { getTrainingConfig(): typeof tc }).getTrainingConfig();
  } catch (e) {
    throw new SavedModelError('UNSUPPORTED', `the model's compile settings cannot be serialized: ${String(e instanceof Error ? e.message : e).slice(0, 200)}`, { cause: e });
  }
  return { loss: tc.loss, metrics: tc.metrics ?? null, optimizerClass: tc.optimizer_config.class_name, optimizerConfig: tc.optimizer_config.config };
}

/** The optimizer's iteration count and slot variables, or undefined when uncompiled / never trained. */
export async function optimizerState(model: tf.LayersModel, layers: SavedLayer[]): Promise<OptimizerState | undefined> {
  const opt = model.optimizer;
  if (opt == null) return undefined;
  const spec = specForTfjs(opt.getClassName());
  const tfjsConfig = opt.getConfig() as Record<string, unknown>;
  const named = await readOptimizerWeights(opt);
  if (named.length <= 1) return undefined; // never applied: nothing but `iter`, as in an unbuilt Keras optimizer
  const iterations = (await named[0]!.tensor.data())[0] ?? 0;
  const slotsAll = named.slice(1);
  const kinds = spec.slots.filter((k) => slotsAll.some((n) => n.name.endsWith(`/${k}`)));
  if (kinds.length === 0 || slotsAll.length % kinds.length !== 0) {
    throw new SavedModelError('UNSUPPORTED', `${spec.tfjs} optimizer state has ${slotsAll.length} slot variables, not a multiple of its ${kinds.length} kinds`);
  }
  const perKind = slotsAll.length / kinds.length;
  const byName = new Map<string, SavedWeight>();
  for (const l of layers) for (const w of l.weights) byName.set(w.variable.name, w);
  const first = slotsAll.slice(0, perKind);
  const variables = first.map((n) => {
    const varName = n.name.slice(0, n.name.length - kinds[0]!.length - 1);
    const w = byName.get(varName);
    if (w === undefined) throw new SavedModelError('UNSUPPORTED', `optimizer slot ${n.name} belongs to no saved layer variable`, { key: n.name });
    return w;
  });
  const keep = spec.kerasSlots(tfjsConfig);
  const slots = kinds
    .map((kind, k) => ({ kind, values: slotsAll.slice(k * perKind, (k + 1) * perKind).map((n) => n.tensor) }))
    .filter((s) => keep.includes(s.kind));
  return { spec, tfjsConfig, iterations, slots, variables };
}

/** A tensor's values as the typed array h5wasm writes, with its numpy-style dtype. */
export async function tensorData(t: tf.Tensor): Promise<{ data: Float32Array | Int32Array; dtype: '<f' | '<i' }> {
  if (t.dtype === 'float32') return { data: (await t.data()) as Float32Array, dtype: '<f' };
  if (t.dtype === 'int32' || t.dtype === 'bool') return { data: Int32Array.from(await t.data()), dtype: '<i' };
  throw new SavedModelError('UNSUPPORTED', `cannot store a ${t.dtype} weight in a Keras file`);
}
