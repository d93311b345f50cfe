// The Node-only way in: a SavedModel directory path. '@savedmodel-js/core/node' (node:fs) is
// imported lazily, through a specifier bundlers do not follow, so that browser builds of this
// package never pull in Node modules; its type is declared here rather than imported, so the
// browser typecheck (types: []) never sees Node types.
import type { LoadedSavedModel, ReadSavedModelOptions } from '@savedmodel-js/core';

interface CoreNode {
  readSavedModelDir(dir: string, options?: ReadSavedModelOptions): Promise<LoadedSavedModel>;
}

const CORE_NODE = '@savedmodel-js/core/node';

export async function readSavedModelDirLazy(dir: string, options?: ReadSavedModelOptions): Promise<LoadedSavedModel> {
  const mod = (await import(/* @vite-ignore */ CORE_NODE)) as CoreNode;
  return mod.readSavedModelDir(dir, options);
}
