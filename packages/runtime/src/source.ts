// Where a SavedModel comes from: a directory or .zip path (Node), any FileSource, an in-memory map
// of relative paths to bytes (browser uploads), or a zip archive as bytes / Blob / File.
import { SavedModelError, fileMapSource, readSavedModel, type FileSource, type LoadedSavedModel, type ReadSavedModelOptions } from '@savedmodel-js/core';
import { zipSource, type ZipInput } from '@savedmodel-js/zip';
import { readSavedModelDirLazy, readSavedModelZipLazy } from './node-source.js';

export type SavedModelSource = string | FileSource | Map<string, Uint8Array> | ZipInput;

function isFileSource(x: unknown): x is FileSource {
  const s = x as Partial<FileSource> | null;
  return !!s && typeof s === 'object' && typeof s.read === 'function' && typeof s.has === 'function' && typeof s.list === 'function';
}

function isZipInput(x: unknown): x is ZipInput {
  return x instanceof Uint8Array || x instanceof ArrayBuffer || (typeof Blob !== 'undefined' && x instanceof Blob);
}

/** The directory each SavedModel read from a directory path came from (TensorFlow's export_dir). */
const EXPORT_DIRS = new WeakMap<LoadedSavedModel, string>();

/** The export directory as the caller named it, for SavedModels read from a directory path; else undefined. */
export function exportDirOf(loaded: LoadedSavedModel): string | undefined {
  return EXPORT_DIRS.get(loaded);
}

export async function readSource(source: SavedModelSource, options?: ReadSavedModelOptions): Promise<LoadedSavedModel> {
  if (typeof source === 'string') {
    if (/\.zip$/i.test(source)) return readSavedModelZipLazy(source, options);
    const loaded = await readSavedModelDirLazy(source, options);
    EXPORT_DIRS.set(loaded, source);
    return loaded;
  }
  if (source instanceof Map) return readSavedModel(fileMapSource(source), options);
  if (isZipInput(source)) return readSavedModel(await zipSource(source), options);
  if (isFileSource(source)) return readSavedModel(source, options);
  throw new SavedModelError('INVALID_ARGUMENT', 'a SavedModel source is a directory or .zip path, a FileSource, a Map of paths to bytes, or zip bytes / Blob');
}
