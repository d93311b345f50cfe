// Keras 2's `model.save('model.h5')` layout (tf_keras saving/legacy/hdf5_format.py), from a tfjs
// LayersModel:
//   /  attrs keras_version, backend (str), model_config, training_config (JSON bytes)
//   /model_weights  attrs layer_names, backend, keras_version; one group per layer (attr
//        weight_names) holding `<layer>/<weight>:0` datasets; top_level_model_weights (empty)
//   /optimizer_weights  attr weight_names; `<Optimizer>/iter:0` (int64), `<Optimizer>/<var>/<slot>:0`
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError } from '@savedmodel-js/core';
import { writeHdf5, type H5Group } from './h5wasm-files.js';
import { pythonJson, setBytesAttr, setNameListAttr, setStrAttr } from './keras-attrs.js';
import { modelConfig, optimizerState, savedLayerWeights, tensorData, tfjsTrainingConfig } from './model-state.js';
import { specForTfjs } from './optimizer-config.js';
import { checkOptions } from './options.js';
import { writeModelFile, type ModelFileTarget } from './output-target.js';

/** The Keras version our Keras 2 files claim (the tf.keras of the TF 2.10 fixtures). */
export const KERAS2_VERSION = '2.10.0';

export interface SaveKerasH5Options {
  /** Store the optimizer's state (`optimizer_weights`) when the model is compiled and trained; default true. */
  includeOptimizer?: boolean;
  /** Replace an existing file at a path target; default true (as Keras). */
  overwrite?: boolean;
  /** Entry name when the target is a FileSink; default `model.h5`. */
  fileName?: string;
}
const OPTION_KEYS = ['includeOptimizer', 'overwrite', 'fileName'] as const;

/** A group at `path` under `root`, creating the missing ones (h5py's intermediate groups). */
export function groupAt(root: H5Group, path: string[]): H5Group {
  let g = root;
  for (const seg of path) {
    const next = g.keys().includes(seg) ? g.get(seg) : g.create_group(seg);
    if (next === null || !('create_group' in next)) throw new SavedModelError('INVALID_ARGUMENT', `HDF5 path segment ${seg} under ${g.path} is not a group`, { key: seg });
    g = next as H5Group;
  }
  return g;
}

interface PendingDataset { group: H5Group; name: string; data: Float32Array | Int32Array | BigInt64Array; shape: number[]; dtype: string }

function writeDataset(d: PendingDataset): void {
  const parts = d.name.split('/');
  const parent = groupAt(d.group, parts.slice(0, -1));
  parent.create_dataset({ name: parts[parts.length - 1]!, data: d.data, shape: d.shape, dtype: d.dtype });
}

/** The Keras 2 training_config JSON for a compiled model. */
export function kerasTrainingConfig(model: tf.LayersModel): Record<string, unknown> | undefined {
  const tc = tfjsTrainingConfig(model);
  if (tc === undefined) return undefined;
  const spec = specForTfjs(tc.optimizerClass);
  return {
    loss: tc.loss, metrics: tc.metrics, weighted_metrics: null, loss_weights: null,
    optimizer_config: { class_name: spec.keras, config: spec.toKeras2(tc.optimizerConfig) },
  };
}

/**
 * Saves `model` as Keras 2 writes `model.save('x.h5')`. Returns the file's bytes; with a target
 * (a path in Node, or a FileSink) also writes them there.
 */
export async function saveKerasH5(model: tf.LayersModel, target?: ModelFileTarget, options: SaveKerasH5Options = {}): Promise<Uint8Array> {
  checkOptions('saveKerasH5', options, OPTION_KEYS);
  const includeOptimizer = options.includeOptimizer ?? true;
  const layers = savedLayerWeights(model);
  const training = kerasTrainingConfig(model);
  const opt = includeOptimizer ? await optimizerState(model, layers) : undefined;

  // read every value before entering h5wasm (which is synchronous)
  const pending: PendingDataset[] = [];
  const layerData = await Promise.all(layers.map(async (l) => Promise.all(l.weights.map(async (w) => ({ ...w, ...(await tensorData(w.variable.read())) })))));
  const optData = opt === undefined ? undefined : {
    name: opt.spec.keras,
    iterations: opt.iterations,
    slots: await Promise.all(opt.slots.flatMap((s) => s.values.map(async (t, i) => ({
      name: `${opt.spec.keras}/${opt.variables[i]!.kerasName.replace(/:0$/, '')}/${s.kind}:0`, shape: t.shape, ...(await tensorData(t)),
    })))),
  };

  const bytes = await writeHdf5(typeof target === 'string' ? target : 'model.h5', (f) => {
    setStrAttr(f, 'keras_version', KERAS2_VERSION);
    setStrAttr(f, 'backend', 'tensorflow');
    setBytesAttr(f, 'model_config', pythonJson(modelConfig(model)));
    if (training !== undefined) setBytesAttr(f, 'training_config', pythonJson(training));

    const mw = f.create_group('model_weights');
    setNameListAttr(mw, 'layer_names', layers.map((l) => l.name));
    setBytesAttr(mw, 'backend', 'tensorflow');
    setBytesAttr(mw, 'keras_version', KERAS2_VERSION);
    layers.forEach((l, i) => {
      const g = mw.create_group(l.name);
      setNameListAttr(g, 'weight_names', l.weights.map((w) => w.kerasName));
      for (const w of layerData[i]!) pending.push({ group: g, name: w.kerasName, data: w.data, shape: w.variable.shape as number[], dtype: w.dtype });
    });
    setNameListAttr(mw.create_group('top_level_model_weights'), 'weight_names', []);
    for (const d of pending.splice(0)) writeDataset(d);

    if (optData !== undefined) {
      const og = f.create_group('optimizer_weights');
      const iterName = `${optData.name}/iter:0`;
      setNameListAttr(og, 'weight_names', [iterName, ...optData.slots.map((s) => s.name)]);
      writeDataset({ group: og, name: iterName, data: new BigInt64Array([BigInt(Math.round(optData.iterations))]), shape: [], dtype: '<q' });
      for (const s of optData.slots) writeDataset({ group: og, name: s.name, data: s.data, shape: s.shape, dtype: s.dtype });
    }
  });
  if (target !== undefined) await writeModelFile(target, bytes, options.fileName ?? 'model.h5', options.overwrite ?? true);
  return bytes;
}
