// FarmHash Fingerprint64 (farmhashna::Hash64, what TensorFlow's tensorflow::Fingerprint64 is) in
// WebAssembly, compiled from this file with AssemblyScript by scripts/build-wasm.mjs (`pnpm gen`).
// The same algorithm as packages/core/src/hash/farmhash.ts, on native u64 words.
//
// No imports, no data segment, fixed memory (addresses in layout.ts):
//     [LAST_PTR, LAST_PTR + 64)               the input's last 64 bytes, for finish()
//     [INPUT_PTR, INPUT_PTR + INPUT_SIZE)     input buffer the caller copies bytes into
//
// Two ways in:
//   hash64(n)        the whole input (n <= INPUT_SIZE bytes) is at INPUT_PTR; any length.
//   update(n, first) + finish(tail)
//                    inputs over 64 bytes of any length: the >64-byte loop's state lives in
//                    globals between calls. The caller feeds the loop's blocks (the first
//                    end = floor((len - 1) / 64) * 64 bytes) in chunks of whole 64-byte blocks
//                    at INPUT_PTR (`first` on the first chunk), then puts the input's last 64
//                    bytes at LAST_PTR and calls finish((len - 1) & 63). The last 64 bytes may
//                    overlap bytes the loop already consumed, exactly as in farmhash.
// Results are returned as i64 (a BigInt on the JS side; take it mod 2^64).

import { LAST, INPUT } from './layout';

const K0: u64 = 0xc3a5c85c97cb3127;
const K1: u64 = 0xb492b66fbe98f273;
const K2: u64 = 0x9ae16a3b2f90404f;

/** Where the caller puts input bytes, and how many fit (a multiple of 64). */
export const INPUT_PTR: usize = INPUT;
export const INPUT_SIZE: usize = 65536;
/** Where finish() reads the input's last 64 bytes. */
export const LAST_PTR: usize = LAST;

// State of the >64-byte loop between update() calls.
let gx: u64 = 0;
let gy: u64 = 0;
let gz: u64 = 0;
let gv1: u64 = 0;
let gv2: u64 = 0;
let gw1: u64 = 0;
let gw2: u64 = 0;

// @ts-ignore: decorator
@inline function shiftMix(v: u64): u64 {
  return v ^ (v >> 47);
}

// WeakHashLen32WithSeeds's pair of results (wasm functions return one value; inlined, these are
// the locals of the caller in effect).
let wa: u64 = 0;
let wb: u64 = 0;

/** WeakHashLen32WithSeeds(w, x, y, z, a, b) of FarmHash: results in wa, wb. */
// @ts-ignore: decorator
@inline function weakHashLen32WithSeeds(w: u64, x: u64, y: u64, z: u64, a: u64, b: u64): void {
  a += w;
  b = rotr<u64>(b + a + z, 21);
  const c = a;
  a += x + y;
  b += rotr<u64>(a, 44);
  wa = a + z;
  wb = b + c;
}

function hashLen16(u: u64, v: u64, mul: u64): u64 {
  let a = (u ^ v) * mul;
  a ^= a >> 47;
  let b = (v ^ a) * mul;
  b ^= b >> 47;
  return b * mul;
}

function len0to16(s: usize, len: usize): u64 {
  const mul = K2 + (<u64>len << 1);
  if (len >= 8) {
    const a = load<u64>(s) + K2;
    const b = load<u64>(s + len - 8);
    const c = rotr<u64>(b, 37) * mul + a;
    const d = (rotr<u64>(a, 25) + b) * mul;
    return hashLen16(c, d, mul);
  }
  if (len >= 4) {
    const a = <u64>load<u32>(s);
    return hashLen16(<u64>len + (a << 3), <u64>load<u32>(s + len - 4), mul);
  }
  if (len > 0) {
    const y = <u64>load<u8>(s) + (<u64>load<u8>(s + (len >> 1)) << 8);
    const z = <u64>len + (<u64>load<u8>(s + len - 1) << 2);
    return shiftMix(y * K2 ^ z * K0) * K2;
  }
  return K2;
}

function len17to32(s: usize, len: usize): u64 {
  const mul = K2 + (<u64>len << 1);
  const a = load<u64>(s) * K1;
  const b = load<u64>(s, 8);
  const c = load<u64>(s + len - 8) * mul;
  const d = load<u64>(s + len - 16) * K2;
  return hashLen16(rotr<u64>(a + b, 43) + rotr<u64>(c, 30) + d, a + rotr<u64>(b + K2, 18) + c, mul);
}

