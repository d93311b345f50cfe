/**
 * Reads a TensorBundle checkpoint: the index table (header + entries) and,
 * on demand, tensor records from the data files.
 *
 * Trust model: every byte is untrusted. Before anything is allocated from a
 * stored number it is compared with a size that really exists (the record, the
 * data file), so a corrupt shape or length fails with a SavedModelError (code +
 * file name) instead of an absurd allocation, a RangeError or a hang.
 * Checks: the index (bundle-index.ts: header version / endianness, shard ids <
 * num_shards, numeric record size = elements × element size), string records
 * (length checksum, lengths add up), record inside its data file, record crc32c
 * against the entry.
 */
import { asBytes } from '../bytes.js';
import { SavedModelError, guardDecode } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import type { BundleHeader } from './bundle-entry.js';
import { decodeBundleIndex, type CheckpointEntry } from './bundle-index.js';
import { crc32c, unmaskCrc } from './crc.js';
import { DataType } from './dtypes.js';
import { DEFAULT_CHECKPOINT_PREFIX, indexFileName, shardFileName } from './shard-name.js';
import { decodeStringRecord } from './string-record.js';
import { readTable, type TableReaderOptions } from './table/table-reader.js';

export type NumericTensorValue =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/** Numeric tensors as typed arrays (HALF / BFLOAT16 as raw Uint16Array bits, complex interleaved); strings as byte arrays. */
export type TensorValue = NumericTensorValue | Uint8Array[];

export interface CheckpointReaderOptions {
  /** Checkpoint prefix used to name files in errors (default `variables/variables`). */
  prefix?: string;
  /** Index table options (checksum verification, block size limit). */
  table?: Omit<TableReaderOptions, 'file'>;
  /** Memory limits: key length (maxKeyBytes) and largest tensor materialized (maxTensorBytes). */
  limits?: Partial<Limits>;
}

/**
 * Where data files come from: a function returning a whole data file (read once per shard), or
 * ranged reads, with which only the records asked for are read (each into a buffer of its own
 * that `value()` hands out without another copy).
 */
export type ShardSource = ((shardId: number) => Uint8Array) | ShardRanges;

export interface ShardRanges {
  /** Byte length of data file `shardId`. */
  size(shardId: number): number;
  /** `length` bytes at `offset` of data file `shardId`, in a fresh buffer; shorter when the file is. */
  read(shardId: number, offset: number, length: number): Uint8Array;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type TypedArrayCtor = new (buffer: ArrayBuffer) => NumericTensorValue;
const VIEW_TYPES = new Map<number, TypedArrayCtor>([
  [DataType.DT_FLOAT, Float32Array],
  [DataType.DT_DOUBLE, Float64Array],
  [DataType.DT_INT32, Int32Array],
  [DataType.DT_UINT8, Uint8Array],
  [DataType.DT_INT16, Int16Array],
  [DataType.DT_INT8, Int8Array],
  [DataType.DT_COMPLEX64, Float32Array],
  [DataType.DT_INT64, BigInt64Array],
  [DataType.DT_BOOL, Uint8Array],
  [DataType.DT_QINT8, Int8Array],
  [DataType.DT_QUINT8, Uint8Array],
  [DataType.DT_QINT32, Int32Array],
  [DataType.DT_BFLOAT16, Uint16Array],
  [DataType.DT_QINT16, Int16Array],
  [DataType.DT_QUINT16, Uint16Array],
  [DataType.DT_UINT16, Uint16Array],
  [DataType.DT_COMPLEX128, Float64Array],
  [DataType.DT_HALF, Uint16Array],
  [DataType.DT_UINT32, Uint32Array],
  [DataType.DT_UINT64, BigUint64Array],
]);

export class CheckpointReader {
  readonly header: BundleHeader;
  /** Entries sorted by key bytes, header excluded. */
  readonly entries: readonly CheckpointEntry[];
  readonly indexFile: string;
  private readonly prefix: string;
  private readonly byKey = new Map<string, CheckpointEntry>();
  private readonly shards = new Map<number, Uint8Array>();
  private readonly shardSizes = new Map<number, number>();

  /** Use `readCheckpoint()`. */
  constructor(
    header: BundleHeader, entries: CheckpointEntry[], private readonly readShard: ShardSource, prefix: string,
    private readonly limits: Limits = resolveLimits(),
  ) {
    this.header = header;
    this.entries = entries;
    this.prefix = prefix;
    this.indexFile = indexFileName(prefix);
    for (const e of entries) if (!this.byKey.has(e.key)) this.byKey.set(e.key, e);
  }

  /** Name of data file `shardId`, e.g. `variables/variables.data-00000-of-00001`. */
  shardFile(shardId: number): string {
    return shardFileName(this.prefix, shardId, this.header.numShards);
  }

