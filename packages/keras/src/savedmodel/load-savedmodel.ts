// A tf.keras SavedModel (with keras_metadata.pb) back into a tf.LayersModel: the architecture from
// the root's model_config (through tfjs-layers' deserializer), every weight from the checkpoint
// by walking the object graph (`layer-N` / nested models / the weight's own name, RNN weights
// under `cell`, a wrapper's under `forward_layer` / `backward_layer` / `layer`), and, when compiled, the optimizer with its iteration count and slot variables.
import * as tf from '@tensorflow/tfjs';
import { SavedModelError, isSavedModelError, tensorflow, type CheckpointReader, type LoadedSavedModel } from '@savedmodel-js/core';
import { quoteSnippet } from '@savedmodel-js/core/internal';
import { objectGraphCheckpointKeys } from '@savedmodel-js/runtime';
import { parseMetadata, tfjsModelTopology, type Json, type JsonObject } from './keras-json.js';
import { tfjsOptimizer, tfjsSlotOrder } from './optimizer-mapping.js';
import { checkpointWeights, setOrWarn } from '../h5/into-tfjs.js';
import { modelFromUntrustedConfig, weightBudgetFor } from '@savedmodel-js/export';
import { ownWeightNames, recurrentCells, weightName, type LayerLike } from './keras-layout.js';
import { wrappedLayers } from '../sublayers.js';

export interface KerasLoadOptions {
  /** Compile the model from its training_config, restoring the optimizer's state (default true). */
  compile?: boolean;
  /** Where a state tfjs cannot take is reported (default console.warn); the optimizer then starts fresh. */
  onWarning?: (message: string) => void;
}

const KERAS_METADATA = 'keras_metadata.pb';

function camel(s: string): string {
  const c = s.replace(/_([a-z0-9])/g, (_, x: string) => x.toUpperCase());
  return c.charAt(0).toLowerCase() + c.slice(1);
}

class Walker {
  readonly nodes: tensorflow.ISavedObject[];
  readonly keys: Map<number, string>;

  constructor(mg: tensorflow.IMetaGraphDef, readonly checkpoint: CheckpointReader) {
    this.nodes = mg.object_graph_def?.nodes ?? [];
    this.keys = objectGraphCheckpointKeys(mg, checkpoint);
  }

  child(id: number | undefined, name: string): number | undefined {
    if (id === undefined) return undefined;
    const ref = (this.nodes[id]?.children ?? []).find((c) => c.local_name === name);
    return ref ? (ref.node_id ?? 0) : undefined;
  }

  /** A slot variable's key: `<variable>/.OPTIMIZER_SLOT/optimizer/<slot>` (slots are no children, so the walk misses them). */
  slotKey(variableId: number, slot: string): string | undefined {
    const base = this.keys.get(variableId)?.replace(/\/\.ATTRIBUTES\/VARIABLE_VALUE$/, '');
    return base === undefined ? undefined : `${base}/.OPTIMIZER_SLOT/optimizer/${slot}/.ATTRIBUTES/VARIABLE_VALUE`;
  }

  tensor(id: number | undefined, what: string, shape: readonly number[], dtype: tf.DataType = 'float32', explicitKey?: string): tf.Tensor {
    const key = explicitKey ?? (id === undefined ? undefined : this.keys.get(id));
    if (key === undefined || !this.checkpoint.has(key)) {
      throw new SavedModelError('NOT_FOUND', `the checkpoint has no value for ${what}`, { key: what });
    }
    const e = this.checkpoint.entry(key);
    const got = (e.shape ?? []).map(Number);
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
      throw new SavedModelError('CORRUPT', `${key}: shape [${got}] where the model needs [${shape}] (${what})`, { key });
    }
    const v = this.checkpoint.value(key) as unknown;
    if (v instanceof BigInt64Array) return tf.tensor(Array.from(v, Number), [...shape], 'int32');
    if (!(v instanceof Float32Array) && !(v instanceof Int32Array)) throw new SavedModelError('UNSUPPORTED', `${key}: dtype ${e.dtype} cannot be loaded into tfjs`, { key });
    return tf.tensor(v, [...shape], dtype);
  }
}

interface LayerHolder { layers: tf.layers.Layer[] }

