// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) and CRC-32 (IEEE / zip,
// reflected polynomial 0xEDB88320) in WebAssembly, compiled from this file with
// AssemblyScript by scripts/build-wasm.mjs (`pnpm gen`).
//
// Algorithm: table-driven slicing-by-8, run as four independent streams over
// four consecutive STREAM-byte pieces of each 4·STREAM-byte block, so that the
// four dependency chains overlap in the CPU (one slicing-by-8 chain is bound by
// its load → xor latency). The partial CRCs are merged with a "shift by STREAM
// zero bytes" operator, itself a 4 × 256 lookup table (CRC is linear over GF(2)):
//     crc(s, A ‖ B) = shift_|B|(crc(s, A)) ⊕ crc(0, B)      (register values)
// Leftovers (< 4·STREAM bytes) run single-stream slicing-by-8, then bytewise.
// Measured on x64 V8 (Node 20), 64 MiB: 1 stream ≈ 1.0–1.2 GB/s, 4 streams
// ≈ 1.5–2.5 GB/s; slicing-by-16, u64 loads, 2/3/5/6 streams were no better.
// STREAM = 256 keeps 1 KiB inputs on the fast path at no cost for large ones.
//
// Inputs of 5–9 KiB and more (crc32c-wasm.ts) go through fold32c / fold32 + finish32c / finish32
// instead (fold.ts): an XOR-only reduction by a sparse multiple of the polynomial,
// ≈ 3–4× this table loop on large inputs; its residual runs through extend.
// scripts/build-wasm.mjs builds this source twice: with wasm SIMD (the fold on v128)
// and plain MVP (the fold on i64), for engines without SIMD.
//
// No data segment: all tables are built by the start function at instantiation
// (≈ 0.15 ms), so the binary stays small. Memory map (fixed, the JS side only
// needs INPUT_PTR / INPUT_SIZE; addresses in layout.ts):
//     [ 4096,  12288)  CRC-32C slicing tables T0..T7 (8 × 256 × u32)
//     [12288,  16384)  CRC-32C shift-by-STREAM table (4 × 256 × u32)
//     [16384,  24576)  CRC-32  slicing tables
//     [24576,  28672)  CRC-32  shift table
//     [33280,  41472)  fold residual (RES; the 512 bytes below stay zero)
//     [41984,  42496)  its second reduction's residual (OUT2)
//     [57344,  65536)  fold history, the last A (≤ 8 KiB) fold values
//     [65536, 65536 + INPUT_SIZE)  input buffer the caller copies chunks into
//
// All CRC values crossing the boundary are finalized CRCs (0 for "nothing yet"),
// as in crc32cExtend(crc, data).

import { HIST_END } from './layout';
import { finish, fold, residualSpan } from './fold';

const POLY_C: u32 = 0x82f63b78;
const POLY_IEEE: u32 = 0xedb88320;

const TAB_C: usize = 4096;
const SHIFT_C: usize = 12288;
const TAB_IEEE: usize = 16384;
const SHIFT_IEEE: usize = 24576;

/** Bytes per stream in the 4-stream loop. */
const STREAM: usize = 256;
const BLOCK: usize = 4 * STREAM;

/** Where the caller puts input bytes, and how many fit (a multiple of BLOCK; 64 KiB to 1 MiB measured the same). */
export const INPUT_PTR: usize = HIST_END;
export const INPUT_SIZE: usize = 65536;

// The two polynomials share one code path, instantiated per polynomial by a
// marker type. sizeof<P>() is a compile-time constant, so every table address
// folds into the immediate offset of its load instruction (no address adds).
type Castagnoli = u8;
type Ieee = u16;

// Eight bytes at q, running register c, slicing-by-8. The first word is xored
// with c and split with shift + mask (the mask keeps the byte already scaled
// by 4 for the u32 table); the second word's bytes are loaded directly.
// @ts-ignore: decorator
@inline function step8<P>(c: u32, q: usize): u32 {
  const t: usize = sizeof<P>() == 1 ? TAB_C : TAB_IEEE;
  const a = load<u32>(q) ^ c;
  return (
    load<u32>((a << 2) & 0x3fc, t + 7 * 1024) ^
    load<u32>((a >>> 6) & 0x3fc, t + 6 * 1024) ^
    load<u32>((a >>> 14) & 0x3fc, t + 5 * 1024) ^
    load<u32>((a >>> 22) & 0x3fc, t + 4 * 1024) ^
    load<u32>(<usize>load<u8>(q, 4) << 2, t + 3 * 1024) ^
    load<u32>(<usize>load<u8>(q, 5) << 2, t + 2 * 1024) ^
    load<u32>(<usize>load<u8>(q, 6) << 2, t + 1024) ^
    load<u32>(<usize>load<u8>(q, 7) << 2, t)
  );
}

// Register after STREAM more zero bytes.
// @ts-ignore: decorator
@inline function shift<P>(c: u32): u32 {
  const s: usize = sizeof<P>() == 1 ? SHIFT_C : SHIFT_IEEE;
  return (
    load<u32>((c << 2) & 0x3fc, s) ^
    load<u32>((c >>> 6) & 0x3fc, s + 1024) ^
    load<u32>((c >>> 14) & 0x3fc, s + 2 * 1024) ^
    load<u32>((c >>> 22) & 0x3fc, s + 3 * 1024)
  );
}

