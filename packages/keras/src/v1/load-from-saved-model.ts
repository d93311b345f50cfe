// tf.keras.experimental.load_from_saved_model for TensorFlow.js: the model rebuilt from
// assets/saved_model.json (its Keras JSON config) with its weights from the checkpoint. The
// `serve` MetaGraph's `variables` collection lists the model's weights in model.weights order
// (exportSavedModelV1 writes them so); each names its checkpoint key (a name-based checkpoint).
import * as tf from '@tensorflow/tfjs';
import { SavedModelError, isSavedModelError, tensorflow, type CheckpointReader, type FileSource } from '@savedmodel-js/core';
import { modelFromUntrustedConfig, weightBudgetFor, weightLists } from '@savedmodel-js/export';
import { readSource } from '@savedmodel-js/runtime';
import { checkpointWeights, parseKerasJson } from '../h5/into-tfjs.js';
import { checkOptionKeys } from '../options.js';
import { withCustomObjects } from './model-config.js';

export interface LoadFromSavedModelOptions {
  /** Layer classes the config names that tfjs has not registered (className → class). */
  customObjects?: Record<string, unknown>;
}

const JSON_FILE = 'assets/saved_model.json';

function weightKeys(sm: tensorflow.ISavedModel, file: string): string[] {
  const mgs = sm.meta_graphs ?? [];
  const serve = mgs.find((m) => (m.meta_info_def?.tags ?? []).includes('serve')) ?? mgs[0];
  const list = serve?.collection_def?.variables?.bytes_list?.value ?? [];
  return list.map((bytes, i) => {
    let def: tensorflow.VariableDef;
    try {
      def = tensorflow.VariableDef.decode(bytes);
    } catch (e) {
      throw new SavedModelError('CORRUPT', `collection variables entry ${i} is not a VariableDef`, { file, cause: e });
    }
    return (def.variable_name ?? '').replace(/:\d+$/, '');
  });
}

function readWeight(ckpt: CheckpointReader, key: string, want: tf.LayerVariable, file: string): tf.Tensor {
  if (!ckpt.has(key)) throw new SavedModelError('NOT_FOUND', `checkpoint has no value for variable ${key}`, { file, key });
  const e = ckpt.entry(key);
  const shape = [...e.shape];
  if (shape.length !== want.shape.length || shape.some((d, i) => d !== want.shape[i])) {
    throw new SavedModelError('INVALID_GRAPH', `variable ${key} has shape [${shape}] in the checkpoint, the model's weight ${want.name} needs [${want.shape}]`, { file, key });
  }
  const v = ckpt.value(key);
  if (Array.isArray(v) || !(v instanceof Float32Array || v instanceof Int32Array)) {
    throw new SavedModelError('UNSUPPORTED', `variable ${key} is ${e.dtypeName}; only float32 / int32 weights load into tfjs`, { file, key });
  }
  return tf.tensor(v, shape, v instanceof Int32Array ? 'int32' : 'float32');
}

/** The model exported by exportSavedModelV1 / saveKerasModelV1 (or TF1 Keras with a name-based checkpoint). */
export async function loadFromSavedModel(source: string | FileSource, options: LoadFromSavedModelOptions = {}): Promise<tf.LayersModel> {
  checkOptionKeys('loadFromSavedModel', options, ['customObjects']);
  const loaded = await readSource(source);
  if (!(await loaded.source.has(JSON_FILE))) {
    throw new SavedModelError('NOT_FOUND', `${JSON_FILE} is missing: the SavedModel has no Keras model config (exported with servingOnly, or not by export_saved_model)`, { file: JSON_FILE });
  }
  const config = parseKerasJson(new TextDecoder().decode(await loaded.source.read(JSON_FILE)), JSON_FILE, 'the model config') as { class_name?: unknown };
  if (!config || typeof config !== 'object' || typeof config.class_name !== 'string') {
    throw new SavedModelError('CORRUPT', 'the model config has no class_name', { file: JSON_FILE });
  }
  let model: tf.LayersModel;
  const stored = checkpointWeights(loaded.checkpoint, 'the checkpoint');
  try {
    model = await modelFromUntrustedConfig(config, weightBudgetFor(stored.elements), stored.what, JSON_FILE, (build) => withCustomObjects(options.customObjects, build));
  } catch (e) {
    if (isSavedModelError(e)) throw e;
    throw new SavedModelError('UNSUPPORTED', `tfjs cannot build the model from ${JSON_FILE}: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`, { file: JSON_FILE, cause: e });
  }
  const keys = weightKeys(loaded.savedModel, 'saved_model.pb');
  const weights = weightLists(model).weights;
  if (keys.length < weights.length) {
    model.dispose();
    throw new SavedModelError('INVALID_GRAPH', `the serve graph declares ${keys.length} variables, the model config needs ${weights.length} weights`, { file: 'saved_model.pb' });
  }
  const values: tf.Tensor[] = [];
  try {
    if (weights.length && !loaded.checkpoint) throw new SavedModelError('NOT_FOUND', 'the SavedModel has no checkpoint (variables/)', { file: 'variables/variables.index' });
    weights.forEach((w, i) => values.push(readWeight(loaded.checkpoint!, keys[i]!, w, 'variables/variables.index')));
    model.setWeights(values);
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    tf.dispose(values);
  }
  return model;
}
