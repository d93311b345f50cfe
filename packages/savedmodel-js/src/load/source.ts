// Where a SavedModel comes from: a directory path (Node), any FileSource, or an in-memory map of
// relative paths to bytes (browser uploads, zip contents).
import { SavedModelError, fileMapSource, readSavedModel, type FileSource, type LoadedSavedModel, type ReadSavedModelOptions } from '@savedmodel-js/core';
import { readSavedModelDirLazy } from './node-source.js';

export type SavedModelSource = string | FileSource | Map<string, Uint8Array>;

function isFileSource(x: unknown): x is FileSource {
  const s = x as Partial<FileSource> | null;
  return !!s && typeof s === 'object' && typeof s.read === 'function' && typeof s.has === 'function' && typeof s.list === 'function';
}

export async function readSource(source: SavedModelSource, options?: ReadSavedModelOptions): Promise<LoadedSavedModel> {
  if (typeof source === 'string') return readSavedModelDirLazy(source, options);
  if (source instanceof Map) return readSavedModel(fileMapSource(source), options);
  if (isFileSource(source)) return readSavedModel(source, options);
  throw new SavedModelError('INVALID_ARGUMENT', 'a SavedModel source is a directory path, a FileSource or a Map of paths to bytes');
}
