// saveKerasModel: tf.keras.models.save_model for a tfjs LayersModel. The format comes from the
// path as Keras infers it (`.h5`/`.hdf5` → HDF5, `.keras` → Keras 3 zip, anything else →
// SavedModel) unless saveFormat says; the SavedModel is written by savedmodel/.
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError, type FileSink } from '@savedmodel-js/core';
import { isFileSink, weightLists, type SaveOptions, type SaveSummary, type Signatures } from '@savedmodel-js/export';
import { checkOptionKeys } from './options.js';
import { saveKerasSavedModel } from './savedmodel/save-savedmodel.js';
import { saveKerasH5 } from './h5/save-keras-h5.js';
import { saveKerasV3 } from './keras3/save-keras-v3.js';

export type KerasSaveFormat = 'tf' | 'h5' | 'keras';

export interface SaveKerasModelOptions {
  /** Replace what is at the path (default true, as tf.keras; TF asks where we throw ALREADY_EXISTS). */
  overwrite?: boolean;
  /** Save the optimizer's state (default true). */
  includeOptimizer?: boolean;
  /** 'tf' (SavedModel), 'h5' or 'keras'; default: from the path's extension. */
  saveFormat?: KerasSaveFormat;
  /** SavedModel signatures (default: serving_default from the model's forward pass). */
  signatures?: Signatures;
  /** SavedModel options (functionAliases, asText, onProgress, …). */
  options?: SaveOptions;
  /** Save the traced per-layer call functions (default true); false writes configs only. */
  saveTraces?: boolean;
}

const ACCEPTED = ['overwrite', 'includeOptimizer', 'saveFormat', 'signatures', 'options', 'saveTraces'] as const;

/** Keras's inference: `.h5`/`.hdf5` → h5, `.keras` → keras, anything else (a FileSink too) → tf. */
export function inferSaveFormat(target: string | FileSink, saveFormat?: string): KerasSaveFormat {
  if (saveFormat !== undefined) {
    const f = saveFormat.toLowerCase();
    if (f === 'tf' || f === 'tensorflow') return 'tf';
    if (f === 'h5' || f === 'hdf5' || f === 'keras') return f === 'keras' ? 'keras' : 'h5';
    throw new SavedModelError('INVALID_ARGUMENT', `Unknown format "${saveFormat}". Was expecting one of {"tf", "h5", "keras"}`, { key: 'saveFormat' });
  }
  if (typeof target !== 'string') return 'tf';
  const p = target.toLowerCase();
  if (p.endsWith('.h5') || p.endsWith('.hdf5')) return 'h5';
  if (p.endsWith('.keras')) return 'keras';
  return 'tf';
}

/**
 * tf.keras.models.save_model(model, path, overwrite, include_optimizer, save_format, signatures,
 * options, save_traces) for a tf.LayersModel: a SavedModel folder (Node path or FileSink) with
 * the Keras object graph and keras_metadata.pb.
 */
export async function saveKerasModel(model: tf.LayersModel, target: string | FileSink, options: SaveKerasModelOptions = {}): Promise<SaveSummary> {
  checkOptionKeys('saveKerasModel', options, ACCEPTED);
  if (typeof target !== 'string' && !isFileSink(target)) throw new SavedModelError('INVALID_ARGUMENT', 'saveKerasModel saves to a path or a FileSink');
  const format = inferSaveFormat(target, options.saveFormat);
  if (format !== 'tf') {
    // Single-file formats: signatures and SavedModel options don't apply (as in tf.keras, which ignores them for h5).
    const fileOptions = { includeOptimizer: options.includeOptimizer ?? true, overwrite: options.overwrite ?? true };
    if (format === 'h5') await saveKerasH5(model, target, fileOptions);
    else await saveKerasV3(model, target, fileOptions);
    return {
      location: typeof target === 'string' ? target : 'sink',
      signatures: {},
      variables: weightLists(model).weights.map((w) => ({
        checkpointKey: w.name, name: w.originalName, dtype: w.dtype, shape: [...w.shape] as number[], trainable: w.trainable,
      })),
    };
  }
  const saveOptions: SaveOptions = { ...(options.options ?? {}), overwrite: options.overwrite ?? true };
  return saveKerasSavedModel(model, target, {
    includeOptimizer: options.includeOptimizer ?? true,
    saveTraces: options.saveTraces ?? true,
    signatures: options.signatures,
    options: saveOptions,
  });
}
