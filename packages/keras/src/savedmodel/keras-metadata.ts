// keras_metadata.pb: one SavedObject per Keras object (node_id, node_path, identifier, metadata
// JSON) as tf.keras 2.x writes it. Configs come from tfjs-layers' own Keras JSON serialization
// (model.toJSON), never written by hand; what differs from tf.keras is mapped here (the
// Functional class name, optimizer config keys).
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError, type third_party } from '@savedmodel-js/core';
import { modelInputNames } from '@savedmodel-js/trace';
import { isInputLayer, type KerasObject, type LayerLike } from './keras-layout.js';
import { inputSpecs } from './layer-functions.js';
import { kerasOptimizerConfig } from './optimizer-mapping.js';
import { modelConfig as tfjsModelConfig } from '../h5/model-state.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** Keras 2 layer class names tfjs-layers shares (anything else has no Keras counterpart). */
const KERAS_LAYERS = new Set([
  'InputLayer', 'Dense', 'Activation', 'Dropout', 'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'Embedding',
  'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'Conv3DTranspose', 'SeparableConv2D', 'DepthwiseConv2D', 'Cropping2D',
  'UpSampling2D', 'ZeroPadding2D', 'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D',
  'AveragePooling3D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D',
  'BatchNormalization', 'LayerNormalization', 'LSTM', 'GRU', 'SimpleRNN', 'RNN', 'ConvLSTM2D', 'Bidirectional', 'TimeDistributed',
  'Add', 'Average', 'Concatenate', 'Dot', 'Maximum', 'Minimum', 'Multiply', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU',
  'ThresholdedReLU', 'Softmax', 'Masking', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
  'Rescaling', 'CenterCrop', 'Resizing', 'CategoryEncoding', 'Sequential', 'Model', 'Functional',
]);
const TRAINING_ARG = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'BatchNormalization', 'LSTM', 'GRU', 'SimpleRNN', 'RNN', 'ConvLSTM2D', 'Bidirectional', 'TimeDistributed']);

export const KERAS_BACKEND = 'tensorflow';
/** The tf.keras release whose SavedModel layout this writes (keras_cnn's). */
export const KERAS_VERSION = '2.10.0';

/** Per layer name: its Keras {class_name, config} from the model's tfjs-layers JSON (nested models too). */
export function layerConfigs(topology: JsonObject): Map<string, { class_name: string; config: JsonObject }> {
  const out = new Map<string, { class_name: string; config: JsonObject }>();
  const walk = (entry: JsonObject) => {
    const cfg = entry.config as JsonObject;
    const cls = kerasClassName(entry.class_name as string);
    out.set(String(cfg.name ?? entry.name), { class_name: cls, config: cfg });
    if (Array.isArray(cfg.layers)) for (const l of cfg.layers) walk(l as JsonObject);
    // a wrapper's layer: TimeDistributed tracks it as it is; Bidirectional a forward and a
    // backward copy, named and configured as tfjs (and tf.keras) make them
    const inner = cfg.layer;
    if (inner && typeof inner === 'object' && !Array.isArray(inner) && inner.config && typeof inner.config === 'object' && !Array.isArray(inner.config)) {
      const icfg = inner.config;
      if (cls === 'Bidirectional') {
        const cn = kerasClassName(String(inner.class_name));
        out.set(`forward_${icfg.name}`, { class_name: cn, config: { ...icfg, name: `forward_${icfg.name}` } });
        out.set(`backward_${icfg.name}`, { class_name: cn, config: { ...icfg, name: `backward_${icfg.name}`, go_backwards: !icfg.go_backwards } });
      } else {
        walk(inner);
      }
    }
  };
  walk(topology);
  return out;
}

/** tfjs-layers calls a functional model "Model"; tf.keras 2.x writes "Functional". */
function kerasClassName(c: string): string {
  return c === 'Model' ? 'Functional' : c;
}

/** The model's Keras JSON with tf.keras's class names (model_config). */
export function modelConfig(model: tf.LayersModel): JsonObject {
  const t = tfjsModelConfig(model) as unknown as JsonObject;
  const rename = (x: Json): Json => {
    if (Array.isArray(x)) return x.map(rename);
    if (x && typeof x === 'object') {
      const o: JsonObject = {};
      for (const [k, v] of Object.entries(x)) o[k] = k === 'class_name' && typeof v === 'string' ? kerasClassName(v) : rename(v);
      return o;
    }
    return x;
  };
  return { class_name: kerasClassName(t.class_name as string), config: rename(t.config as Json) };
}

function shapeJson(shape: readonly (number | null)[]): JsonObject {
  return { class_name: 'TensorShape', items: [...shape] };
}

function typeSpecJson(s: { shape: readonly (number | null)[]; dtype: string; name?: string | undefined }): JsonObject {
  return { class_name: 'TypeSpec', type_spec: 'tf.TensorSpec', serialized: [shapeJson(s.shape), s.dtype, s.name ?? null] };
}