function len33to64(s: usize, len: usize): u64 {
  const mul = K2 + (<u64>len << 1);
  const a = load<u64>(s) * K2;
  const b = load<u64>(s, 8);
  const c = load<u64>(s + len - 8) * mul;
  const d = load<u64>(s + len - 16) * K2;
  const y = rotr<u64>(a + b, 43) + rotr<u64>(c, 30) + d;
  const z = hashLen16(y, a + rotr<u64>(b + K2, 18) + c, mul);
  const e = load<u64>(s, 16) * mul;
  const f = load<u64>(s, 24);
  const g = (y + load<u64>(s + len - 32)) * mul;
  const h = (z + load<u64>(s + len - 24)) * mul;
  return hashLen16(rotr<u64>(e + f, 43) + rotr<u64>(g, 30) + h, e + rotr<u64>(f + a, 18) + g, mul);
}

/** Starts the >64-byte loop: its initial state, x mixed with the input's first 8 bytes at s. */
function init(s: usize): void {
  const y: u64 = 81 * K1 + 113;
  gx = 81 * K2 + load<u64>(s);
  gy = y;
  gz = shiftMix(y * K2 + 113) * K2;
  gv1 = 0;
  gv2 = 0;
  gw1 = 0;
  gw2 = 0;
}

/** The loop over the 64-byte blocks in [s, end), state in globals. */
function blocks(s: usize, end: usize): void {
  let x = gx, y = gy, z = gz, v1 = gv1, v2 = gv2, w1 = gw1, w2 = gw2;
  while (s < end) {
    const s0 = load<u64>(s), s1 = load<u64>(s, 8), s2 = load<u64>(s, 16), s3 = load<u64>(s, 24);
    const s4 = load<u64>(s, 32), s5 = load<u64>(s, 40), s6 = load<u64>(s, 48), s7 = load<u64>(s, 56);
    x = rotr<u64>(x + y + v1 + s1, 37) * K1;
    y = rotr<u64>(y + v2 + s6, 42) * K1;
    x ^= w2;
    y += v1 + s5;
    z = rotr<u64>(z + w1, 33) * K1;
    weakHashLen32WithSeeds(s0, s1, s2, s3, v2 * K1, x + w1);
    v1 = wa;
    v2 = wb;
    weakHashLen32WithSeeds(s4, s5, s6, s7, z + w2, y + s2);
    w1 = wa;
    w2 = wb;
    // swap(z, x)
    const t = z;
    z = x;
    x = t;
    s += 64;
  }
  gx = x; gy = y; gz = z; gv1 = v1; gv2 = v2; gw1 = w1; gw2 = w2;
}

/** The last 64 bytes at s (tail = (len - 1) & 63) and the final mix, from the state in globals. */
function last(s: usize, tail: u64): u64 {
  let x = gx, y = gy, z = gz, v1 = gv1, v2 = gv2, w1 = gw1, w2 = gw2;
  const mul = K1 + ((z & 0xff) << 1);
  w1 += tail;
  v1 += w1;
  w1 += v1;
  const s0 = load<u64>(s), s1 = load<u64>(s, 8), s2 = load<u64>(s, 16), s3 = load<u64>(s, 24);
  const s4 = load<u64>(s, 32), s5 = load<u64>(s, 40), s6 = load<u64>(s, 48), s7 = load<u64>(s, 56);
  x = rotr<u64>(x + y + v1 + s1, 37) * mul;
  y = rotr<u64>(y + v2 + s6, 42) * mul;
  x ^= w2 * 9;
  y += v1 * 9 + s5;
  z = rotr<u64>(z + w1, 33) * mul;
  weakHashLen32WithSeeds(s0, s1, s2, s3, v2 * mul, x + w1);
  v1 = wa;
  v2 = wb;
  weakHashLen32WithSeeds(s4, s5, s6, s7, z + w2, y + s2);
  w1 = wa;
  w2 = wb;
  // after swap(z, x): z is the old x, x the old z
  return hashLen16(hashLen16(v1, w1, mul) + shiftMix(y) * K0 + x, hashLen16(v2, w2, mul) + z, mul);
}

/** Fingerprint64 of the n bytes at INPUT_PTR (n <= INPUT_SIZE). */
export function hash64(n: usize): u64 {
  const s = INPUT_PTR;
  if (n <= 16) return len0to16(s, n);
  if (n <= 32) return len17to32(s, n);
  if (n <= 64) return len33to64(s, n);
  init(s);
  blocks(s, s + (((n - 1) >> 6) << 6));
  return last(s + n - 64, <u64>((n - 1) & 63));
}

/** Runs the >64-byte loop over the n bytes at INPUT_PTR (n a multiple of 64); `first` starts it. */
export function update(n: usize, first: bool): void {
  if (first) init(INPUT_PTR);
  blocks(INPUT_PTR, INPUT_PTR + n);
}

/** Ends the loop: the input's last 64 bytes are at LAST_PTR, tail = (len - 1) & 63. */
export function finish(tail: u32): u64 {
  return last(LAST_PTR, <u64>(tail & 63));
}

// Start function (runs once, at instantiation): room for the input buffer.
{
  const pages = <i32>((INPUT_PTR + INPUT_SIZE + 0xffff) >>> 16);
  if (memory.size() < pages) memory.grow(pages - memory.size());
}