function isModel(l: unknown): l is tf.LayersModel {
  return l instanceof tf.LayersModel;
}

/**
 * Where each of `layer`'s weights is in the object graph below the layer's node `nid`: inside the
 * layers a wrapper tracks (`forward_layer/cell/kernel`, `layer/kernel`), an RNN's cells
 * (`cell/kernel`, `cell/cells/0/kernel`), else the layer's own (`kernel`, a repeated name
 * suffixed; also where savedmodel-js before 2026-12-06 put a wrapper's weights). Weights not found
 * are left out.
 */
function weightIds(w: Walker, layer: LayerLike, nid: number | undefined, into = new Map<tf.LayerVariable, number>()): Map<tf.LayerVariable, number> {
  for (const [attr, sub] of wrappedLayers(layer)) weightIds(w, sub, w.child(nid, attr), into);
  for (const { path, cell } of recurrentCells(layer)) {
    let cid = nid;
    for (const p of path) cid = w.child(cid, p);
    for (const v of cell.weights) {
      const id = w.child(cid, weightName(v));
      if (id !== undefined) into.set(v, id);
    }
  }
  const names = ownWeightNames(layer.weights);
  layer.weights.forEach((v, i) => {
    if (into.has(v)) return;
    const id = w.child(nid, names[i]!) ?? w.child(w.child(nid, 'cell'), weightName(v));
    if (id !== undefined) into.set(v, id);
  });
  return into;
}

function assignWeights(w: Walker, holder: LayerHolder, nodeId: number, path: string): void {
  holder.layers.forEach((layer, i) => {
    const nid = w.child(nodeId, `layer-${i}`);
    const where = `${path}.layer-${i}`;
    if (nid === undefined) throw new SavedModelError('CORRUPT', `the object graph has no ${where} for layer ${layer.name}`, { key: where });
    if (isModel(layer)) { assignWeights(w, layer as unknown as LayerHolder, nid, where); return; }
    if (!layer.weights.length) return;
    const ids = weightIds(w, layer as unknown as LayerLike, nid);
    const values = layer.weights.map((v) => w.tensor(ids.get(v), `${where}.${weightName(v)} (${v.originalName ?? v.name})`, v.shape as number[]));
    layer.setWeights(values);
    tf.dispose(values);
  });
}

function lossName(loss: Json): string | string[] {
  if (typeof loss === 'string') return camel(loss);
  if (Array.isArray(loss)) return loss.map((l) => lossName(l) as string);
  if (loss && typeof loss === 'object') {
    if (typeof loss.class_name === 'string') return camel(loss.class_name);
    // a dict per output: in output order
    return Object.values(loss).map((l) => lossName(l) as string);
  }
  throw new SavedModelError('UNSUPPORTED', 'training_config: the loss is missing', { key: 'loss' });
}

function metricNames(metrics: Json): string[] {
  const out: string[] = [];
  const walk = (m: Json) => {
    if (typeof m === 'string') out.push(m === 'acc' ? 'accuracy' : camel(m));
    else if (Array.isArray(m)) m.forEach(walk);
    else if (m && typeof m === 'object' && typeof m.class_name === 'string') {
      const cfg = (m.config ?? {}) as JsonObject;
      const n = typeof cfg.name === 'string' ? cfg.name : m.class_name;
      out.push(n === 'accuracy' || n === 'acc' ? 'accuracy' : camel(typeof cfg.fn === 'string' ? cfg.fn : n));
    }
  };
  walk(metrics);
  return out;
}

