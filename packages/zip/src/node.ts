// @savedmodel-js/zip/node — Node helpers: zip files on disk, Node streams, extraction.
import { resolve } from 'node:path';
import { DEFAULT_LIMITS, writeSavedModel, type SavedModelContent, type WriteOptions } from '@savedmodel-js/core';
import { stat } from 'node:fs/promises';
import { fsCall, readRegularFile } from '@savedmodel-js/core/node';
import { openZipFile } from './node-zip-file-archive.js';
import { archiveRoot, archiveSource, zipSource, type ZipSource, type ZipSourceOptions } from './zip-source.js';
import { zipFileSink, type ZipFileSinkOptions } from './node-zip-file.js';

export * from './index.js';
export { extractZip, type ExtractedZip, type ExtractZipOptions } from './node-extract-zip.js';
export { openZipFile, type ZipFileArchive } from './node-zip-file-archive.js';

/** Archives larger than this are read from the file as needed instead of loaded (1 GiB). */
export const FILE_BACKED_ZIP_BYTES = DEFAULT_LIMITS.maxTensorBytes;
export { fileTarget, nodeStreamTarget, zipFileSink, type ZipFileSinkOptions } from './node-zip-file.js';

/** Opens the zip archive at `path` as a FileSource rooted at its SavedModel. */
export async function zipFileSource(path: string, options: ZipSourceOptions = {}): Promise<ZipSource> {
  const full = resolve(path);
  const st = await fsCall('stat the zip archive', full, () => stat(full));
  if (st.isFile() && st.size > FILE_BACKED_ZIP_BYTES) {
    // Big archives (≥ 2 GiB, ZIP64) stay on disk: structure checked, entries streamed from the
    // file. The file stays open while the source is in use.
    const archive = await openZipFile(full, options, options.location ?? full);
    return archiveSource(archive, archiveRoot(archive, options.root));
  }
  // Only a regular file (a FIFO or /dev/zero is INVALID_ARGUMENT at once), within the budget.
  const bytes = await readRegularFile(full, { maxBytes: DEFAULT_LIMITS.maxTotalBytes });
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
