/**
 * Reading the records of a Riegeli/records file (the container of TensorFlow's chunked
 * `saved_model.cpb`), after riegeli's doc/riegeli_records_file_format.md:
 *
 * - the file is a sequence of chunks; every 64 KiB a 24-byte block header interrupts it;
 * - a chunk is a 40-byte header (hash, data_size, data_hash, type byte + 7-byte num_records,
 *   decoded_data_size; little endian) then `data_size` bytes of data, then padding so that the
 *   chunk spans at least `num_records` bytes;
 * - a record's numeric position is its chunk's begin + its index within the chunk (what the
 *   proto splitter stores as ChunkInfo.offset);
 * - simple chunks ('r') hold a compression byte, the varint size of the compressed sizes
 *   buffer, the sizes (one varint per record) and the concatenated values.
 *
 * Hashes (HighwayHash) are not checked: every size is bounds-checked instead, so a damaged
 * file gives CORRUPT or LIMIT_EXCEEDED, never a wrong-sized allocation.
 */
import { snappyDecompress } from '../../checkpoint/table/snappy.js';
import { SavedModelError } from '../../errors.js';
import { decompressRiegeliBlock, type RiegeliCompression } from './decompress.js';

const BLOCK_SIZE = 1 << 16;
const BLOCK_HEADER_SIZE = 24;
const USABLE_BLOCK_SIZE = BLOCK_SIZE - BLOCK_HEADER_SIZE;
const CHUNK_HEADER_SIZE = 40;
const SIGNATURE = Uint8Array.of(
  0x83, 0xaf, 0x70, 0xd1, 0x0d, 0x88, 0x4a, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0,
  0x40, 0, 0, 0, 0, 0, 0, 0, 0x91, 0xba, 0xc2, 0x3c, 0x92, 0x87, 0xe1, 0xa9,
  0, 0, 0, 0, 0, 0, 0, 0, 0xe1, 0x9f, 0x13, 0xc0, 0xe9, 0xb1, 0xc3, 0x72,
  0x73, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
);

export interface RiegeliRecordsOptions {
  /** Name for messages. */
  file: string;
  /** Largest record / decompressed buffer accepted, in bytes. */
  maxBytes: number;
}

/** Records by numeric position, in file order. */
export type RiegeliRecords = Map<number, Uint8Array>;

function corrupt(file: string, msg: string, offset?: number): SavedModelError {
  return new SavedModelError('CORRUPT', `not a valid riegeli records file: ${msg}`, offset === undefined ? { file } : { file, offset });
}

/** `n` logical bytes starting at physical `pos`, skipping block headers; returns the bytes and the physical end. */
function readLogical(bytes: Uint8Array, pos: number, n: number, file: string): [Uint8Array, number] {
  const out = new Uint8Array(n);
  let o = 0;
  while (o < n) {
    if (pos % BLOCK_SIZE === 0) pos += BLOCK_HEADER_SIZE;
    const take = Math.min(n - o, BLOCK_SIZE - (pos % BLOCK_SIZE));
    if (pos + take > bytes.length) throw corrupt(file, `chunk runs past the end of the file (${bytes.length} bytes)`, pos);
    out.set(bytes.subarray(pos, pos + take), o);
    o += take;
    pos += take;
  }
  return [out, pos];
}

function u64(b: Uint8Array, at: number, file: string, what: string): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(file, `${what} ${v} is out of range`);
  return Number(v);
}

function readVarint(b: Uint8Array, cur: { pos: number }, file: string): number {
  let v = 0;
  for (let shift = 0; shift < 53; shift += 7) {
    if (cur.pos >= b.length) throw corrupt(file, 'truncated varint');
    const x = b[cur.pos++]!;
    v += (x & 0x7f) * 2 ** shift;
    if (x < 0x80) return v;
  }
  throw corrupt(file, 'varint too long');
}

function chunkEnd(begin: number, dataSize: number, numRecords: number): number {
  const overheadBlocks = (pos: number, size: number) => Math.floor((size + ((pos + USABLE_BLOCK_SIZE - 1) % BLOCK_SIZE)) / USABLE_BLOCK_SIZE);
  const addWithOverhead = (pos: number, size: number) => pos + size + overheadBlocks(pos, size) * BLOCK_HEADER_SIZE;
  const remainingInBlock = (pos: number) => BLOCK_SIZE - 1 - ((pos + BLOCK_SIZE - 1) % BLOCK_SIZE);
  const roundUp = (pos: number) => pos + Math.max(0, remainingInBlock(pos) - (USABLE_BLOCK_SIZE - 1));
  return Math.max(addWithOverhead(begin, CHUNK_HEADER_SIZE + dataSize), roundUp(begin + numRecords));
}