// @ts-ignore: decorator
@inline function extend<P>(crc: u32, p: usize, n: usize): u32 {
  const t: usize = sizeof<P>() == 1 ? TAB_C : TAB_IEEE;
  let c = ~crc;
  const blocksEnd = p + n - n % BLOCK;
  while (p < blocksEnd) {
    let c0 = c;
    let c1: u32 = 0;
    let c2: u32 = 0;
    let c3: u32 = 0;
    const streamEnd = p + STREAM;
    while (p < streamEnd) {
      c0 = step8<P>(c0, p);
      c1 = step8<P>(c1, p + STREAM);
      c2 = step8<P>(c2, p + 2 * STREAM);
      c3 = step8<P>(c3, p + 3 * STREAM);
      p += 8;
    }
    c = shift<P>(shift<P>(shift<P>(c0) ^ c1) ^ c2) ^ c3;
    p += 3 * STREAM;
  }
  n %= BLOCK;
  const wordsEnd = p + (n & ~7);
  while (p < wordsEnd) {
    c = step8<P>(c, p);
    p += 8;
  }
  const end = p + (n & 7);
  while (p < end) {
    c = load<u32>(((c ^ <u32>load<u8>(p)) & 0xff) << 2, t) ^ (c >>> 8);
    p++;
  }
  return ~c;
}

/** CRC-32C of `len` bytes at `ptr`, continuing the finalized CRC `crc` (0 to start). */
export function extend32c(crc: u32, ptr: usize, len: usize): u32 {
  return extend<Castagnoli>(crc, ptr, len);
}

/** CRC-32 (IEEE 802.3, zip, gzip, PNG) of `len` bytes at `ptr`, continuing `crc`. */
export function extend32(crc: u32, ptr: usize, len: usize): u32 {
  return extend<Ieee>(crc, ptr, len);
}

/**
 * Folds `len` bytes at INPUT_PTR into the running CRC-32C reduction (see fold.ts); `first`
 * starts a new message continuing the finalized CRC `crc` (then `len` must be >= 4).
 */
export function fold32c(crc: u32, len: usize, first: bool): void {
  fold<Castagnoli>(crc, len, first);
}

/** The finalized CRC-32C of everything folded since the last `first`. */
export function finish32c(): u32 {
  return extend32c(0xffffffff, finish<Castagnoli>(), residualSpan<Castagnoli>()); // register 0
}

/** fold32c for CRC-32 (IEEE). */
export function fold32(crc: u32, len: usize, first: bool): void {
  fold<Ieee>(crc, len, first);
}

/** finish32c for CRC-32 (IEEE). */
export function finish32(): u32 {
  return extend32(0xffffffff, finish<Ieee>(), residualSpan<Ieee>()); // register 0
}

function build(tab: usize, sh: usize, poly: u32): void {
  // T0: plain bytewise table.
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    store<u32>(tab + (<usize>i << 2), c);
  }
  // Tk[i] = Tk-1[i] advanced by one zero byte.
  for (let i: usize = 0; i < 256; i++) {
    let c = load<u32>(tab + (i << 2));
    for (let k: usize = 1; k < 8; k++) {
      c = load<u32>(tab + ((<usize>c & 0xff) << 2)) ^ (c >>> 8);
      store<u32>(tab + (k << 10) + (i << 2), c);
    }
  }
  // Shift table: image of each single-bit register under STREAM zero bytes...
  for (let bit: u32 = 0; bit < 32; bit++) {
    let c: u32 = 1 << bit;
    for (let j: usize = 0; j < STREAM; j += 8) {
      // slicing-by-8 step over eight zero bytes
      c =
        load<u32>(tab + 7 * 1024 + ((c << 2) & 0x3fc)) ^
        load<u32>(tab + 6 * 1024 + ((c >>> 6) & 0x3fc)) ^
        load<u32>(tab + 5 * 1024 + ((c >>> 14) & 0x3fc)) ^
        load<u32>(tab + 4 * 1024 + ((c >>> 22) & 0x3fc));
    }
    store<u32>(sh + (<usize>(bit >> 3) << 10) + (<usize>(1 << (bit & 7)) << 2), c);
  }
  // ...then every byte value by linearity: S[k][b] = S[k][b without lowest bit] ^ S[k][lowest bit].
  for (let k: usize = 0; k < 4; k++) {
    const row = sh + (k << 10);
    store<u32>(row, 0);
    for (let b: usize = 3; b < 256; b++) {
      const rest = b & (b - 1);
      if (rest != 0) store<u32>(row + (b << 2), load<u32>(row + (rest << 2)) ^ load<u32>(row + ((b ^ rest) << 2)));
    }
  }
}

// Start function (runs once, at instantiation).
{
  const pages = <i32>((INPUT_PTR + INPUT_SIZE + 0xffff) >>> 16);
  if (memory.size() < pages) memory.grow(pages - memory.size());
  build(TAB_C, SHIFT_C, POLY_C);
  build(TAB_IEEE, SHIFT_IEEE, POLY_IEEE);
}
