/**
 * Raw Snappy block decompression (the format LevelDB / TensorFlow tables use
 * for compression type 1: no framing, no checksums of its own).
 *
 *   preamble : varint32 uncompressed length
 *   elements : tag byte, low 2 bits = kind
 *     00 literal       length-1 in tag>>2 (<60) or in the next 1..4 bytes (60..63)
 *     01 copy, 1-byte  length 4..11 = ((tag>>2)&7)+4, offset = (tag>>5)<<8 | next byte
 *     10 copy, 2-byte  length 1..64 = (tag>>2)+1, offset = uint16 LE
 *     11 copy, 4-byte  length 1..64, offset = uint32 LE
 *
 * Bounded: the declared length is checked against the most that the input
 * could expand to before anything is allocated, so a tiny corrupt block cannot
 * request gigabytes. Every element is bounds-checked against both buffers.
 */
import { SavedModelError } from '../../errors.js';
import { readVarint32, type Cursor } from './varint.js';

export interface SnappyOptions {
  /** Refuse to produce more than this many bytes (LIMIT_EXCEEDED). Default: no limit beyond the input-derived one. */
  maxOutputLength?: number;
}

/**
 * Largest output `bodyLength` compressed bytes can produce: the densest element
 * is a 3-byte copy of 64 bytes (a 5-byte copy, 2-byte copy and literals expand less).
 */
export function snappyMaxExpansion(bodyLength: number): number {
  return Math.floor((bodyLength * 64) / 3);
}

/** The uncompressed length declared in the preamble. */
export function snappyUncompressedLength(input: Uint8Array): number {
  return readVarint32(input, { pos: 0 });
}

function corrupt(msg: string, offset: number): SavedModelError {
  return new SavedModelError('CORRUPT', `bad snappy data: ${msg}`, { offset });
}

export function snappyDecompress(input: Uint8Array, options: SnappyOptions = {}): Uint8Array {
  const cur: Cursor = { pos: 0 };
  const n = readVarint32(input, cur);
  let ip = cur.pos;
  const end = input.length;
  const bound = snappyMaxExpansion(end - ip);
  if (n > bound) {
    throw new SavedModelError('LIMIT_EXCEEDED', `snappy block declares ${n} bytes but ${end - ip} compressed bytes can produce at most ${bound}`, { offset: 0 });
  }
  if (options.maxOutputLength !== undefined && n > options.maxOutputLength) {
    throw new SavedModelError('LIMIT_EXCEEDED', `snappy block declares ${n} bytes, over the limit of ${options.maxOutputLength}`, { offset: 0 });
  }
  const out = new Uint8Array(n);
  let op = 0;
  while (ip < end) {
    const tagPos = ip;
    const tag = input[ip++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len < 60) {
        len += 1;
      } else {
        const extra = len - 59; // 1..4 little-endian length bytes
        if (extra > end - ip) throw new SavedModelError('TRUNCATED', 'snappy literal length runs past the input', { offset: tagPos });
        len = 0;
        for (let i = 0; i < extra; i++) len += input[ip + i]! * 2 ** (8 * i);
        len += 1;
        ip += extra;
      }
      if (len > end - ip) throw new SavedModelError('TRUNCATED', `snappy literal of ${len} bytes runs past the input`, { offset: tagPos });
      if (len > n - op) throw corrupt(`literal of ${len} bytes overflows the declared length ${n}`, tagPos);
      if (len < 16) {
        for (let i = 0; i < len; i++) out[op + i] = input[ip + i]!;
      } else {
        out.set(input.subarray(ip, ip + len), op);
      }
      ip += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (ip >= end) throw new SavedModelError('TRUNCATED', 'snappy copy runs past the input', { offset: tagPos });
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[ip++]!;
    } else if (kind === 2) {
      if (2 > end - ip) throw new SavedModelError('TRUNCATED', 'snappy copy runs past the input', { offset: tagPos });
      len = (tag >>> 2) + 1;
      offset = input[ip]! | (input[ip + 1]! << 8);
      ip += 2;
    } else {
      if (4 > end - ip) throw new SavedModelError('TRUNCATED', 'snappy copy runs past the input', { offset: tagPos });
      len = (tag >>> 2) + 1;
      offset = (input[ip]! | (input[ip + 1]! << 8) | (input[ip + 2]! << 16) | (input[ip + 3]! << 24)) >>> 0;
      ip += 4;
    }
    // Offset 0 would copy not-yet-written bytes; offsets before the output start reference nothing.
    if (offset === 0 || offset > op) throw corrupt(`copy offset ${offset} at output position ${op} points outside the output`, tagPos);
    if (len > n - op) throw corrupt(`copy of ${len} bytes overflows the declared length ${n}`, tagPos);
    let src = op - offset;
    if (offset >= len && len >= 16) {
      out.copyWithin(op, src, src + len);
      op += len;
    } else {
      // Overlapping copies repeat the pattern, byte by byte as the format defines.
      const stop = op + len;
      while (op < stop) out[op++] = out[src++]!;
    }
  }
  if (op !== n) throw corrupt(`produced ${op} bytes, the preamble declared ${n}`, end);
  return out;
}