async function compileFrom(model: tf.LayersModel, training: JsonObject, w: Walker, warn: (m: string) => void): Promise<void> {
  const optimizer = tfjsOptimizer(tf, training.optimizer_config);
  try {
    model.compile({ optimizer, loss: lossName(training.loss ?? null), metrics: metricNames(training.metrics ?? null) });
  } catch (e) {
    if (e instanceof SavedModelError) throw e;
    throw new SavedModelError('UNSUPPORTED', `cannot compile the model from its training_config (${quoteSnippet((e as Error).message)}); load it with {compile: false}`, { key: 'training_config', cause: e });
  }
  // optimizer state: iter, then per tfjs slot the values for every trainable weight (tfjs's order)
  const optId = w.child(0, 'optimizer');
  if (optId === undefined) return;
  const iterId = w.child(optId, 'iter');
  if (iterId === undefined || !w.keys.has(iterId)) return;
  const slots = new Map<string, number>();
  for (const r of w.nodes[optId]?.slot_variables ?? []) slots.set(`${r.original_variable_node_id ?? 0}/${r.slot_name ?? ''}`, r.slot_variable_node_id ?? 0);
  const ids = new Map<tf.LayerVariable, number>();
  const collect = (holder: LayerHolder, nodeId: number) => holder.layers.forEach((layer, i) => {
    const nid = w.child(nodeId, `layer-${i}`);
    if (nid === undefined) return;
    if (isModel(layer)) { collect(layer as unknown as LayerHolder, nid); return; }
    weightIds(w, layer as unknown as LayerLike, nid, ids);
  });
  collect(model as unknown as LayerHolder, 0);
  const named: { name: string; tensor: tf.Tensor }[] = [{ name: 'iter', tensor: w.tensor(iterId, 'optimizer.iter', []) }];
  for (const slot of tfjsSlotOrder(optimizer)) {
    for (const v of model.trainableWeights) {
      const vid = ids.get(v);
      const sid = vid === undefined ? undefined : slots.get(`${vid}/${slot}`);
      // a slot Keras never created (e.g. momentum 0) starts at zero, as in tfjs
      const tensor = sid !== undefined && vid !== undefined
        ? w.tensor(sid, `optimizer slot ${slot} of ${v.name}`, v.shape as number[], 'float32', w.keys.get(sid) ?? w.slotKey(vid, slot))
        : tf.zeros(v.shape as number[]);
      named.push({ name: `${v.originalName ?? v.name}/${slot}`, tensor });
    }
  }
  await setOrWarn(optimizer, named, warn);
}

export async function loadKerasSavedModel(loaded: LoadedSavedModel, options: KerasLoadOptions = {}): Promise<tf.LayersModel> {
  const km = loaded.kerasMetadata;
  if (!km) throw new SavedModelError('NOT_FOUND', `no ${KERAS_METADATA}: not a tf.keras SavedModel (loadSavedModel runs its signatures)`, { file: KERAS_METADATA });
  if (!loaded.checkpoint) throw new SavedModelError('NOT_FOUND', 'the SavedModel has no variables/ checkpoint', { file: 'variables/variables.index' });
  const rootEntry = km.nodes.find((n) => (n.node_id ?? 0) === 0 && n.node_path === 'root') ?? km.nodes.find((n) => n.node_path === 'root');
  if (!rootEntry) throw new SavedModelError('CORRUPT', `${KERAS_METADATA} has no entry for the root object`, { file: KERAS_METADATA });
  const md = parseMetadata(rootEntry.metadata ?? '', 'root');
  const modelConfig: Json = md.model_config ?? { class_name: md.class_name ?? null, config: md.config ?? null };
  const topology = tfjsModelTopology(modelConfig);
  let model: tf.LayersModel;
  const stored = checkpointWeights(loaded.checkpoint, 'the checkpoint');
  try {
    model = await modelFromUntrustedConfig(topology, weightBudgetFor(stored.elements), stored.what, KERAS_METADATA);
  } catch (e) {
    if (isSavedModelError(e)) throw e;
    throw new SavedModelError('UNSUPPORTED', `tfjs-layers cannot build the model from its Keras config: ${quoteSnippet((e as Error).message)}`, { file: KERAS_METADATA, key: 'root', cause: e });
  }
  const mgs = loaded.savedModel.meta_graphs ?? [];
  const mg = mgs.find((g) => (g.meta_info_def?.tags ?? []).includes('serve')) ?? mgs[0];
  if (!mg) throw new SavedModelError('CORRUPT', 'the SavedModel has no meta graph', { file: 'saved_model.pb' });
  const walker = new Walker(mg, loaded.checkpoint);
  assignWeights(walker, model as unknown as LayerHolder, 0, 'root');
  if (options.compile !== false && md.training_config && typeof md.training_config === 'object') {
    await compileFrom(model, md.training_config as JsonObject, walker, options.onWarning ?? ((m: string) => console.warn(`loadKerasModel: ${m}`)));
  }
  return model;
}
