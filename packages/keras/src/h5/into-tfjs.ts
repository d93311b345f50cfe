// Turning what a Keras file holds (a Keras-2-style JSON config, per-layer weight arrays, a training
// config, optimizer slots) into a live tf.LayersModel. Shared by the .h5 and .keras loaders.
import * as tf from '@tensorflow/tfjs';
import { SavedModelError, isSavedModelError, type CheckpointReader } from '@savedmodel-js/core';
import { modelFromUntrustedConfig, weightBudgetFor } from '@savedmodel-js/export';
import { quoteSnippet } from '@savedmodel-js/core/internal';
import { kerasLegacyWeights, kerasWeightNames, savedLayers } from './layer-weights.js';
import { specForTfjs, tfjsOptimizerFromKeras } from './optimizer-config.js';
import { writeOptimizerWeights } from '../optimizer-weights.js';

export interface WeightArray {
  name: string;
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface KerasLoadOptions {
  /** Compile the model from the file's training config (and restore the optimizer state); default true. */
  compile?: boolean;
  /** Called for what a load skips (e.g. a loss or optimizer tfjs has not); default console.warn. */
  onWarning?: (message: string) => void;
}
export const LOAD_OPTION_KEYS = ['compile', 'onWarning'] as const;

/** Python's json accepts NaN / Infinity; JSON.parse does not. */
export function parseKerasJson(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(text.replace(/(?<=[:\[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, 'null'));
    } catch (e) {
      throw new SavedModelError('CORRUPT', `${what} is not JSON: ${quoteSnippet(text, 80)}`, { file, cause: e });
    }
  }
}

/** What a file stores for a model's weights: the model is built within it (withLayerWeightBudget). */
export interface StoredWeights {
  /** Weight values the file holds. */
  elements: number;
  /** Names them in errors ("the 48 weight values model.weights.h5 stores"). */
  what: string;
}

/** Sum of the values of `arrays`. */
export function storedWeights(arrays: Iterable<WeightArray>, what: (n: number) => string): StoredWeights {
  let elements = 0;
  for (const a of arrays) elements += a.data.length;
  return { elements, what: what(elements) };
}

/** What a checkpoint stores (every entry's values, whatever it is). */
export function checkpointWeights(ckpt: CheckpointReader | undefined, where: string): StoredWeights {
  let elements = 0;
  for (const k of ckpt?.keys() ?? []) elements += (ckpt!.entry(k).shape ?? []).reduce((a: number, d) => a * Number(d), 1);
  return { elements, what: `the ${elements} values ${where} stores` };
}

/** A tfjs model from a Keras JSON model config (`{class_name, config}`), built within the weights the file stores. */
export async function modelFromKerasConfig(config: unknown, file: string, stored: StoredWeights): Promise<tf.LayersModel> {
  if (config === null || typeof config !== 'object' || typeof (config as { class_name?: unknown }).class_name !== 'string') {
    throw new SavedModelError('CORRUPT', 'model config has no class_name', { file });
  }
  try {
    return await modelFromUntrustedConfig(config, weightBudgetFor(stored.elements), stored.what, file);
  } catch (e) {
    if (isSavedModelError(e)) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new SavedModelError('UNSUPPORTED', `tfjs cannot build this Keras model: ${msg.slice(0, 200)}`, { file, cause: e });
  }
}

/** Writes `arrays` (Keras h5 order) into the variables of `layer`, checking count and shapes. */
export function assignLayerWeights(layer: tf.layers.Layer, arrays: WeightArray[], file: string): void {
  const vars = kerasLegacyWeights(layer);
  if (vars.length !== arrays.length) {
    throw new SavedModelError('CORRUPT', `layer ${layer.name} has ${vars.length} weights in tfjs, the file has ${arrays.length}`, { file, key: layer.name });
  }
  vars.forEach((v, i) => {
    const a = arrays[i]!;
    const want = v.shape.join(',');
    if (want !== a.shape.join(',')) {
      throw new SavedModelError('CORRUPT', `weight ${a.name} of layer ${layer.name} has shape [${a.shape}], the model expects [${want}]`, { file, key: a.name });
    }
    const t = tf.tensor(a.data, a.shape, v.dtype === 'int32' ? 'int32' : 'float32');
    v.write(t);
    t.dispose();
  });
}

/** Assigns weights per saved layer (Keras's order-based loading: layers without weights are skipped on both sides). */
export function assignModelWeights(model: tf.LayersModel, fileLayers: { name: string; weights: WeightArray[] }[], file: string): void {
  const modelLayers = savedLayers(model).filter((l) => kerasLegacyWeights(l).length > 0);
  const withWeights = fileLayers.filter((l) => l.weights.length > 0);
  if (modelLayers.length !== withWeights.length) {
    throw new SavedModelError('CORRUPT', `the model has ${modelLayers.length} layers with weights, the file has ${withWeights.length}`, { file });
  }
  modelLayers.forEach((layer, i) => assignLayerWeights(layer, withWeights[i]!.weights, file));
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** A loss or metric as tfjs names it: snake_case strings to camelCase, `{class_name}` objects to the function name. */
/** Keras's short aliases (losses.py / metrics.py). */
const ALIASES: Record<string, string> = {
  mse: 'meanSquaredError', mae: 'meanAbsoluteError', mape: 'meanAbsolutePercentageError', msle: 'meanSquaredLogarithmicError',
  MSE: 'meanSquaredError', MAE: 'meanAbsoluteError', MAPE: 'meanAbsolutePercentageError', MSLE: 'meanSquaredLogarithmicError',
  acc: 'accuracy',
};

function tfjsIdentifier(v: unknown, metric = false): string | null {
  // tfjs knows the metric aliases itself (mse, mae, …), not the loss ones
  if (typeof v === 'string') return metric && v !== 'acc' ? (ALIASES[v] !== undefined ? v : camel(v)) : (ALIASES[v] ?? camel(v));
  if (v !== null && typeof v === 'object' && typeof (v as { class_name?: unknown }).class_name === 'string') {
    const cn = (v as { class_name: string }).class_name;
    if (cn === 'MeanMetricWrapper') {
      const fn = (v as { config?: { fn?: unknown; name?: unknown } }).config?.fn ?? (v as { config?: { name?: unknown } }).config?.name;
      return typeof fn === 'string' ? camel(fn) : null;
    }
    return lowerFirst(cn);
  }
  return null;
}

function mapLossOrMetrics(v: unknown, metric = false): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.flat(2).map((x) => { const id = tfjsIdentifier(x, metric); if (id === null) throw new Error('unsupported entry'); return id; });
  const id = tfjsIdentifier(v, metric);
  if (id !== null) return id;
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, mapLossOrMetrics(x, metric)]));
  throw new Error('unsupported entry');
}

