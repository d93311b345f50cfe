// The checkpoint's data file written into one buffer a sink provides (FileSink.allocate), for
// sinks that keep whole files in memory anyway: each record's bytes land in the file's final
// buffer, with no chunk list to concatenate, and a tensor that can be copied out of its backend
// piece by piece (openReader, the wasm heap) is copied straight into it instead of into a fresh
// copy first. Every record's size must be known before any value is read: fixed-width tensors
// from their dtype and shape, string tensors only when their elements are already given.
import type { BundleWriter, CheckpointTensor } from '../checkpoint/index.js';
import { recordBytes } from '../checkpoint/bundle-writer.js';
import { DataType } from '../checkpoint/dtypes.js';
import { varintLength } from '../checkpoint/table/varint.js';
import { SavedModelError } from '../errors.js';
import { fixedRecordBytes, ReadAhead } from './read-ahead.js';
import { isDeferredTensor, type DeferredCheckpointTensor } from './deferred-tensor.js';
import { PIECE_BYTES, recordHeader } from './stream-records.js';

type AnyTensor = CheckpointTensor | DeferredCheckpointTensor;

const utf8 = new TextEncoder();

/** UTF-8 length of an element of a string record; undefined for anything add() would reject. */
function elementLength(e: unknown): number | undefined {
  if (e instanceof Uint8Array) return e.length;
  if (typeof e === 'string') return utf8.encode(e).length;
  return undefined;
}

/**
 * The data file's size when every record's size is known now, else undefined (a deferred string
 * tensor, an unknown dtype, a malformed shape: the streamed path then reports what is wrong).
 */
export function plannedDataFileSize(tensors: readonly AnyTensor[]): number | undefined {
  let total = 0;
  for (const t of tensors) {
    if (t.dtype === DataType.DT_STRING) {
      // varint64 length per element, the 4-byte length checksum, the element bytes
      const data = isDeferredTensor(t) ? undefined : t.data;
      if (!Array.isArray(data)) return undefined;
      total += 4;
      for (const e of data) {
        const n = elementLength(e);
        if (n === undefined) return undefined;
        total += varintLength(n) + n;
      }
      continue;
    }
    const n = fixedRecordBytes(t);
    if (n === undefined) return undefined;
    total += n;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Writes the records of `tensors` into `target` (exactly plannedDataFileSize bytes) through
 * `writer`: one read per deferred tensor, each piece checksummed right after it is copied (while
 * it is in cache). Later tensors' reads start before this one is copied (read-ahead.ts), so
 * backends that read back asynchronously (webgpu, webgl) overlap the reads and the copying.
 * Throws INVALID_ARGUMENT when a record does not have its planned size.
 */
export async function fillDataFile(writer: BundleWriter, tensors: readonly AnyTensor[], target: Uint8Array): Promise<void> {
  let off = 0;
  const room = (key: string, size: number) => {
    if (off + size > target.length) {
      throw new SavedModelError('INVALID_ARGUMENT', `checkpoint record of ${size} bytes does not fit the data file's planned ${target.length}`, { key });
    }
  };
  const ahead = new ReadAhead(tensors, true, true);
  try {
    for (let i = 0; i < tensors.length; i++) {
      const t = tensors[i]!;
      const cur = ahead.next();
      const header = recordHeader(t);
      if (cur.kind === 'reader') {
        const reader = cur.reader;
        try {
          const rec = writer.begin(header, reader.byteLength);
          room(t.key, rec.size);
          for (let p = 0; p < rec.size; p += PIECE_BYTES) {
            const piece = target.subarray(off + p, off + Math.min(p + PIECE_BYTES, rec.size));
            reader.read(p, piece);
            rec.update(piece);
          }
          rec.end();
          off += rec.size;
        } finally {
          reader.close();
        }
        continue;
      }
      const value = cur.kind === 'value' ? await cur.value : cur.data;
      if (header.dtype === DataType.DT_STRING || !ArrayBuffer.isView(value)) {
        const rec = writer.add({ ...header, data: value });
        room(t.key, rec.size);
        for (const c of rec.chunks) {
          target.set(c, off);
          off += c.length;
        }
        continue;
      }
      const bytes = recordBytes(value, header.key);
      const rec = writer.begin(header, bytes.length);
      room(t.key, rec.size);
      for (let p = 0; p < rec.size; p += PIECE_BYTES) {
        const end = Math.min(p + PIECE_BYTES, rec.size);
        target.set(bytes.subarray(p, end), off + p);
        rec.update(target.subarray(off + p, off + end));
      }
      rec.end();
      off += rec.size;
    }
  } finally {
    // a failure before the next tensors' turn: the values pinned ahead are released
    ahead.close();
  }
  if (off !== target.length) {
    throw new SavedModelError('INVALID_ARGUMENT', `checkpoint records fill ${off} of the data file's planned ${target.length} bytes`);
  }
}