  keys(): string[] {
    return this.entries.map((e) => e.key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  entry(key: string): CheckpointEntry {
    const e = this.byKey.get(key);
    if (!e) throw new SavedModelError('NOT_FOUND', 'no such key in the checkpoint', { file: this.indexFile, key });
    return e;
  }

  private resolve(k: string | CheckpointEntry): CheckpointEntry {
    return typeof k === 'string' ? this.entry(k) : k;
  }

  /** Runs a call of the shard source, its failures as SavedModelErrors naming the data file. */
  private fromSource<T>(shardId: number, f: () => T): T {
    const file = this.shardFile(shardId);
    try {
      return f();
    } catch (e) {
      if (e instanceof SavedModelError) throw e.file === undefined ? new SavedModelError(e.code, e.message, { file, cause: e }) : e;
      throw new SavedModelError('NOT_FOUND', `cannot read data file: ${e instanceof Error ? e.message : String(e)}`, { file, cause: e });
    }
  }

  /** Byte length of data file `shardId` (ranged sources: without reading it). */
  private shardLength(shardId: number): number {
    const src = this.readShard;
    if (typeof src === 'function') return this.shard(shardId).length;
    let n = this.shardSizes.get(shardId);
    if (n === undefined) {
      n = this.fromSource(shardId, () => src.size(shardId));
      if (!Number.isSafeInteger(n) || n < 0) throw new SavedModelError('INVALID_ARGUMENT', `shard source reported size ${n}`, { file: this.shardFile(shardId) });
      this.shardSizes.set(shardId, n);
    }
    return n;
  }

  private shard(shardId: number): Uint8Array {
    let s = this.shards.get(shardId);
    if (s) return s;
    const file = this.shardFile(shardId);
    const src = this.readShard;
    if (typeof src !== 'function') throw new SavedModelError('INVALID_ARGUMENT', 'ranged shard source has no whole-file read', { file });
    s = this.fromSource(shardId, () => src(shardId));
    if (!ArrayBuffer.isView(s)) throw new SavedModelError('INVALID_ARGUMENT', 'readShard must return a Uint8Array', { file });
    // A Buffer from readFileSync may be a slice of a shared pool: only its own bytes count.
    s = asBytes(s, file);
    this.shards.set(shardId, s);
    return s;
  }

  /** Refuses a tensor over limits.maxTensorBytes before anything is copied. */
  private checkTensorSize(e: CheckpointEntry): void {
    if (e.size > this.limits.maxTensorBytes) {
      throw new SavedModelError('LIMIT_EXCEEDED', `tensor ${e.dtypeName} [${e.shape.join(', ')}] needs ${e.size} bytes, over the ${this.limits.maxTensorBytes}-byte limit for one tensor (limits.maxTensorBytes)`, {
        file: this.indexFile, key: e.key,
      });
    }
  }

  /** Checks that the record lies inside its data file (without reading it from a ranged source); returns the file's name. */
  private locate(e: CheckpointEntry): string {
    if (e.slices.length > 0) {
      throw new SavedModelError('UNSUPPORTED', 'partitioned (sliced) variables are not supported', { file: this.indexFile, key: e.key });
    }
    const length = this.shardLength(e.shardId);
    const file = this.shardFile(e.shardId);
    if (e.offset > length || e.size > length - e.offset) {
      throw new SavedModelError('TRUNCATED', `record [${e.offset}, ${e.offset + e.size}) extends past the end of the data file (${length} bytes)`, {
        file,
        key: e.key,
        offset: e.offset,
      });
    }
    return file;
  }

  /**
   * The stored record bytes, bounds-checked; crc not verified. A view into the data file, or for
   * a ranged source a buffer of its own (`owned`).
   */
  private record(e: CheckpointEntry): { bytes: Uint8Array; file: string; owned: boolean } {
    const file = this.locate(e);
    const src = this.readShard;
    if (typeof src === 'function') return { bytes: this.shard(e.shardId).subarray(e.offset, e.offset + e.size), file, owned: false };
    const got = this.fromSource(e.shardId, () => src.read(e.shardId, e.offset, e.size));
    if (!ArrayBuffer.isView(got)) throw new SavedModelError('INVALID_ARGUMENT', 'shard source read must return a Uint8Array', { file });
    const bytes = asBytes(got, file);
    if (bytes.length !== e.size) {
      throw new SavedModelError('TRUNCATED', `record [${e.offset}, ${e.offset + e.size}) could not be read whole (${bytes.length} bytes; the data file shrank?)`, { file, key: e.key, offset: e.offset });
    }
    return { bytes, file, owned: true };
  }

  /** record() with its checksum verified. */
  private verified(e: CheckpointEntry): { bytes: Uint8Array; owned: boolean } {
    const { bytes, file, owned } = this.record(e);
    if (e.dtype === DataType.DT_STRING) {
      this.decodeStrings(e, bytes, file);
    } else {
      const actual = crc32c(bytes);
      const expected = unmaskCrc(e.crc32c);
      if (actual !== expected) {
        throw new SavedModelError('CHECKSUM_MISMATCH', `tensor checksum mismatch (entry 0x${expected.toString(16)}, data 0x${actual.toString(16)})`, {
          file,
          key: e.key,
          offset: e.offset,
        });
      }
    }
    return { bytes, owned };
  }

  /**
   * The record bytes after verifying its checksum: raw little-endian elements
   * for numeric dtypes, the stored layout for strings. A view into the data file.
   */
  bytes(key: string | CheckpointEntry): Uint8Array {
    return this.verified(this.resolve(key)).bytes;
  }

  private decodeStrings(e: CheckpointEntry, bytes: Uint8Array, file: string): Uint8Array[] {
    const rec = guardDecode(file, 'string tensor', () => {
      try {
        return decodeStringRecord(bytes, e.numElements);
      } catch (err) {
        if (err instanceof SavedModelError) {
          throw new SavedModelError(err.code, err.message, { file, key: e.key, offset: e.offset + (err.offset ?? 0), cause: err });
        }
        throw err;
      }
    });
    const expected = unmaskCrc(e.crc32c);
    if (rec.crc !== expected) {
      throw new SavedModelError('CHECKSUM_MISMATCH', `string tensor checksum mismatch (entry 0x${expected.toString(16)}, data 0x${rec.crc.toString(16)})`, {
        file,
        key: e.key,
        offset: e.offset,
      });
    }
    return rec.elements;
  }

  /** Elements of a DT_STRING tensor (copies), checksums verified. */
  stringBytes(key: string | CheckpointEntry): Uint8Array[] {
    const e = this.resolve(key);
    if (e.dtype !== DataType.DT_STRING) throw new SavedModelError('INVALID_ARGUMENT', `tensor is ${e.dtypeName}, not DT_STRING`, { file: this.indexFile, key: e.key });
    this.locate(e); // bounds first: a record past the file is TRUNCATED
    this.checkTensorSize(e);
    const { bytes, file } = this.record(e);
    return this.decodeStrings(e, bytes, file).map((x) => x.slice());
  }

  /** Elements of a DT_STRING tensor decoded as UTF-8 (invalid UTF-8 → CORRUPT). */
  strings(key: string | CheckpointEntry): string[] {
    const e = this.resolve(key);
    return this.stringBytes(e).map((b) => {
      try {
        return utf8Strict.decode(b);
      } catch (err) {
        throw new SavedModelError('CORRUPT', 'string element is not valid UTF-8', { file: this.shardFile(e.shardId), key: e.key, cause: err });
      }
    });
  }

  /** Tensor value, checksum verified; a fresh copy the caller may keep. */
  value(key: string | CheckpointEntry): TensorValue {
    const e = this.resolve(key);
    if (e.dtype === DataType.DT_STRING) return this.stringBytes(e);
    const ctor = VIEW_TYPES.get(e.dtype);
    if (!ctor) {
      throw new SavedModelError('UNSUPPORTED', `cannot decode values of dtype ${e.dtypeName}`, { file: this.indexFile, key: e.key });
    }
    if (!LITTLE_ENDIAN_HOST) throw new SavedModelError('UNSUPPORTED', 'typed-array values need a little-endian host; use bytes()', { key: e.key });
    this.locate(e); // bounds first: a record past the file is TRUNCATED
    this.checkTensorSize(e);
    const { bytes, owned } = this.verified(e);
    // A record read on its own is already the caller's (no copy); a view into a whole data file is copied.
    if (owned && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return new ctor(bytes.buffer);
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return new ctor(copy.buffer);
  }

  /** Read and verify every tensor record. */
  verifyAll(): void {
    for (const e of this.entries) {
      if (e.slices.length === 0) this.bytes(e);
    }
  }
}

/**
 * Parse a checkpoint index. `readShard(i)` is called lazily (once per shard) when a
 * tensor of that shard is read.
 */
export function readCheckpoint(index: Uint8Array, readShard: ShardSource, options: CheckpointReaderOptions = {}): CheckpointReader {
  const prefix = options.prefix ?? DEFAULT_CHECKPOINT_PREFIX;
  const file = indexFileName(prefix);
  const limits = resolveLimits(options.limits);
  const table = readTable(asBytes(index, file), { maxKeyBytes: limits.maxKeyBytes, ...options.table, file });
  return guardDecode(file, 'checkpoint index', () => {
    const { header, entries } = decodeBundleIndex(table.entries, file);
    return new CheckpointReader(header, entries, readShard, prefix, limits);
  });
}
