// Node-only entry point: filesystem sources and sinks. `@savedmodel-js/core/node`.
import { nodeBlockDecompressor } from './io/node-decompress.js';
import { setBlockDecompressor } from './savedmodel/chunked/index.js';
import { dirSink, dirSource, isNonEmptyDir, publishDirectory, type DirSinkOptions, type DirSourceOptions } from './io/node-fs.js';
import { errnoOf, fsCall, fsError } from './io/node-fs-error.js';
import { publishFile, releaseTemporary, removeStaleTemporaries, temporarySibling } from './io/node-publish.js';
import { readRegularFile, type ReadRegularFileOptions } from './io/node-read-file.js';
import { readSavedModel, type LoadedSavedModel, type ReadSavedModelOptions } from './savedmodel/read.js';
import { writeSavedModel, type SavedModelContent, type WriteOptions } from './savedmodel/write.js';

// Chunked SavedModels (saved_model.cpb) are brotli-compressed: Node decodes them with node:zlib.
setBlockDecompressor(nodeBlockDecompressor);

export { dirSink, dirSource, isNonEmptyDir, publishDirectory, type DirSinkOptions, type DirSourceOptions };
export { errnoOf, fsCall, fsError, publishFile, readRegularFile, releaseTemporary, removeStaleTemporaries, temporarySibling, type ReadRegularFileOptions };

export function readSavedModelDir(dir: string, options?: ReadSavedModelOptions & Pick<DirSourceOptions, 'blocking'>): Promise<LoadedSavedModel> {
  const { blocking, ...rest } = options ?? {};
  return readSavedModel(dirSource(dir, { ...(rest.limits ? { limits: rest.limits } : {}), ...(blocking ? { blocking } : {}) }), rest);
}

/** Writes into a temporary sibling directory and renames it onto `dir` when complete. */
export async function writeSavedModelDir(dir: string, content: SavedModelContent, options: WriteOptions & DirSinkOptions = {}): Promise<void> {
  const sink = await dirSink(dir, options);
  await writeSavedModel(sink, content, options);
}