async function decompress(kind: number, block: Uint8Array, opts: RiegeliRecordsOptions): Promise<Uint8Array> {
  if (kind === 0) return block;
  const cur = { pos: 0 };
  const size = readVarint(block, cur, opts.file);
  if (size > opts.maxBytes) {
    throw new SavedModelError('LIMIT_EXCEEDED', `a compressed riegeli block declares ${size} bytes, over the limit of ${opts.maxBytes}`, { file: opts.file });
  }
  const body = block.subarray(cur.pos);
  let out: Uint8Array;
  if (kind === 0x73) {
    // riegeli's snappy blocks are raw snappy after riegeli's own size prefix
    out = snappyDecompress(body, { maxOutputLength: size });
  } else {
    const names: Record<number, RiegeliCompression> = { 0x62: 'brotli', 0x7a: 'zstd' };
    const format = names[kind];
    if (!format) throw corrupt(opts.file, `unknown compression type 0x${kind.toString(16)}`);
    out = await decompressRiegeliBlock(format, body, size, opts.file);
  }
  if (out.length !== size) throw corrupt(opts.file, `a compressed block inflated to ${out.length} bytes, ${size} declared`);
  return out;
}

async function simpleChunkRecords(data: Uint8Array, numRecords: number, decodedSize: number, opts: RiegeliRecordsOptions): Promise<Uint8Array[]> {
  if (data.length === 0) throw corrupt(opts.file, 'empty simple chunk');
  const kind = data[0]!;
  const cur = { pos: 1 };
  const sizesLen = readVarint(data, cur, opts.file);
  if (cur.pos + sizesLen > data.length) throw corrupt(opts.file, 'record sizes run past the chunk');
  const sizes = await decompress(kind, data.subarray(cur.pos, cur.pos + sizesLen), opts);
  const values = await decompress(kind, data.subarray(cur.pos + sizesLen), opts);
  if (values.length !== decodedSize) throw corrupt(opts.file, `chunk values are ${values.length} bytes, header says ${decodedSize}`);
  const records: Uint8Array[] = [];
  const sc = { pos: 0 };
  let at = 0;
  for (let i = 0; i < numRecords; i++) {
    const n = readVarint(sizes, sc, opts.file);
    if (at + n > values.length) throw corrupt(opts.file, `record ${i} runs past the chunk's values`);
    records.push(values.subarray(at, at + n));
    at += n;
  }
  if (at !== values.length || sc.pos !== sizes.length) throw corrupt(opts.file, 'record sizes do not add up to the chunk');
  return records;
}

/** Every record of the file, keyed by numeric position. */
export async function readRiegeliRecords(bytes: Uint8Array, opts: RiegeliRecordsOptions): Promise<RiegeliRecords> {
  if (bytes.length < SIGNATURE.length || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw corrupt(opts.file, 'missing the riegeli file signature');
  }
  const records: RiegeliRecords = new Map();
  let pos = SIGNATURE.length;
  while (pos < bytes.length) {
    const [header, dataStart] = readLogical(bytes, pos, CHUNK_HEADER_SIZE, opts.file);
    const dataSize = u64(header, 8, opts.file, 'data_size');
    const type = header[24]!;
    const numRecords = u64(Uint8Array.of(...header.subarray(25, 32), 0), 0, opts.file, 'num_records');
    const decodedSize = u64(header, 32, opts.file, 'decoded_data_size');
    if (dataSize > bytes.length || decodedSize > opts.maxBytes) {
      throw new SavedModelError(dataSize > bytes.length ? 'CORRUPT' : 'LIMIT_EXCEEDED', `riegeli chunk at ${pos} declares ${dataSize} data bytes / ${decodedSize} decoded bytes (file has ${bytes.length})`, { file: opts.file, offset: pos });
    }
    const [data] = readLogical(bytes, dataStart, dataSize, opts.file);
    if (type === 0x72) {
      const recs = await simpleChunkRecords(data, numRecords, decodedSize, opts);
      recs.forEach((r, i) => records.set(pos + i, r));
    } else if (type === 0x74) {
      throw new SavedModelError('UNSUPPORTED', 'transposed riegeli chunks are not supported (TensorFlow writes simple chunks)', { file: opts.file, offset: pos });
    } else if (type !== 0x73 && type !== 0x6d && type !== 0x70) {
      throw corrupt(opts.file, `unknown chunk type 0x${type.toString(16)}`, pos);
    }
    const end = chunkEnd(pos, dataSize, numRecords);
    if (end <= pos) throw corrupt(opts.file, 'chunk does not advance', pos);
    pos = end;
  }
  return records;
}
