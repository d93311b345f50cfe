// The Node-only way in: a SavedModel directory path. '@savedmodel-js/core/node' (node:fs) is
// imported lazily, through a specifier bundlers do not follow, so that browser builds of this
// package never pull in Node modules; its type is declared here rather than imported, so the
// browser typecheck (types: []) never sees Node types.
import { readSavedModel, type FileSource, type LoadedSavedModel, type ReadSavedModelOptions } from '@savedmodel-js/core';
import { assertPathSupported } from '@savedmodel-js/core/internal';

interface CoreNode {
  readSavedModelDir(dir: string, options?: ReadSavedModelOptions): Promise<LoadedSavedModel>;
}

const CORE_NODE = '@savedmodel-js/core/node';

export async function readSavedModelDirLazy(dir: string, options?: ReadSavedModelOptions): Promise<LoadedSavedModel> {
  assertPathSupported(dir, 'loadSavedModel');
  const mod = (await import(/* @vite-ignore */ CORE_NODE)) as CoreNode;
  return mod.readSavedModelDir(dir, options);
}

interface ZipNode {
  zipFileSource(path: string): Promise<FileSource>;
}
const ZIP_NODE = '@savedmodel-js/zip/node';

export async function readSavedModelZipLazy(path: string, options?: ReadSavedModelOptions): Promise<LoadedSavedModel> {
  assertPathSupported(path, 'loadSavedModel');
  const zip = (await import(/* @vite-ignore */ ZIP_NODE)) as ZipNode;
  return readSavedModel(await zip.zipFileSource(path), options);
}