function makeOptimizer(className: string, c: Record<string, unknown>): tf.Optimizer {
  const n = (k: string) => c[k] as number;
  switch (className) {
    case 'SGD': return tf.train.sgd(n('learningRate'));
    case 'Momentum': return tf.train.momentum(n('learningRate'), n('momentum'), c.useNesterov === true);
    case 'Adam': return tf.train.adam(n('learningRate'), n('beta1'), n('beta2'), n('epsilon'));
    case 'Adamax': return tf.train.adamax(n('learningRate'), n('beta1'), n('beta2'), n('epsilon'), n('decay'));
    case 'RMSProp': return tf.train.rmsprop(n('learningRate'), n('decay'), n('momentum'), n('epsilon'), c.centered === true);
    case 'Adagrad': return tf.train.adagrad(n('learningRate'), n('initialAccumulatorValue'));
    case 'Adadelta': return tf.train.adadelta(n('learningRate'), n('rho'), n('epsilon'));
    default: throw new Error(`no tfjs optimizer ${className}`);
  }
}

export interface CompileInput {
  loss: unknown;
  metrics: unknown;
  optimizerClass: string;
  optimizerConfig: Record<string, unknown>;
}

/**
 * The optimizer a training/compile config names: `{class_name, config}` or (Keras 3) a bare class
 * name; undefined for anything else a damaged file may hold there (null, a number, an array).
 */
export function namedOptimizer(value: unknown): { className: string; config: Record<string, unknown> } | undefined {
  if (typeof value === 'string') return { className: value, config: {} };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { class_name: className, config } = value as { class_name?: unknown; config?: unknown };
  if (typeof className !== 'string') return undefined;
  return { className, config: config !== null && typeof config === 'object' && !Array.isArray(config) ? config as Record<string, unknown> : {} };
}

