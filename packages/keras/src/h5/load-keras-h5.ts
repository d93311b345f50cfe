// Keras 2 `.h5` models (tf.keras `model.save('x.h5')`, Teachable Machine's keras_model.h5) into
// a tf.LayersModel: the architecture from `model_config`, weights by layer order from
// `model_weights`, and — when `training_config` is there and tfjs has the optimizer — compiled,
// with `optimizer_weights` restored.
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError, type Limits } from '@savedmodel-js/core';
import { readHdf5, type H5Group } from './h5wasm-files.js';
import { getNameListAttr, getStringAttr } from './keras-attrs.js';
import {
  LOAD_OPTION_KEYS, assignModelWeights, compileFromKeras, modelFromKerasConfig, namedOptimizer, parseKerasJson, restoreOptimizer, storedWeights,
  type KerasLoadOptions, type WeightArray,
} from './into-tfjs.js';
import { specForTfjs } from './optimizer-config.js';
import { checkOptions } from './options.js';
import { readModelFile, type ModelFileInput } from './output-target.js';
import { datasetAt, newBudget, readWeight } from './read-datasets.js';

export interface LoadKerasH5Options extends KerasLoadOptions {
  /** Size limits for the weights read (defaults: core's DEFAULT_LIMITS). */
  limits?: Partial<Limits>;
}

interface H5Contents {
  modelConfig: string;
  trainingConfig: string | undefined;
  layers: { name: string; weights: WeightArray[] }[];
  optimizer: WeightArray[] | undefined;
}

function readLayerGroup(mw: H5Group, name: string, file: string, budget: ReturnType<typeof newBudget>): { name: string; weights: WeightArray[] } {
  const g = mw.get(name);
  if (g === null || (g as { type?: unknown }).type !== 'Group') {
    throw new SavedModelError('CORRUPT', `layer_names lists ${name} but model_weights has no such group`, { file, key: `model_weights/${name}` });
  }
  const group = g as H5Group;
  const weights = getNameListAttr(group, 'weight_names').map((w) => readWeight(datasetAt(group, w, file), w, file, budget));
  return { name, weights };
}

/** Reads the Keras 2 HDF5 layout into plain arrays (h5wasm is synchronous; tfjs work happens after). */
export async function readKerasH5(bytes: Uint8Array, file: string, limits?: Partial<Limits>): Promise<H5Contents> {
  const budget = newBudget(limits);
  return readHdf5(file, bytes, (f) => {
    const modelConfig = getStringAttr(f, 'model_config');
    if (modelConfig === undefined) {
      throw new SavedModelError('NOT_FOUND', f.keys().includes('model_weights') || getNameListAttr(f, 'layer_names').length === 0
        ? 'no model_config attribute: not a Keras model file'
        : 'no model_config attribute: this is a weights-only file (save_weights), it has no architecture', { file, key: 'model_config' });
    }
    // a whole-model file keeps the weights under model_weights; save_weights files at the root
    const mwEntity = f.keys().includes('model_weights') ? f.get('model_weights') : f;
    const mw = mwEntity as H5Group;
    const layers = getNameListAttr(mw, 'layer_names').map((n) => readLayerGroup(mw, n, file, budget));
    let optimizer: WeightArray[] | undefined;
    if (f.keys().includes('optimizer_weights')) {
      const og = f.get('optimizer_weights') as H5Group;
      optimizer = getNameListAttr(og, 'weight_names').map((w) => readWeight(datasetAt(og, w, file), w, file, budget));
    }
    return { modelConfig, trainingConfig: getStringAttr(f, 'training_config'), layers, optimizer };
  });
}

/** Groups Keras 2 optimizer weights (`Adam/iter:0`, `Adam/dense/kernel/m:0`, …) by slot kind. */
function optimizerSlots(weights: WeightArray[], kinds: string[]): { iterations: number; variableNames: string[]; slots: Map<string, WeightArray[]> } | null {
  const iter = weights.find((w) => /(^|\/)(iter|iterations|iteration)(:0)?$/.test(w.name));
  const rest = weights.filter((w) => w !== iter);
  const slots = new Map<string, WeightArray[]>();
  const variableNames: string[] = [];
  for (const kind of kinds) {
    const of = rest.filter((w) => w.name.endsWith(`/${kind}:0`) || w.name.endsWith(`/${kind}`));
    if (of.length === 0) continue;
    slots.set(kind, of);
    if (variableNames.length === 0) {
      for (const w of of) variableNames.push(w.name.replace(/:0$/, '').replace(new RegExp(`/${kind}$`), '').replace(/^[^/]+\//, ''));
    } else if (of.length !== variableNames.length) return null;
  }
  if ([...slots.values()].reduce((n, s) => n + s.length, 0) !== rest.length) return null;
  return { iterations: iter === undefined ? 0 : Number(iter.data[0] ?? 0), variableNames, slots };
}

/** Loads a Keras 2 `.h5` model (bytes, a Blob/File, or a path in Node) as a tf.LayersModel. */
export async function loadKerasH5(input: ModelFileInput, options: LoadKerasH5Options = {}): Promise<tf.LayersModel> {
  checkOptions('loadKerasH5', options, [...LOAD_OPTION_KEYS, 'limits']);
  const warn = options.onWarning ?? ((m: string) => console.warn(`loadKerasH5: ${m}`));
  const { bytes, label } = await readModelFile(input, 'Keras .h5 file');
  const contents = await readKerasH5(bytes, label, options.limits);
  const config = parseKerasJson(contents.modelConfig, label, 'model_config');
  const model = await modelFromKerasConfig(config, label, storedWeights(contents.layers.flatMap((l) => l.weights), (n) => `the ${n} weight values the file stores`));
  assignModelWeights(model, contents.layers, label);
  if (options.compile === false || contents.trainingConfig === undefined) return model;
  const parsed = parseKerasJson(contents.trainingConfig, label, 'training_config');
  const tc = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const oc = namedOptimizer(tc.optimizer_config);
  if (oc === undefined) {
    warn('the training config has no optimizer: the model is not compiled');
    return model;
  }
  const used = compileFromKeras(model, { loss: tc.loss, metrics: tc.metrics, optimizerClass: oc.className, optimizerConfig: oc.config }, warn);
  if (used === null || contents.optimizer === undefined) return model;
  const state = optimizerSlots(contents.optimizer, specForTfjs(used).slots);
  if (state === null) {
    warn('optimizer_weights do not have the layout of the model\'s optimizer: the optimizer starts fresh');
    return model;
  }
  await restoreOptimizer(model, state.iterations, state.variableNames, state.slots, warn);
  return model;
}
