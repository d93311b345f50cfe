// The checkpoint's data file as a stream of chunks for a FileSink. Numeric records go out in
// pieces (sizes below), each piece handed to the sink before it is checksummed (the CRC only
// goes into variables.index, written afterwards), so the sink writes piece k while piece k is
// checksummed and piece k + 1 produced. Tensors that can be copied out of their backend piece by
// piece (DeferredCheckpointTensor.openReader) are copied into a small pool of reused buffers —
// only for sinks that promise to release chunks (FileSink.releasesChunksAfter); every other
// sink receives buffers that are never written again.
import type { BundleWriter, CheckpointTensor, RecordHeader } from '../checkpoint/index.js';
import { recordBytes } from '../checkpoint/bundle-writer.js';
import type { FileSink } from '../io/file-source.js';
import { DataType } from '../checkpoint/dtypes.js';
import type { DeferredCheckpointTensor } from './deferred-tensor.js';
import { ReadAhead } from './read-ahead.js';

/** Piece size: small enough that the first write starts early and the pool stays small. */
export const PIECE_BYTES = 1 << 20;

/**
 * Piece size for sinks that may keep chunks (zip writers; in-memory sinks without allocate, see
 * data-file-buffer.ts): no buffer is reused for them, so larger pieces only mean fewer chunks to
 * hold and concatenate (the zip writer slices them again for its progress and its target's
 * writeSize), while a piece is still checksummed after the sink has it.
 */
export const KEPT_PIECE_BYTES = 4 << 20;

/**
 * Piece size for a loaded value's own bytes going to a sink that releases chunks (files): they
 * are views, never copies, so a piece costs no memory, and each is one write call whose CRC runs
 * on the main thread while the thread pool writes it. Fewer, larger writes cut the per-call work
 * on the main thread (measured in one process, alternating, cpu backend, 16 MiB kernels: the
 * data-file phase of a 384 MiB export 140 ms with 16 MiB pieces vs 154 ms with 1 MiB).
 */
export const DIRECT_PIECE_BYTES = 16 << 20;

/** Most chunks a sink may hold at once for a producer to reuse buffers (larger promises are ignored). */
const MAX_RELEASE_WINDOW = 16;

/** The record header of a checkpoint tensor (its data aside). */
export function recordHeader(t: CheckpointTensor | DeferredCheckpointTensor): RecordHeader {
  return { key: t.key, dtype: t.dtype, shape: t.shape, ...(t.shardId !== undefined ? { shardId: t.shardId } : {}) };
}

/** The sink's release window, or undefined when it may keep chunks (then no buffer is reused). */
export function releaseWindow(sink: FileSink): number | undefined {
  const n = sink.releasesChunksAfter;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_RELEASE_WINDOW ? n : undefined;
}

/**
 * The data file's chunks: one read per deferred tensor, started ahead of its turn within
 * read-ahead.ts's budget, nothing kept after its pieces are written. With `window` (the sink's
 * releasesChunksAfter), readable tensors go through `window` reused buffers of PIECE_BYTES: chunk
 * j reuses the buffer of chunk j − window, which the sink released when it asked for chunk j.
 */
export async function* dataFileChunks(
  writer: BundleWriter, tensors: readonly (CheckpointTensor | DeferredCheckpointTensor)[], window: number | undefined,
): AsyncGenerator<Uint8Array> {
  const pool: Uint8Array[] = [];
  let turn = 0;
  const ahead = new ReadAhead(tensors, window !== undefined, false);
  try {
    for (const t of tensors) {
      const cur = ahead.next();
      const header = recordHeader(t);
      if (cur.kind === 'reader') {
        const reader = cur.reader;
        try {
          const rec = writer.begin(header, reader.byteLength);
          for (let off = 0; off < rec.size; off += PIECE_BYTES) {
            const n = Math.min(PIECE_BYTES, rec.size - off);
            const slot = turn++ % window!;
            const buffer = (pool[slot] ??= new Uint8Array(PIECE_BYTES));
            const piece = buffer.subarray(0, n);
            reader.read(off, piece);
            yield piece;
            rec.update(piece);
          }
          rec.end();
        } finally {
          reader.close();
        }
        continue;
      }
      const value = cur.kind === 'value' ? await cur.value : cur.data;
      if (header.dtype === DataType.DT_STRING || !ArrayBuffer.isView(value)) {
        yield* writer.add({ ...header, data: value }).chunks;
        continue;
      }
      // The loaded value's own bytes, in pieces (no copy); never reused, so any sink may keep them.
      const bytes = recordBytes(value, header.key);
      const rec = writer.begin(header, bytes.length);
      const step = window === undefined ? KEPT_PIECE_BYTES : DIRECT_PIECE_BYTES;
      for (let off = 0; off < rec.size; off += step) {
        const piece = bytes.subarray(off, Math.min(off + step, rec.size));
        yield piece;
        rec.update(piece);
      }
      rec.end();
    }
  } finally {
    // stopped early (a failure, or the sink gave up): the readers opened ahead are released
    ahead.close();
  }
}
