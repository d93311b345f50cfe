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

export async function readSource(source: SavedModelSource, options?: ReadSavedModelOptions): Promise<LoadedSavedModel> {
  if (typeof source === 'string') {
    return /\.zip$/i.test(source) ? readSavedModelZipLazy(source, options) : readSavedModelDirLazy(source, options);
  }
  if (source instanceof Map) return readSavedModel(fileMapSource(source), options);
  if (isZipInput(source)) return readSavedModel(await zipSource(source), options);
  if (isFileSource(source)) return readSavedModel(source, options);
  throw new SavedModelError('INVALID_ARGUMENT', 'a SavedModel source is a directory or .zip path, a FileSource, a Map of paths to bytes, or zip bytes / Blob');
}
