/**
 * Writes a TensorBundle checkpoint (TF `BundleWriter`): data files holding
 * tensor records back to back in the order tensors are added, and an index
 * table whose first entry "" is the BundleHeaderProto and whose other entries,
 * sorted bytewise by key, are BundleEntryProtos (dtype, shape, shard, offset,
 * size, masked crc32c of the record).
 *
 * `BundleWriter` is incremental: `add()` hands back the chunks of one record
 * (numeric data is passed through as a view of the caller's buffer, never
 * copied) so a caller can stream them into a file or zip; `finish()` returns
 * the index. `writeCheckpoint()` is the all-in-memory convenience, which
 * copies each byte once into one buffer per shard.
 */
import { SavedModelError } from '../errors.js';
import { BUNDLE_VERSION, ENDIANNESS_LITTLE, encodeBundleEntry, encodeBundleHeader } from './bundle-entry.js';
import { crc32c, crc32cExtend, maskCrc } from './crc.js';
import { DataType, dtypeElementSize, dtypeName } from './dtypes.js';
import { encodeStringRecord } from './string-record.js';
import { compareBytes } from './table/comparator.js';
import { TableWriter, concatChunks, type TableWriterOptions } from './table/table-writer.js';

export interface CheckpointTensor {
  /** Checkpoint key, e.g. `layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`. */
  key: string;
  /** DataType enum number (dtypes.ts). */
  dtype: number;
  shape: readonly number[];
  /**
   * Fixed-width dtypes: the raw little-endian element bytes, row-major; any
   * typed array / DataView is taken as its bytes (the platform is little-endian).
   * DT_STRING: one entry per element, JS strings are UTF-8 encoded.
   */
  data: ArrayBufferView | readonly (string | Uint8Array)[];
  /** Data file this record goes to (default 0). */
  shardId?: number;
}

export interface BundleWriterOptions {
  /** Number of data files (default 1). */
  numShards?: number;
  /** Index table parameters (defaults are TensorFlow's). */
  table?: TableWriterOptions;
}

export interface DataRecord {
  key: string;
  shardId: number;
  offset: number;
  size: number;
  /** The record, in pieces to append to the shard in order; numeric data is the caller's own buffer. */
  chunks: Uint8Array[];
}

/**
 * A fixed-width record reserved by `BundleWriter.begin()`: its bytes are appended to the shard
 * by the caller (possibly before they are checksummed) and fed to `update()` in order; `end()`
 * completes its index entry. The index only needs the CRC, so a data file can be written while
 * its records are still being checksummed.
 */
export interface StreamedRecord {
  readonly key: string;
  readonly shardId: number;
  readonly offset: number;
  readonly size: number;
  /** The record's next bytes, in order. */
  update(bytes: Uint8Array): void;
  /** All `size` bytes were given to update(); INVALID_ARGUMENT otherwise. */
  end(): void;
}

export type RecordHeader = Omit<CheckpointTensor, 'data'>;

export interface WrittenCheckpoint {
  index: Uint8Array;
  /** One data file per shard. */
  data: Uint8Array[];
}

const utf8 = new TextEncoder();

