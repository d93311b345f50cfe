// SavedModel → zip Blob (browser downloads, uploads, IndexedDB). The Blob is built from the
// chunks as parts: no concatenated copy of the archive is ever made in JavaScript.
import { writeSavedModel, type FileSink, type SavedModelContent, type WriteOptions } from '@savedmodel-js/core';
import { blobTarget } from './byte-sink.js';
import { zipSink, type ZipFileSink, type ZipSinkOptions } from './zip-sink.js';

export interface ZipBlobOptions extends ZipSinkOptions {
  /** Blob MIME type (default application/zip). */
  type?: string;
  /** Write saved_model.pbtxt instead of saved_model.pb (when given SavedModelContent). */
  asText?: boolean;
}

/** A zip FileSink whose archive becomes a Blob on commit. */
export function zipBlobSink(options: ZipBlobOptions = {}): ZipFileSink & { blob(): Blob } {
  const target = blobTarget(options.type);
  const sink = zipSink(target, { location: 'zip Blob', ...options });
  return Object.assign(sink, { blob: () => target.blob() });
}

/**
 * Writes a SavedModel as a zip Blob. `content` is what core's writeSavedModel takes, or a
 * function that writes to the sink it is given (any export API that accepts a FileSink; the
 * sink is committed afterwards if the function did not commit it).
 */
export async function saveToZipBlob(
  content: SavedModelContent | ((sink: FileSink) => Promise<unknown>),
  options: ZipBlobOptions = {},
): Promise<Blob> {
  const sink = zipBlobSink(options);
  if (typeof content === 'function') {
    try {
      await content(sink);
      await sink.commit();
    } catch (e) {
      await sink.abort();
      throw e;
    }
  } else {
    const writeOptions: WriteOptions = {};
    if (options.asText !== undefined) writeOptions.asText = options.asText;
    await writeSavedModel(sink, content, writeOptions);
  }
  return sink.blob();
}
