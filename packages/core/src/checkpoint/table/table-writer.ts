/**
 * Writes an immutable sorted table in the format of TensorFlow's
 * `table::TableBuilder` (a LevelDB fork), with the parameters TensorFlow uses
 * for checkpoint index files, so the output is byte-identical to TF's:
 *
 *   [data block + trailer]* [metaindex block + trailer] [index block + trailer] [footer]
 *
 * - a data block is closed once its size estimate reaches `blockSize`
 *   (262144, TF's default — not LevelDB's 4 KiB), and also before an entry
 *   whose key+value is ≥ 2 × blockSize (TF's "overly large block" rule);
 * - data blocks restart every 16 entries, the index block at every entry;
 * - index keys are the shortest separator between adjacent blocks, and the
 *   short successor of the last key after the final block;
 * - the metaindex block is empty (no filters / stats);
 * - trailer = compression type byte + masked crc32c(contents ‖ type byte).
 */
import { SavedModelError } from '../../errors.js';
import { maskCrc } from '../../crc32c/mask.js';
import { crc32c, crc32cExtend } from '../crc.js';
import { BlockBuilder, DEFAULT_RESTART_INTERVAL } from './block-builder.js';
import { ByteBuffer } from './byte-buffer.js';
import { compareBytes, findShortestSeparator, findShortSuccessor } from './comparator.js';
import { BLOCK_TRAILER_LENGTH, encodeBlockHandle, encodeFooter, type BlockHandle } from './footer.js';

export const DEFAULT_BLOCK_SIZE = 262144;
export const COMPRESSION_NONE = 0;
export const COMPRESSION_SNAPPY = 1;

export interface BlockCompressor {
  /** Trailer type byte to record (1 = Snappy). */
  type: number;
  compress(raw: Uint8Array): Uint8Array;
}

export interface TableWriterOptions {
  /** Target uncompressed data-block size. Default 262144 (TensorFlow). */
  blockSize?: number;
  /** Restart interval of data blocks. Default 16. */
  blockRestartInterval?: number;
  /**
   * Optional block compression (TF checkpoints are written uncompressed; this
   * exists to produce compressed tables for tests). As in LevelDB, the
   * compressed form is kept only if it saves at least 1/8 of the block.
   */
  compressor?: BlockCompressor;
}

const TRAILER_TYPE = new Uint8Array(1);

export class TableWriter {
  private readonly blockSize: number;
  private readonly compressor: BlockCompressor | undefined;
  private readonly dataBlock: BlockBuilder;
  private readonly indexBlock = new BlockBuilder(1);
  private readonly chunks: Uint8Array[] = [];
  private offset = 0;
  private lastKey: Uint8Array | undefined;
  private pendingHandle: BlockHandle | undefined;
  private numEntries = 0;
  private closed = false;

  constructor(options: TableWriterOptions = {}) {
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    if (!Number.isInteger(this.blockSize) || this.blockSize < 1) {
      throw new SavedModelError('INVALID_ARGUMENT', `blockSize must be a positive integer, got ${this.blockSize}`);
    }
    this.dataBlock = new BlockBuilder(options.blockRestartInterval ?? DEFAULT_RESTART_INTERVAL);
    this.compressor = options.compressor;
  }

  get entryCount(): number {
    return this.numEntries;
  }

  /** Add an entry; keys must be strictly increasing (bytewise). */
  add(key: Uint8Array, value: Uint8Array): void {
    if (this.closed) throw new SavedModelError('INVALID_ARGUMENT', 'TableWriter.add after finish');
    if (this.lastKey !== undefined) {
      if (compareBytes(key, this.lastKey) <= 0) {
        throw new SavedModelError('INVALID_ARGUMENT', 'table keys must be added in strictly increasing bytewise order');
      }
      // TF: an entry this large gets a block of its own rather than swelling the current one.
      if (key.length + value.length >= 2 * this.blockSize) this.flush();
    }
    if (this.pendingHandle !== undefined) {
      this.addIndexEntry(findShortestSeparator(this.lastKey!, key), this.pendingHandle);
      this.pendingHandle = undefined;
    }
    this.lastKey = key;
    this.numEntries++;
    this.dataBlock.add(key, value);
    if (this.dataBlock.currentSizeEstimate() >= this.blockSize) this.flush();
  }

  /** Close the table and return the whole file. */
  finish(): Uint8Array {
    if (this.closed) throw new SavedModelError('INVALID_ARGUMENT', 'TableWriter.finish called twice');
    this.flush();
    this.closed = true;
    const metaindex = this.writeBlock(new BlockBuilder().finish());
    if (this.pendingHandle !== undefined) {
      this.addIndexEntry(findShortSuccessor(this.lastKey!), this.pendingHandle);
      this.pendingHandle = undefined;
    }
    const index = this.writeBlock(this.indexBlock.finish());
    this.chunks.push(encodeFooter({ metaindex, index }));
    return concatChunks(this.chunks);
  }

  private addIndexEntry(key: Uint8Array, handle: BlockHandle): void {
    const enc = new ByteBuffer(20);
    encodeBlockHandle(enc, handle);
    this.indexBlock.add(key, enc.toBytes());
  }

  private flush(): void {
    if (this.dataBlock.empty) return;
    this.pendingHandle = this.writeBlock(this.dataBlock.finish());
    this.dataBlock.reset();
  }

  /** Append block contents + trailer; `raw` may be a reused view, so it is copied. */
  private writeBlock(raw: Uint8Array): BlockHandle {
    let contents = raw;
    let type = COMPRESSION_NONE;
    if (this.compressor) {
      const compressed = this.compressor.compress(raw);
      if (compressed.length < raw.length - Math.floor(raw.length / 8)) {
        contents = compressed;
        type = this.compressor.type;
      }
    }
    const handle: BlockHandle = { offset: this.offset, size: contents.length };
    const trailer = new Uint8Array(BLOCK_TRAILER_LENGTH);
    trailer[0] = type;
    TRAILER_TYPE[0] = type;
    const crc = maskCrc(crc32cExtend(crc32c(contents), TRAILER_TYPE));
    trailer[1] = crc & 0xff;
    trailer[2] = (crc >>> 8) & 0xff;
    trailer[3] = (crc >>> 16) & 0xff;
    trailer[4] = (crc >>> 24) & 0xff;
    this.chunks.push(contents === raw ? raw.slice() : contents, trailer);
    this.offset += contents.length + BLOCK_TRAILER_LENGTH;
    return handle;
  }
}

/** Build a table from entries already in strictly increasing key order. */
export function writeTable(entries: Iterable<{ key: Uint8Array; value: Uint8Array }>, options?: TableWriterOptions): Uint8Array {
  const w = new TableWriter(options);
  for (const e of entries) w.add(e.key, e.value);
  return w.finish();
}

/** One allocation for the whole output. */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
