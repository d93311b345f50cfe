// loadKerasModel: a Keras model file back into a tf.LayersModel. SavedModels with
// keras_metadata.pb (a directory or .zip path, a FileSource, zip bytes or a Blob) are read by
// savedmodel/; `.h5` / `.keras` inputs are recognised (by extension or content) and refused until
// their readers are wired.
import type * as tf from '@tensorflow/tfjs';
import { readSavedModel, SavedModelError, type FileSource } from '@savedmodel-js/core';
import { zipSource } from '@savedmodel-js/zip';
import { readSource } from '@savedmodel-js/runtime';
import { checkOptionKeys } from './options.js';
import { loadKerasSavedModel, type KerasLoadOptions } from './savedmodel/load-savedmodel.js';
import { loadKerasH5, type LoadKerasH5Options } from './h5/load-keras-h5.js';
import { loadKerasV3 } from './keras3/load-keras-v3.js';

export type KerasModelSource = string | FileSource | Uint8Array | ArrayBuffer | Blob;
/** compile and onWarning (an optimizer state tfjs cannot take) for all formats; limits for .h5 / .keras files. */
export type LoadKerasModelOptions = KerasLoadOptions & LoadKerasH5Options;

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function notSupported(what: string): SavedModelError {
  return new SavedModelError('UNSUPPORTED', `loadKerasModel: ${what} is not supported; pass the .keras file itself (path, bytes or Blob)`);
}

async function headBytes(source: Uint8Array | ArrayBuffer | Blob): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source.subarray(0, 8);
  if (source instanceof ArrayBuffer) return new Uint8Array(source, 0, Math.min(8, source.byteLength));
  return new Uint8Array(await source.slice(0, 8).arrayBuffer());
}

/**
 * tf.keras.models.load_model for TensorFlow.js: the model with its weights, compiled from its
 * training config with the optimizer's state when it has one (`{compile: false}` skips that).
 */
export async function loadKerasModel(source: KerasModelSource, options: LoadKerasModelOptions = {}): Promise<tf.LayersModel> {
  checkOptionKeys('loadKerasModel', options, ['compile', 'onWarning', 'limits']);
  if (typeof source === 'string') {
    const p = source.toLowerCase();
    if (p.endsWith('.h5') || p.endsWith('.hdf5')) return loadKerasH5(source, options);
    if (p.endsWith('.keras')) return loadKerasV3(source, options);
  } else if (source instanceof Uint8Array || source instanceof ArrayBuffer || (typeof Blob !== 'undefined' && source instanceof Blob)) {
    const head = await headBytes(source);
    if (HDF5_MAGIC.every((b, i) => head[i] === b)) return loadKerasH5(source, options);
    const zip = await zipSource(source);
    if (await isKeras3(zip)) return loadKerasV3(source, options);
    return loadKerasSavedModel(await readSavedModel(zip), { compile: options.compile, onWarning: options.onWarning });
  }
  if (typeof source === 'object' && await isKeras3(source as FileSource)) throw notSupported('an unpacked Keras 3 (.keras) folder');
  return loadKerasSavedModel(await readSource(source as never), { compile: options.compile, onWarning: options.onWarning });
}

async function isKeras3(s: FileSource): Promise<boolean> {
  return typeof s.has === 'function' && (await s.has('config.json')) && (await s.has('model.weights.h5')) && !(await s.has('saved_model.pb'));
}
