// What a zip entry's contents may be, and how the writer reads them: as chunks whose sizes are
// known before the header (bytes, an array of Uint8Array), or as a stream of chunks.
import { SavedModelError } from '@savedmodel-js/core';

/** Entry contents: bytes, chunks (sync or async), a ReadableStream or a Blob. */
export type ZipEntryData =
  | Uint8Array
  | Iterable<Uint8Array>
  | AsyncIterable<Uint8Array>
  | ReadableStream<Uint8Array>
  | Blob;

function isUint8Array(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array;
}

/** The chunks of `data` when all are at hand (sizes and CRC known before the header), else undefined. */
export function knownChunks(data: ZipEntryData): Uint8Array[] | undefined {
  if (data instanceof Uint8Array) return [data];
  if (Array.isArray(data) && data.every(isUint8Array)) return data;
  return undefined;
}

/** The chunks of any ZipEntryData, as they come (the caller checks each is a Uint8Array). */
export async function* chunksOf(data: ZipEntryData): AsyncGenerator<Uint8Array> {
  if (typeof Blob !== 'undefined' && data instanceof Blob) {
    yield* chunksOf(data.stream());
    return;
  }
  if (typeof (data as ReadableStream).getReader === 'function') {
    const reader = (data as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (typeof (data as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    yield* data as AsyncIterable<Uint8Array>;
    return;
  }
  if (typeof (data as Iterable<Uint8Array>)[Symbol.iterator] === 'function') {
    yield* data as Iterable<Uint8Array>;
    return;
  }
  throw new SavedModelError('INVALID_ARGUMENT', 'zip entry data must be bytes, an iterable of Uint8Array, a ReadableStream or a Blob');
}
