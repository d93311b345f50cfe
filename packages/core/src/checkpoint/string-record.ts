/**
 * DT_STRING tensor records in a data file (TF `WriteStringTensor` /
 * `ReadStringTensor`):
 *
 *   varint64 length × n | uint32 LE masked crc32c of the lengths | element bytes
 *
 * The length checksum is computed over each length as a fixed 4-byte LE
 * uint32 (8-byte uint64 when ≥ 2^32), not over the varints — kept that way by
 * TF for backward compatibility. The entry checksum continues that same crc
 * over the 4 stored checksum bytes and the element bytes, so it is not the crc
 * of the record as stored.
 */
import { SavedModelError } from '../errors.js';
import { crc32c, crc32cExtend, maskCrc } from './crc.js';
import { ByteBuffer } from './table/byte-buffer.js';
import { getFixed32, putVarint64, readVarint64, type Cursor } from './table/varint.js';

const TWO_32 = 0x1_0000_0000;

/** Fixed-width lengths as crc32c sees them. */
function fixedWidthLengths(lengths: ArrayLike<number>): Uint8Array {
  let bytes = 0;
  for (let i = 0; i < lengths.length; i++) bytes += lengths[i]! < TWO_32 ? 4 : 8;
  const out = new Uint8Array(bytes);
  let p = 0;
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i]!;
    const lo = len % TWO_32;
    out[p] = lo & 0xff;
    out[p + 1] = (lo >>> 8) & 0xff;
    out[p + 2] = (lo >>> 16) & 0xff;
    out[p + 3] = (lo >>> 24) & 0xff;
    p += 4;
    if (len >= TWO_32) {
      const hi = Math.floor(len / TWO_32);
      out[p] = hi & 0xff;
      out[p + 1] = (hi >>> 8) & 0xff;
      out[p + 2] = (hi >>> 16) & 0xff;
      out[p + 3] = (hi >>> 24) & 0xff;
      p += 4;
    }
  }
  return out;
}

export interface EncodedStringRecord {
  /** Varint lengths + masked length checksum; the elements follow it unchanged. */
  header: Uint8Array;
  /** Total record size (header + elements). */
  size: number;
  /** Unmasked crc32c for the BundleEntryProto (mask it before storing). */
  crc: number;
}

export function encodeStringRecord(elements: readonly Uint8Array[]): EncodedStringRecord {
  const lengths = elements.map((e) => e.length);
  const header = new ByteBuffer(elements.length + 8);
  for (const len of lengths) putVarint64(header, len);
  let crc = crc32c(fixedWidthLengths(lengths));
  const masked = maskCrc(crc);
  header.pushFixed32(masked);
  const headerBytes = header.toBytes();
  crc = crc32cExtend(crc, headerBytes.subarray(headerBytes.length - 4));
  let size = headerBytes.length;
  for (const e of elements) {
    crc = crc32cExtend(crc, e);
    size += e.length;
  }
  return { header: headerBytes, size, crc };
}

export interface DecodedStringRecord {
  /** Views into the record. */
  elements: Uint8Array[];
  /** Unmasked crc32c over the record as TF computes it. */
  crc: number;
}

/**
 * Parse a string record of `n` elements. The caller has checked `n + 4 <= record.length`
 * (each length takes at least one byte), so the lengths array is bounded by the record.
 */
export function decodeStringRecord(record: Uint8Array, n: number): DecodedStringRecord {
  if (n + 4 > record.length) {
    throw new SavedModelError('CORRUPT', `string record of ${record.length} bytes cannot hold ${n} elements`);
  }
  const cur: Cursor = { pos: 0 };
  const lengths = new Array<number>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const len = readVarint64(record, cur);
    lengths[i] = len;
    total += len;
  }
  if (cur.pos + 4 > record.length) throw new SavedModelError('TRUNCATED', 'string record ends inside its length checksum', { offset: cur.pos });
  const storedMasked = getFixed32(record, cur.pos);
  let crc = crc32c(fixedWidthLengths(lengths));
  if (maskCrc(crc) !== storedMasked) {
    throw new SavedModelError('CHECKSUM_MISMATCH', `string length checksum mismatch (stored 0x${storedMasked.toString(16)}, computed 0x${maskCrc(crc).toString(16)})`, { offset: cur.pos });
  }
  crc = crc32cExtend(crc, record.subarray(cur.pos, cur.pos + 4));
  let p = cur.pos + 4;
  if (total !== record.length - p) {
    throw new SavedModelError('CORRUPT', `string lengths add up to ${total} bytes but the record has ${record.length - p} after its header`, { offset: p });
  }
  const elements = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) {
    const e = record.subarray(p, p + lengths[i]!);
    elements[i] = e;
    p += e.length;
  }
  // One crc pass over the contiguous element bytes equals extending element by element.
  crc = crc32cExtend(crc, record.subarray(cur.pos + 4));
  return { elements, crc };
}