function inputSpecJson(layer: LayerLike): Json | undefined {
  const specs = (layer as unknown as { inputSpec?: { dtype?: string; shape?: number[]; ndim?: number; maxNDim?: number; minNDim?: number; axes?: Record<string, number> }[] }).inputSpec;
  if (!specs?.length) return undefined;
  const one = (s: NonNullable<typeof specs>[number]): JsonObject => ({
    class_name: 'InputSpec',
    config: { dtype: s.dtype ?? null, shape: s.shape ?? null, ndim: s.ndim ?? null, max_ndim: s.maxNDim ?? null, min_ndim: s.minNDim ?? null, axes: { ...(s.axes ?? {}) } },
  });
  return specs.length === 1 ? one(specs[0]!) : specs.map(one);
}

function layerMetadata(layer: LayerLike, configs: ReturnType<typeof layerConfigs>, isModel: boolean): JsonObject {
  const entry = configs.get(layer.name);
  const cls = layer.getClassName();
  if (!KERAS_LAYERS.has(cls) || !entry) {
    throw new SavedModelError('UNSUPPORTED', `layer ${layer.name} (${cls}) has no tf.keras counterpart; it cannot be saved as a Keras model (saveModel exports it as plain functions)`, { key: layer.name });
  }
  const l = layer as unknown as { trainable: boolean; dtype: string; batchInputShape?: (number | null)[]; stateful?: boolean };
  const cfg = entry.config;
  const md: JsonObject = {
    name: layer.name,
    trainable: l.trainable,
    expects_training_arg: isModel || TRAINING_ARG.has(cls),
    dtype: (cfg.dtype as string | undefined) ?? l.dtype ?? 'float32',
    batch_input_shape: (cfg.batch_input_shape as Json | undefined) ?? null,
  };
  if (!isModel) md.stateful = l.stateful ?? false;
  Object.assign(md, { must_restore_from_config: false, preserve_input_structure_in_config: false, autocast: !isModel, class_name: entry.class_name, config: cfg });
  const spec = isModel ? null : inputSpecJson(layer);
  if (spec) md.input_spec = spec;
  let specs: ReturnType<typeof inputSpecs> | null = null;
  try { specs = inputSpecs(layer as never, isModel); } catch { specs = null; }
  if (specs) md.build_input_shape = specs.length === 1 ? shapeJson(specs[0]!.shape) : specs.map((s) => shapeJson(s.shape));
  return md;
}

function modelMetadata(model: tf.LayersModel, configs: ReturnType<typeof layerConfigs>, isRoot: boolean): JsonObject {
  const md = layerMetadata(model as unknown as LayerLike, configs, true);
  const specs = inputSpecs(model as never, true, modelInputNames(model));
  md.is_graph_network = true;
  const saveSpec = specs.map(typeSpecJson);
  md.full_save_spec = { class_name: '__tuple__', items: [specs.length === 1 ? saveSpec : [saveSpec], {}] };
  md.save_spec = specs.length === 1 ? saveSpec[0]! : saveSpec;
  if (isRoot) {
    md.keras_version = KERAS_VERSION;
    md.backend = KERAS_BACKEND;
    md.model_config = modelConfig(model);
    const training = trainingConfig(model);
    if (training) md.training_config = training;
  }
  return md;
}

/** training_config of a compiled model: tfjs-layers' own, with the optimizer config in Keras's names. */
export function trainingConfig(model: tf.LayersModel): JsonObject | null {
  if (!model.optimizer) return null;
  const t = (model as unknown as { getTrainingConfig(): JsonObject }).getTrainingConfig();
  return {
    loss: t.loss ?? null,
    metrics: t.metrics ?? null,
    weighted_metrics: null,
    loss_weights: t.loss_weights ?? null,
    optimizer_config: kerasOptimizerConfig(model.optimizer) as unknown as Json,
  };
}

/** The SavedMetadata message: one entry per Keras object, with the object graph's node ids. */
export function savedMetadata(model: tf.LayersModel, objects: KerasObject[], nodeIds: ReadonlyMap<object, number>): third_party.py.keras.protobuf.ISavedMetadata {
  const configs = layerConfigs(modelConfig(model));
  const nodes: third_party.py.keras.protobuf.ISavedObject[] = [];
  for (const o of objects) {
    const id = nodeIds.get(o.node.key);
    if (id === undefined) continue;
    let identifier: string;
    let md: JsonObject;
    if (o.kind === 'metric') {
      const m = o.metric!;
      identifier = '_tf_keras_metric';
      md = { class_name: m.className, name: m.name, dtype: 'float32', config: m.config as JsonObject };
    } else if (o.kind === 'input_layer') {
      const cfg = configs.get(o.layer!.name)?.config ?? {};
      identifier = '_tf_keras_input_layer';
      md = { class_name: 'InputLayer', name: o.layer!.name, dtype: cfg.dtype ?? 'float32', sparse: cfg.sparse ?? false, ragged: cfg.ragged ?? false, batch_input_shape: cfg.batch_input_shape ?? null, config: cfg };
    } else if (o.kind === 'model') {
      const m = o.layer as unknown as tf.LayersModel;
      identifier = m.getClassName() === 'Sequential' ? '_tf_keras_sequential' : '_tf_keras_network';
      md = modelMetadata(m, configs, o.path === 'root');
    } else {
      identifier = isInputLayer(o.layer!) ? '_tf_keras_input_layer' : o.node.identifier;
      md = layerMetadata(o.layer!, configs, false);
    }
    nodes.push({ node_id: id, node_path: o.path, identifier, metadata: JSON.stringify(md), version: { producer: 2, min_consumer: 1 } });
  }
  return { nodes };
}
