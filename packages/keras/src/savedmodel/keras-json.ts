// Keras 2 metadata JSON → what tfjs-layers' deserializer reads: tuples and TensorShapes
// (`{"class_name": "__tuple__", "items": [...]}`) become arrays, `shared_object_id` goes, the
// Functional class is tfjs's "Model", and a Sequential's leading InputLayer entry folds into the
// first layer's batch_input_shape (tfjs would otherwise count it as a layer).
import { SavedModelError } from '@savedmodel-js/core';
import { quoteSnippet } from '@savedmodel-js/core/internal';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function parseMetadata(text: string, where: string): JsonObject {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new SavedModelError('CORRUPT', `keras_metadata.pb: the metadata of ${where} is not JSON: ${quoteSnippet(text)}`, { file: 'keras_metadata.pb', key: where, cause: e });
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SavedModelError('CORRUPT', `keras_metadata.pb: the metadata of ${where} is not a JSON object`, { file: 'keras_metadata.pb', key: where });
  return v as JsonObject;
}

function plain(x: Json): Json {
  if (Array.isArray(x)) return x.map(plain);
  if (x && typeof x === 'object') {
    if ((x.class_name === '__tuple__' || x.class_name === 'TensorShape') && Array.isArray(x.items)) return x.items.map(plain);
    const o: JsonObject = {};
    for (const [k, v] of Object.entries(x)) {
      if (k === 'shared_object_id') continue;
      o[k] = k === 'class_name' && v === 'Functional' ? 'Model' : plain(v);
    }
    return o;
  }
  return x;
}

function foldSequentialInputs(x: Json): void {
  if (Array.isArray(x)) { x.forEach(foldSequentialInputs); return; }
  if (!x || typeof x !== 'object') return;
  for (const v of Object.values(x)) foldSequentialInputs(v);
  if (x.class_name !== 'Sequential') return;
  const cfg = x.config as JsonObject | null;
  const layers = cfg && Array.isArray(cfg.layers) ? cfg.layers as JsonObject[] : null;
  if (!layers || layers[0]?.class_name !== 'InputLayer') return;
  const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
  const inputConfig = layers.shift()!.config;
  const input = isObject(inputConfig) ? inputConfig : {};
  const firstLayer: Json | undefined = layers[0];
  const first = isObject(firstLayer) ? firstLayer.config : undefined;
  // a damaged file's config may be anything: only an object gets the input's shape (tfjs reports the rest)
  if (isObject(first) && first.batch_input_shape === undefined) {
    first.batch_input_shape = input.batch_input_shape ?? null;
    if (input.dtype !== undefined && first.dtype === undefined) first.dtype = input.dtype;
  }
}

/** A Keras model config ({class_name, config}) as tfjs-layers' modelFromJSON reads it. */
export function tfjsModelTopology(modelConfig: Json): JsonObject {
  const t = plain(modelConfig);
  if (!t || typeof t !== 'object' || Array.isArray(t) || typeof t.class_name !== 'string' || !t.config) {
    throw new SavedModelError('CORRUPT', 'keras_metadata.pb: the root has no model config ({class_name, config})', { file: 'keras_metadata.pb', key: 'root' });
  }
  foldSequentialInputs(t);
  return t;
}