/** Compiles `model` as the file says; returns the tfjs optimizer class used, or null (with a warning) when tfjs cannot. */
export function compileFromKeras(model: tf.LayersModel, c: CompileInput, warn: (m: string) => void): string | null {
  const opt = tfjsOptimizerFromKeras(c.optimizerClass, c.optimizerConfig);
  if (opt === null) {
    warn(`optimizer ${quoteSnippet(c.optimizerClass, 60)} with this config has no tfjs equivalent: the model is not compiled`);
    return null;
  }
  let loss: unknown;
  let metrics: unknown;
  try {
    loss = mapLossOrMetrics(c.loss);
    metrics = mapLossOrMetrics(c.metrics, true);
  } catch {
    warn('the loss or metrics are not ones tfjs knows by name: the model is not compiled');
    return null;
  }
  if (loss === undefined) {
    warn('the training config has no loss: the model is not compiled');
    return null;
  }
  try {
    model.compile({ optimizer: makeOptimizer(opt.className, opt.config), loss: loss as string, metrics: metrics as string[] | undefined });
  } catch (e) {
    warn(`tfjs cannot compile with this training config (${String(e instanceof Error ? e.message : e).slice(0, 200)}): the model is not compiled`);
    return null;
  }
  return opt.className;
}

/**
 * Restores optimizer slots given as `slots[kind][variableIndex]` in the order of `variableNames`
 * (Keras 2 names, `dense/kernel`), plus the iteration count. Missing kinds tfjs keeps (RMSProp's
 * momentum when Keras had none) start at zero.
 */
export async function restoreOptimizer(
  model: tf.LayersModel, iterations: number, variableNames: string[], slots: Map<string, WeightArray[]>, warn: (m: string) => void,
): Promise<void> {
  const opt = model.optimizer;
  const spec = specForTfjs(opt.getClassName());
  // Keras name → tfjs variable, through the same naming the writers use
  const byKerasName = new Map<string, tf.LayerVariable>();
  for (const layer of savedLayers(model)) {
    const vars = kerasLegacyWeights(layer);
    kerasWeightNames(layer, vars).forEach((n, i) => byKerasName.set(n.replace(/:0$/, ''), vars[i]!));
  }
  const trainable = model.trainableWeights;
  if (spec.slots.length === 0) {
    await setOrWarn(opt, [{ name: 'iter', tensor: tf.scalar(iterations, 'int32') }], warn);
    return;
  }
  let order: tf.LayerVariable[];
  if (variableNames.every((n) => byKerasName.has(n))) order = variableNames.map((n) => byKerasName.get(n)!);
  else if (variableNames.length === trainable.length) order = trainable; // names from another writer: Keras's order is tfjs's
  else {
    warn(`the optimizer state covers ${variableNames.length} variables, the model trains ${trainable.length}: the optimizer starts fresh`);
    return;
  }
  const index = new Map(order.map((v, i) => [v, i]));
  if (trainable.some((v) => !index.has(v)) || order.length !== trainable.length) {
    warn('the optimizer state does not cover the model\'s trainable variables: the optimizer starts fresh');
    return;
  }
  const tfjsKinds = spec.slots.filter((k) => (spec.tfjs !== 'RMSProp' || k !== 'mg' || (opt.getConfig() as { centered?: boolean }).centered === true));
  const named: { name: string; tensor: tf.Tensor }[] = [{ name: 'iter', tensor: tf.scalar(iterations, 'int32') }];
  for (const kind of tfjsKinds) {
    const values = slots.get(kind);
    for (const v of trainable) {
      const a = values?.[index.get(v)!];
      if (a !== undefined && a.shape.join(',') !== v.shape.join(',')) {
        warn(`optimizer slot ${a.name} has shape [${a.shape}], its variable [${v.shape}]: the optimizer starts fresh`);
        named.forEach((n) => n.tensor.dispose());
        return;
      }
      named.push({ name: `${v.name}/${kind}`, tensor: a === undefined ? tf.zeros(v.shape as number[]) : tf.tensor(a.data, a.shape, 'float32') });
    }
  }
  await setOrWarn(opt, named, warn);
}

/** writeOptimizerWeights, or a warning where tfjs cannot take the state: the optimizer starts fresh. */
export async function setOrWarn(opt: tf.Optimizer, named: { name: string; tensor: tf.Tensor }[], warn: (m: string) => void): Promise<void> {
  try {
    await writeOptimizerWeights(opt, named);
  } catch (e) {
    warn(`tfjs cannot set the ${opt.getClassName()} optimizer's state (${String(e instanceof Error ? e.message : e).slice(0, 200)}): the optimizer starts fresh`);
  } finally {
    tf.dispose(named.map((n) => n.tensor));
  }
}