function invalid(message: string, key?: string): SavedModelError {
  return new SavedModelError('INVALID_ARGUMENT', message, key !== undefined ? { key } : {});
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The record bytes of fixed-width data: its view as bytes (the checkpoint is little-endian). */
export function recordBytes(v: ArrayBufferView, key: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  // Other typed arrays hold host-order elements; the checkpoint is little-endian.
  if (!LITTLE_ENDIAN_HOST && !(v instanceof Int8Array)) {
    throw new SavedModelError('UNSUPPORTED', 'typed-array data needs a little-endian host; pass raw little-endian bytes as a Uint8Array', { key });
  }
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** A fixed-width dtype and shape that need exactly `byteLength` bytes; INVALID_ARGUMENT otherwise. */
function checkByteLength(key: string, dtype: number, shape: readonly number[], byteLength: number): void {
  const elemSize = fixedElementSize(key, dtype);
  if (!Number.isSafeInteger(byteLength) || byteLength < 0) throw invalid(`invalid record length ${byteLength}`, key);
  const n = elementCount(shape, key, Math.floor(byteLength / elemSize));
  if (n < 0 || n * elemSize !== byteLength) {
    throw invalid(
      `${dtypeName(dtype)} shape [${shape.join(', ')}] needs ${n < 0 ? 'more than ' + byteLength : n * elemSize} bytes, data has ${byteLength}`,
      key,
    );
  }
}

function fixedElementSize(key: string, dtype: number): number {
  const elemSize = dtypeElementSize(dtype);
  if (elemSize === undefined) {
    const name = dtypeName(dtype);
    throw invalid(`dtype ${name ?? dtype} cannot be written to a checkpoint${name ? '' : ' (unknown DataType)'}`, key);
  }
  return elemSize;
}

/** Element count, or Infinity-safe: returns -1 when it exceeds `cap` (cap ≥ 0). */
function elementCount(shape: readonly number[], key: string, cap: number): number {
  let n = 1;
  let overflow = false;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw invalid(`shape [${shape.join(', ')}] has an invalid dimension ${d}`, key);
    if (d === 0) return 0;
    n *= d;
    if (n > cap) overflow = true;
  }
  return overflow ? -1 : n;
}

export class BundleWriter {
  private readonly numShards: number;
  private readonly tableOptions: TableWriterOptions | undefined;
  private readonly shardOffsets: number[];
  private readonly entries: { key: Uint8Array; keyString: string; value: Uint8Array | undefined }[] = [];
  private readonly keys = new Set<string>();
  private finished = false;
  /** Streamed records begun and not ended. */
  private open = 0;

  constructor(options: BundleWriterOptions = {}) {
    this.numShards = options.numShards ?? 1;
    if (!Number.isInteger(this.numShards) || this.numShards < 1 || this.numShards > 0x7fff_ffff) {
      throw invalid(`numShards must be a positive int32, got ${this.numShards}`);
    }
    this.tableOptions = options.table;
    this.shardOffsets = new Array<number>(this.numShards).fill(0);
  }

  /** Bytes written so far to each shard. */
  get shardSizes(): readonly number[] {
    return this.shardOffsets;
  }

  /**
   * Validate and record one tensor; returns its data record. Append
   * `record.chunks` to shard `record.shardId` before the next add's chunks.
   * Numeric chunks alias `tensor.data`: keep it unchanged until written.
   */
  add(tensor: CheckpointTensor): DataRecord {
    const { key, dtype, shardId, shape } = this.check(tensor);
    let chunks: Uint8Array[];
    let size: number;
    let crc: number;
    if (dtype === DataType.DT_STRING) {
      const data = tensor.data;
      if (!Array.isArray(data)) throw invalid('DT_STRING data must be an array of strings or Uint8Arrays', key);
      const n = elementCount(shape, key, data.length);
      if (n !== data.length) throw invalid(`shape [${shape.join(', ')}] needs ${n < 0 ? 'more' : n} elements, got ${data.length}`, key);
      const elements = data.map((e, i) => {
        if (typeof e === 'string') return utf8.encode(e);
        if (e instanceof Uint8Array) return e;
        throw invalid(`string element ${i} is neither a string nor a Uint8Array`, key);
      });
      const rec = encodeStringRecord(elements);
      chunks = [rec.header, ...elements.filter((e) => e.length > 0)];
      size = rec.size;
      crc = rec.crc;
    } else {
      fixedElementSize(key, dtype);
      const data = tensor.data;
      if (!ArrayBuffer.isView(data)) throw invalid(`${dtypeName(dtype)} data must be a Uint8Array (raw little-endian bytes) or a typed array`, key);
      const bytes = recordBytes(data, key);
      checkByteLength(key, dtype, shape, bytes.length);
      chunks = bytes.length > 0 ? [bytes] : [];
      size = bytes.length;
      crc = crc32c(bytes);
    }
    const offset = this.reserve(key, shardId, size);
    this.entries.push({ key: utf8.encode(key), keyString: key, value: encodeBundleEntry({ dtype, shape, shardId, offset, size, crc32c: maskCrc(crc), slices: [] }) });
    return { key, shardId, offset, size, chunks };
  }

  /**
   * Reserve the record of a fixed-width tensor of `byteLength` bytes (validated against its
   * dtype and shape) at the end of its shard; the caller appends the bytes and feeds them to the
   * returned record's update(), then calls end() (before finish()).
   */
  begin(tensor: RecordHeader, byteLength: number): StreamedRecord {
    const { key, dtype, shardId, shape } = this.check(tensor);
    if (dtype === DataType.DT_STRING) throw invalid('DT_STRING records cannot be streamed; use add()', key);
    checkByteLength(key, dtype, shape, byteLength);
    const offset = this.reserve(key, shardId, byteLength);
    const slot: { key: Uint8Array; keyString: string; value: Uint8Array | undefined } = { key: utf8.encode(key), keyString: key, value: undefined };
    this.entries.push(slot);
    this.open++;
    let crc = 0;
    let seen = 0;
    let ended = false;
    return {
      key, shardId, offset, size: byteLength,
      update: (bytes) => {
        if (ended) throw invalid('StreamedRecord.update after end', key);
        seen += bytes.length;
        if (seen > byteLength) throw invalid(`record has ${byteLength} bytes, got more`, key);
        crc = crc32cExtend(crc, bytes);
      },
      end: () => {
        if (ended) return;
        if (seen !== byteLength) throw invalid(`record has ${byteLength} bytes, got ${seen}`, key);
        ended = true;
        this.open--;
        slot.value = encodeBundleEntry({ dtype, shape, shardId, offset, size: byteLength, crc32c: maskCrc(crc), slices: [] });
      },
    };
  }

  private check(tensor: RecordHeader): { key: string; dtype: number; shardId: number; shape: number[] } {
    if (this.finished) throw invalid('BundleWriter.add after finish');
    const { key, dtype } = tensor;
    if (typeof key !== 'string') throw invalid('checkpoint key must be a string');
    if (key === '') throw invalid('the empty key is reserved for the bundle header', key);
    if (this.keys.has(key)) throw invalid('duplicate checkpoint key', key);
    const shardId = tensor.shardId ?? 0;
    if (!Number.isInteger(shardId) || shardId < 0 || shardId >= this.numShards) {
      throw invalid(`shardId ${shardId} is not in [0, ${this.numShards})`, key);
    }
    if (!Array.isArray(tensor.shape)) throw invalid('shape must be an array of dimensions', key);
    return { key, dtype, shardId, shape: [...tensor.shape] };
  }

  private reserve(key: string, shardId: number, size: number): number {
    const offset = this.shardOffsets[shardId]!;
    this.keys.add(key);
    this.shardOffsets[shardId] = offset + size;
    return offset;
  }

  /** The index file: header entry, then entries sorted bytewise by UTF-8 key. */
  finish(): Uint8Array {
    if (this.finished) throw invalid('BundleWriter.finish called twice');
    if (this.open > 0) throw invalid(`BundleWriter.finish with ${this.open} streamed record(s) not ended (their bytes were not all checksummed)`);
    this.finished = true;
    const sorted = this.entries.slice().sort((a, b) => compareBytes(a.key, b.key));
    const table = new TableWriter(this.tableOptions);
    table.add(new Uint8Array(0), encodeBundleHeader({
      numShards: this.numShards,
      endianness: ENDIANNESS_LITTLE,
      version: { producer: BUNDLE_VERSION, minConsumer: 0, badConsumers: [] },
    }));
    for (let i = 0; i < sorted.length; i++) {
      const e = sorted[i]!;
      // Distinct JS strings can share a UTF-8 encoding (lone surrogates become U+FFFD).
      if (i > 0 && compareBytes(sorted[i - 1]!.key, e.key) === 0) throw invalid('two keys have the same UTF-8 encoding', e.keyString);
      table.add(e.key, e.value!);
    }
    return table.finish();
  }
}

/** Write `tensors` (data file order = the given order, as TF) into memory. */
export function writeCheckpoint(tensors: Iterable<CheckpointTensor>, options: BundleWriterOptions = {}): WrittenCheckpoint {
  const writer = new BundleWriter(options);
  const perShard: Uint8Array[][] = Array.from({ length: options.numShards ?? 1 }, () => []);
  for (const t of tensors) {
    const rec = writer.add(t);
    const list = perShard[rec.shardId]!;
    for (const c of rec.chunks) list.push(c);
  }
  const index = writer.finish();
  return { index, data: perShard.map((chunks) => concatChunks(chunks)) };
}
