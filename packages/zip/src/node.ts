// @savedmodel-js/zip/node — Node helpers: zip files on disk, Node streams, extraction.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SavedModelError, writeSavedModel, type SavedModelContent, type WriteOptions } from '@savedmodel-js/core';
import { zipSource, type ZipSource, type ZipSourceOptions } from './zip-source.js';
import { zipFileSink, type ZipFileSinkOptions } from './node-zip-file.js';

export * from './index.js';
export { extractZip, type ExtractedZip, type ExtractZipOptions } from './node-extract-zip.js';
export { fileTarget, nodeStreamTarget, zipFileSink, type ZipFileSinkOptions } from './node-zip-file.js';

/** Opens the zip archive at `path` as a FileSource rooted at its SavedModel. */
export async function zipFileSource(path: string, options: ZipSourceOptions = {}): Promise<ZipSource> {
  const full = resolve(path);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(full));
  } catch (e) {
    throw new SavedModelError('NOT_FOUND', `cannot read zip archive ${full}`, { file: full, cause: e });
  }
  return zipSource(bytes, { location: full, ...options });
}

/** Writes a SavedModel as the zip archive `path` (temp file + rename: nothing half-written on failure). */
export async function writeSavedModelZip(
  path: string, content: SavedModelContent, options: ZipFileSinkOptions & Pick<WriteOptions, 'asText'> = {},
): Promise<void> {
  const sink = await zipFileSink(path, options);
  const w: WriteOptions = {};
  if (options.asText !== undefined) w.asText = options.asText;
  await writeSavedModel(sink, content, w);
}
