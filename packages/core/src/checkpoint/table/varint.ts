/**
 * LevelDB / protobuf base-128 varints.
 *
 * Readers are bounded: they never look past `end`, and reject encodings that are
 * longer than the type allows, so a corrupt file cannot make them loop or
 * silently wrap. Values are plain numbers; 64-bit values must fit in 2^53
 * (every length and offset in a checkpoint does — a larger one cannot describe
 * bytes that exist).
 */
import { SavedModelError } from '../../errors.js';
import type { ByteBuffer } from './byte-buffer.js';

/** Read position shared by the decoders: `pos` advances as values are read. */
export interface Cursor {
  pos: number;
}

const TWO_32 = 0x1_0000_0000;

function truncated(what: string, at: number): SavedModelError {
  return new SavedModelError('TRUNCATED', `${what} runs past the end of its buffer`, { offset: at });
}

/** varint32 (at most 5 bytes, value < 2^32). */
export function readVarint32(buf: Uint8Array, cur: Cursor, end: number = buf.length): number {
  const start = cur.pos;
  let result = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (cur.pos >= end) throw truncated('varint32', start);
    const b = buf[cur.pos++]!;
    if (shift === 28 && b > 0x0f) {
      // A 5th byte may only carry the top 4 bits; anything else is an overlong or overflowing encoding.
      throw new SavedModelError('CORRUPT', 'varint32 overflows 32 bits', { offset: start });
    }
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
  }
  /* c8 ignore next */
  throw new SavedModelError('CORRUPT', 'varint32 is longer than 5 bytes', { offset: start });
}

/**
 * Raw varint64 as two uint32 halves (at most 10 bytes). Exposed for protobuf
 * int32/int64/enum fields, whose negative values are 10-byte two's complement.
 */
export function readVarint64Parts(buf: Uint8Array, cur: Cursor, end: number = buf.length): { lo: number; hi: number } {
  const start = cur.pos;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (cur.pos >= end) throw truncated('varint64', start);
    const b = buf[cur.pos++]!;
    if (i < 4) {
      lo |= (b & 0x7f) << (7 * i);
    } else if (i === 4) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >>> 4;
    } else {
      if (i === 9 && b > 0x01) throw new SavedModelError('CORRUPT', 'varint64 overflows 64 bits', { offset: start });
      hi |= (b & 0x7f) << (7 * i - 32);
    }
    if ((b & 0x80) === 0) return { lo: lo >>> 0, hi: hi >>> 0 };
  }
  throw new SavedModelError('CORRUPT', 'varint64 is longer than 10 bytes', { offset: start });
}

/** Unsigned varint64 that must be a safe integer (< 2^53); larger → LIMIT_EXCEEDED. */
export function readVarint64(buf: Uint8Array, cur: Cursor, end: number = buf.length): number {
  const start = cur.pos;
  // Fast path: most values (lengths, small offsets) fit in 4 bytes.
  let result = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (cur.pos >= end) throw truncated('varint64', start);
    const b = buf[cur.pos++]!;
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result >>> 0;
  }
  cur.pos = start;
  const { lo, hi } = readVarint64Parts(buf, cur, end);
  if (hi >= 0x20_0000) {
    throw new SavedModelError('LIMIT_EXCEEDED', 'varint64 value does not fit in 2^53', { offset: start });
  }
  return hi * TWO_32 + lo;
}

/**
 * Signed int64 (protobuf `int64`: two's complement in 10 bytes when negative),
 * as a number in ±2^53; outside that → LIMIT_EXCEEDED.
 */
export function readVarint64Signed(buf: Uint8Array, cur: Cursor, end: number = buf.length): number {
  const start = cur.pos;
  const { lo, hi } = readVarint64Parts(buf, cur, end);
  if (hi & 0x8000_0000) {
    // Negative: value = -(2^64 - (hi:lo)).
    const nhi = ~hi >>> 0;
    const nlo = (~lo >>> 0) + 1;
    const mag = nhi * TWO_32 + nlo;
    if (mag > Number.MAX_SAFE_INTEGER) {
      throw new SavedModelError('LIMIT_EXCEEDED', 'int64 value does not fit in 2^53', { offset: start });
    }
    return -mag;
  }
  if (hi >= 0x20_0000) throw new SavedModelError('LIMIT_EXCEEDED', 'int64 value does not fit in 2^53', { offset: start });
  return hi * TWO_32 + lo;
}

/** protobuf int32 / enum: a varint64 whose low 32 bits are the two's-complement value. */
export function readVarintInt32(buf: Uint8Array, cur: Cursor, end: number = buf.length): number {
  return readVarint64Parts(buf, cur, end).lo | 0;
}

/** Number of bytes `putVarint64` writes for a non-negative safe integer. */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

function checkUnsigned(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new SavedModelError('INVALID_ARGUMENT', `${what} must be an integer in [0, ${max}], got ${value}`);
  }
}

/** Append a varint32 (0 ≤ value < 2^32). */
export function putVarint32(out: ByteBuffer, value: number): void {
  checkUnsigned(value, 0xffff_ffff, 'varint32');
  putVarintUnchecked(out, value);
}

/** Append an unsigned varint64 (0 ≤ value ≤ 2^53 − 1). */
export function putVarint64(out: ByteBuffer, value: number): void {
  checkUnsigned(value, Number.MAX_SAFE_INTEGER, 'varint64');
  putVarintUnchecked(out, value);
}

/** Append a protobuf int32/int64 field value; negatives become 10-byte two's complement. */
export function putVarintSigned(out: ByteBuffer, value: number): void {
  if (!Number.isSafeInteger(value)) throw new SavedModelError('INVALID_ARGUMENT', `int64 must be a safe integer, got ${value}`);
  if (value >= 0) {
    putVarintUnchecked(out, value);
    return;
  }
  // Two's complement of |value| over 64 bits, emitted 7 bits at a time from (hi, lo).
  const mag = -value;
  let lo = (mag % TWO_32) >>> 0;
  let hi = Math.floor(mag / TWO_32) >>> 0;
  lo = (~lo + 1) >>> 0;
  hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  for (let i = 0; i < 9; i++) {
    out.pushByte((lo & 0x7f) | 0x80);
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi = hi >>> 7;
  }
  out.pushByte(lo & 0x01);
}

function putVarintUnchecked(out: ByteBuffer, value: number): void {
  while (value >= 0x80) {
    out.pushByte((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.pushByte(value);
}

/** uint32 little-endian at `pos` (caller guarantees 4 bytes). */
export function getFixed32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
}
