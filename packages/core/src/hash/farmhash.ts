// FarmHash Fingerprint64 (farmhashna::Hash64), the hash TensorFlow's tensorflow::Fingerprint64
// uses (fingerprint.pb, docs/savedmodel-format.md §5.12), plus TF's FingerprintCat64.
//
// Written from the algorithm's description. 64-bit words are kept as (hi, lo) pairs of int32
// numbers (the bits of the uint64 halves) so nothing allocates: each helper returns the low word
// and leaves the high word in the module-level `H` (read it right after the call). The >64-byte
// loop is written out by hand (see hashLong). Inputs are read little-endian.
//
// This JavaScript version is the fallback: fingerprint64 hashes inputs of WASM_MIN bytes and more
// in WebAssembly (farmhash-wasm.ts, native 64-bit words) where that is available, with identical
// results.

import { WasmDispatch, type Implementation } from '../wasm-dispatch.js';
import { farmhashWasmAvailable, farmhashWasmLoadError, fingerprint64Wasm } from './farmhash-wasm.js';

let H = 0; // high word of the last 64-bit result

// farmhash's constants k0, k1, k2 as (hi, lo).
const K0H = 0xc3a5c85c | 0, K0L = 0x97cb3127 | 0;
const K1H = 0xb492b66f | 0, K1L = 0xbe98f273 | 0;
const K2H = 0x9ae16a3b | 0, K2L = 0x2f90404f | 0;

/** a * b mod 2^64. */
function mul(ah: number, al: number, bh: number, bl: number): number {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const p01 = a0 * b1, p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  H = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(ah, bl) + Math.imul(al, bh)) | 0;
  return Math.imul(al, bl);
}

/** a + b mod 2^64 (carry: bit 31 of (a & b) | ((a | b) & ~sum)). */
function add(ah: number, al: number, bh: number, bl: number): number {
  const lo = (al + bl) | 0;
  H = (ah + bh + (((al & bl) | ((al | bl) & ~lo)) >>> 31)) | 0;
  return lo;
}

/** Rotate right by 0 < s < 64. */
function rot(h: number, l: number, s: number): number {
  if (s >= 32) { const t = h; h = l; l = t; s -= 32; }
  if (s === 0) { H = h | 0; return l | 0; }
  H = (h >>> s) | (l << (32 - s));
  return (l >>> s) | (h << (32 - s));
}

function f32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** HashLen16(u, v, mul): a = (u^v)*mul; a ^= a>>47; b = (v^a)*mul; b ^= b>>47; b *= mul. */
function hashLen16(uh: number, ul: number, vh: number, vl: number, mh: number, ml: number): number {
  let al = mul(uh ^ vh, ul ^ vl, mh, ml);
  const ah = H;
  al ^= ah >>> 15;
  let bl = mul(vh ^ ah, vl ^ al, mh, ml);
  const bh = H;
  bl ^= bh >>> 15;
  return mul(bh, bl, mh, ml);
}

function len0to16(b: Uint8Array, len: number): number {
  if (len >= 8) {
    const ml = add(K2H, K2L, 0, len * 2), mh = H;
    const al = add(f32(b, 4), f32(b, 0), K2H, K2L), ah = H;
    const bl = f32(b, len - 8), bh = f32(b, len - 4);
    let cl = rot(bh, bl, 37), ch = H;
    cl = mul(ch, cl, mh, ml); ch = H;
    cl = add(ch, cl, ah, al); ch = H;
    let dl = rot(ah, al, 25), dh = H;
    dl = add(dh, dl, bh, bl); dh = H;
    dl = mul(dh, dl, mh, ml); dh = H;
    return hashLen16(ch, cl, dh, dl, mh, ml);
  }
  if (len >= 4) {
    const ml = add(K2H, K2L, 0, len * 2), mh = H;
    const a = f32(b, 0); // len + (a << 3)
    const ul = add(a >>> 29, a << 3, 0, len), uh = H;
    return hashLen16(uh, ul, 0, f32(b, len - 4), mh, ml);
  }
  if (len > 0) {
    const y = b[0]! + (b[len >> 1]! << 8);
    const z = len + (b[len - 1]! << 2);
    const yl = mul(0, y, K2H, K2L), yh = H;
    const zl = mul(0, z, K0H, K0L), zh = H;
    const xh = yh ^ zh;
    return mul(xh, yl ^ zl ^ (xh >>> 15), K2H, K2L);
  }
  H = K2H;
  return K2L;
}

function len17to32(b: Uint8Array, len: number): number {
  const ml = add(K2H, K2L, 0, len * 2), mh = H;
  const al = mul(f32(b, 4), f32(b, 0), K1H, K1L), ah = H;
  const bl = f32(b, 8), bh = f32(b, 12);
  const cl = mul(f32(b, len - 4), f32(b, len - 8), mh, ml), ch = H;
  const dl = mul(f32(b, len - 12), f32(b, len - 16), K2H, K2L), dh = H;
  // u = Rotate(a + b, 43) + Rotate(c, 30) + d
  let ul = add(ah, al, bh, bl), uh = H;
  ul = rot(uh, ul, 43); uh = H;
  const rl = rot(ch, cl, 30), rh = H;
  ul = add(uh, ul, rh, rl); uh = H;
  ul = add(uh, ul, dh, dl); uh = H;
  // v = a + Rotate(b + k2, 18) + c
  let vl = add(bh, bl, K2H, K2L), vh = H;
  vl = rot(vh, vl, 18); vh = H;
  vl = add(vh, vl, ah, al); vh = H;
  vl = add(vh, vl, ch, cl); vh = H;
  return hashLen16(uh, ul, vh, vl, mh, ml);
}

function len33to64(b: Uint8Array, len: number): number {
  const ml = add(K2H, K2L, 0, len * 2), mh = H;
  const al = mul(f32(b, 4), f32(b, 0), K2H, K2L), ah = H;
  const bl = f32(b, 8), bh = f32(b, 12);
  const cl = mul(f32(b, len - 4), f32(b, len - 8), mh, ml), ch = H;
  const dl = mul(f32(b, len - 12), f32(b, len - 16), K2H, K2L), dh = H;
  // y = Rotate(a + b, 43) + Rotate(c, 30) + d
  let yl = add(ah, al, bh, bl), yh = H;
  yl = rot(yh, yl, 43); yh = H;
  let tl = rot(ch, cl, 30), th = H;
  yl = add(yh, yl, th, tl); yh = H;
  yl = add(yh, yl, dh, dl); yh = H;
  // z = HashLen16(y, a + Rotate(b + k2, 18) + c, mul)
  tl = add(bh, bl, K2H, K2L); th = H;
  tl = rot(th, tl, 18); th = H;
  tl = add(th, tl, ah, al); th = H;
  tl = add(th, tl, ch, cl); th = H;
  const zl = hashLen16(yh, yl, th, tl, mh, ml), zh = H;
  const el = mul(f32(b, 20), f32(b, 16), mh, ml), eh = H;
  const fl = f32(b, 24), fh = f32(b, 28);
  let gl = add(yh, yl, f32(b, len - 28), f32(b, len - 32)), gh = H;
  gl = mul(gh, gl, mh, ml); gh = H;
  let hl = add(zh, zl, f32(b, len - 20), f32(b, len - 24)), hh = H;
  hl = mul(hh, hl, mh, ml); hh = H;
  // HashLen16(Rotate(e + f, 43) + Rotate(g, 30) + h, e + Rotate(f + a, 18) + g, mul)
  let ul = add(eh, el, fh, fl), uh = H;
  ul = rot(uh, ul, 43); uh = H;
  tl = rot(gh, gl, 30); th = H;
  ul = add(uh, ul, th, tl); uh = H;
  ul = add(uh, ul, hh, hl); uh = H;
  let vl = add(fh, fl, ah, al), vh = H;
  vl = rot(vh, vl, 18); vh = H;
  vl = add(vh, vl, eh, el); vh = H;
  vl = add(vh, vl, gh, gl); vh = H;
  return hashLen16(uh, ul, vh, vl, mh, ml);
}

// Initial state of the >64-byte loop: x = 81 * k2, y = 81 * k1 + 113, z = ShiftMix(y * k2 + 113) * k2.
const X0L = mul(0, 81, K2H, K2L), X0H = H;
const Y0L = (() => { const l = mul(0, 81, K1H, K1L); return add(H, l, 0, 113); })(), Y0H = H;
const Z0L = (() => {
  let l = mul(Y0H, Y0L, K2H, K2L), h = H;
  l = add(h, l, 0, 113); h = H;
  return mul(h, l ^ (h >>> 15), K2H, K2L);
})(), Z0H = H;

// Inputs over 64 bytes: the hot loop, written out by hand (no helper calls, so nothing is boxed
// and V8's inlining budget does not matter). Words are int32 (`| 0`) only: the carry out of the
// low-word add n = (a + b) | 0 is bit 31 of (a & b) | ((a | b) & ~n), branch-free and never a
// uint32 (which V8 would first speculate to be a small integer and then deoptimize).
// The last 64 bytes go through the same body with `last` set (mul and the *9 steps differ).
function hashLong(b: Uint8Array, len: number): number {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const s0 = dv.getInt32(0, true);
  let t = (X0L + s0) | 0;
  let xh = (X0H + dv.getInt32(4, true) + (((X0L & s0) | ((X0L | s0) & ~t)) >>> 31)) | 0, xl = t;
  let yl = Y0L, yh = Y0H, zl = Z0L, zh = Z0H;
  let v1l = 0, v1h = 0, v2l = 0, v2h = 0, w1l = 0, w1h = 0, w2l = 0, w2h = 0;
  // mul = k1 in the loop, k1 + ((z & 0xff) << 1) for the last 64 bytes; m0/m1 = its 16-bit halves.
  let ml = K1L, mh = K1H, m0 = ml & 0xffff, m1 = ml >>> 16;
  const end = Math.floor((len - 1) / 64) * 64;
  const last64 = end + ((len - 1) & 63) - 63;
  let p = 0, last = false;
  let al = 0, ah = 0, bl = 0, bh = 0, cl = 0, ch = 0, dl = 0, dh = 0, el = 0, eh = 0, fl = 0, fh = 0;
  let a0 = 0, a1 = 0, p01 = 0, p10 = 0, mid = 0;
  for (;;) {
    const s0l = dv.getInt32(p, true), s0h = dv.getInt32(p + 4, true);
    const s1l = dv.getInt32(p + 8, true), s1h = dv.getInt32(p + 12, true);
    const s2l = dv.getInt32(p + 16, true), s2h = dv.getInt32(p + 20, true);
    const s3l = dv.getInt32(p + 24, true), s3h = dv.getInt32(p + 28, true);
    const s4l = dv.getInt32(p + 32, true), s4h = dv.getInt32(p + 36, true);
    const s5l = dv.getInt32(p + 40, true), s5h = dv.getInt32(p + 44, true);
    const s6l = dv.getInt32(p + 48, true), s6h = dv.getInt32(p + 52, true);
    const s7l = dv.getInt32(p + 56, true), s7h = dv.getInt32(p + 60, true);

    // x = Rotate(x + y + v.first + Fetch64(s + 8), 37) * mul
    al = (xl + yl) | 0; ah = (xh + yh + (((xl & yl) | ((xl | yl) & ~al)) >>> 31)) | 0;
    t = (al + v1l) | 0; ah = (ah + v1h + (((al & v1l) | ((al | v1l) & ~t)) >>> 31)) | 0; al = t;
    t = (al + s1l) | 0; ah = (ah + s1h + (((al & s1l) | ((al | s1l) & ~t)) >>> 31)) | 0; al = t;
    t = (ah >>> 5) | (al << 27); ah = (al >>> 5) | (ah << 27); al = t; // rotr 37 = swap, rotr 5
    a0 = al & 0xffff; a1 = al >>> 16; p01 = Math.imul(a0, m1); p10 = Math.imul(a1, m0);
    mid = (Math.imul(a0, m0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    xh = (Math.imul(a1, m1) + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(ah, ml) + Math.imul(al, mh)) | 0;
    xl = Math.imul(al, ml);

    // y = Rotate(y + v.second + Fetch64(s + 48), 42) * mul
    al = (yl + v2l) | 0; ah = (yh + v2h + (((yl & v2l) | ((yl | v2l) & ~al)) >>> 31)) | 0;
    t = (al + s6l) | 0; ah = (ah + s6h + (((al & s6l) | ((al | s6l) & ~t)) >>> 31)) | 0; al = t;
    t = (ah >>> 10) | (al << 22); ah = (al >>> 10) | (ah << 22); al = t; // rotr 42 = swap, rotr 10
    a0 = al & 0xffff; a1 = al >>> 16; p01 = Math.imul(a0, m1); p10 = Math.imul(a1, m0);
    mid = (Math.imul(a0, m0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    yh = (Math.imul(a1, m1) + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(ah, ml) + Math.imul(al, mh)) | 0;
    yl = Math.imul(al, ml);

    if (!last) {
      // x ^= w.second; y += v.first + Fetch64(s + 40)
      xl ^= w2l; xh ^= w2h; al = v1l; ah = v1h;
    } else {
      // x ^= w.second * 9; y += v.first * 9 + Fetch64(s + 40)
      // n * 9 = (n << 3) + n
      fl = w2l << 3; fh = (w2h << 3) | (w2l >>> 29);
      t = (fl + w2l) | 0; fh = (fh + w2h + (((fl & w2l) | ((fl | w2l) & ~t)) >>> 31)) | 0;
      xl ^= t; xh ^= fh;
      fl = v1l << 3; fh = (v1h << 3) | (v1l >>> 29);
      al = (fl + v1l) | 0; ah = (fh + v1h + (((fl & v1l) | ((fl | v1l) & ~al)) >>> 31)) | 0;
    }
    t = (al + s5l) | 0; ah = (ah + s5h + (((al & s5l) | ((al | s5l) & ~t)) >>> 31)) | 0; al = t;
    t = (yl + al) | 0; yh = (yh + ah + (((yl & al) | ((yl | al) & ~t)) >>> 31)) | 0; yl = t;

    // z = Rotate(z + w.first, 33) * mul
    al = (zl + w1l) | 0; ah = (zh + w1h + (((zl & w1l) | ((zl | w1l) & ~al)) >>> 31)) | 0;
    t = (ah >>> 1) | (al << 31); ah = (al >>> 1) | (ah << 31); al = t; // rotr 33 = swap, rotr 1
    a0 = al & 0xffff; a1 = al >>> 16; p01 = Math.imul(a0, m1); p10 = Math.imul(a1, m0);
    mid = (Math.imul(a0, m0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    zh = (Math.imul(a1, m1) + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(ah, ml) + Math.imul(al, mh)) | 0;
    zl = Math.imul(al, ml);

    // Seeds: v = Weak(s, a = v.second * mul, b = x + w.first); w = Weak(s + 32, c = z + w.second, d = y + Fetch64(s + 16))
    a0 = v2l & 0xffff; a1 = v2l >>> 16; p01 = Math.imul(a0, m1); p10 = Math.imul(a1, m0);
    mid = (Math.imul(a0, m0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    ah = (Math.imul(a1, m1) + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(v2h, ml) + Math.imul(v2l, mh)) | 0;
    al = Math.imul(v2l, ml);
    bl = (xl + w1l) | 0; bh = (xh + w1h + (((xl & w1l) | ((xl | w1l) & ~bl)) >>> 31)) | 0;
    cl = (zl + w2l) | 0; ch = (zh + w2h + (((zl & w2l) | ((zl | w2l) & ~cl)) >>> 31)) | 0;
    dl = (yl + s2l) | 0; dh = (yh + s2h + (((yl & s2l) | ((yl | s2l) & ~dl)) >>> 31)) | 0;

    // WeakHashLen32WithSeeds(w, x, y, z, a, b): a += w; b = Rotate(b + a + z, 21); e = a;
    // a += x; a += y; b += Rotate(a, 44); return (a + z, b + e).   Here (w, x, y, z) = s0..s3.
    t = (al + s0l) | 0; ah = (ah + s0h + (((al & s0l) | ((al | s0l) & ~t)) >>> 31)) | 0; al = t;
    t = (bl + al) | 0; bh = (bh + ah + (((bl & al) | ((bl | al) & ~t)) >>> 31)) | 0; bl = t;
    t = (bl + s3l) | 0; bh = (bh + s3h + (((bl & s3l) | ((bl | s3l) & ~t)) >>> 31)) | 0; bl = t;
    t = (bl >>> 21) | (bh << 11); bh = (bh >>> 21) | (bl << 11); bl = t; // rotr 21
    el = al; eh = ah;
    t = (al + s1l) | 0; ah = (ah + s1h + (((al & s1l) | ((al | s1l) & ~t)) >>> 31)) | 0; al = t;
    t = (al + s2l) | 0; ah = (ah + s2h + (((al & s2l) | ((al | s2l) & ~t)) >>> 31)) | 0; al = t;
    fl = (ah >>> 12) | (al << 20); fh = (al >>> 12) | (ah << 20); // b += rotr(a, 44) = swap, rotr 12
    t = (bl + fl) | 0; bh = (bh + fh + (((bl & fl) | ((bl | fl) & ~t)) >>> 31)) | 0; bl = t;
    v1l = (al + s3l) | 0; v1h = (ah + s3h + (((al & s3l) | ((al | s3l) & ~v1l)) >>> 31)) | 0;
    v2l = (bl + el) | 0; v2h = (bh + eh + (((bl & el) | ((bl | el) & ~v2l)) >>> 31)) | 0;

    // The same with seeds (c, d) over s4..s7 → w.
    t = (cl + s4l) | 0; ch = (ch + s4h + (((cl & s4l) | ((cl | s4l) & ~t)) >>> 31)) | 0; cl = t;
    t = (dl + cl) | 0; dh = (dh + ch + (((dl & cl) | ((dl | cl) & ~t)) >>> 31)) | 0; dl = t;
    t = (dl + s7l) | 0; dh = (dh + s7h + (((dl & s7l) | ((dl | s7l) & ~t)) >>> 31)) | 0; dl = t;
    t = (dl >>> 21) | (dh << 11); dh = (dh >>> 21) | (dl << 11); dl = t; // rotr 21
    el = cl; eh = ch;
    t = (cl + s5l) | 0; ch = (ch + s5h + (((cl & s5l) | ((cl | s5l) & ~t)) >>> 31)) | 0; cl = t;
    t = (cl + s6l) | 0; ch = (ch + s6h + (((cl & s6l) | ((cl | s6l) & ~t)) >>> 31)) | 0; cl = t;
    fl = (ch >>> 12) | (cl << 20); fh = (cl >>> 12) | (ch << 20); // d += rotr(c, 44)
    t = (dl + fl) | 0; dh = (dh + fh + (((dl & fl) | ((dl | fl) & ~t)) >>> 31)) | 0; dl = t;
    w1l = (cl + s7l) | 0; w1h = (ch + s7h + (((cl & s7l) | ((cl | s7l) & ~w1l)) >>> 31)) | 0;
    w2l = (dl + el) | 0; w2h = (dh + eh + (((dl & el) | ((dl | el) & ~w2l)) >>> 31)) | 0;

    // swap(z, x)
    t = zl; zl = xl; xl = t;
    t = zh; zh = xh; xh = t;
    if (last) break;
    p += 64;
    if (p === end) {
      // mul = k1 + ((z & 0xff) << 1) (no carry: k1's low word + 510 < 2^32); s = last64;
      // w.first += (len - 1) & 63; v.first += w.first; w.first += v.first
      ml = (K1L + ((zl & 0xff) << 1)) | 0; mh = K1H; m0 = ml & 0xffff; m1 = ml >>> 16;
      p = last64;
      t = (w1l + ((len - 1) & 63)) | 0; w1h = (w1h + (((w1l & ((len - 1) & 63)) | ((w1l | ((len - 1) & 63)) & ~t)) >>> 31)) | 0; w1l = t;
      t = (v1l + w1l) | 0; v1h = (v1h + w1h + (((v1l & w1l) | ((v1l | w1l) & ~t)) >>> 31)) | 0; v1l = t;
      t = (w1l + v1l) | 0; w1h = (w1h + v1h + (((w1l & v1l) | ((w1l | v1l) & ~t)) >>> 31)) | 0; w1l = t;
      last = true;
    }
  }
  // HashLen16(HashLen16(v.first, w.first, mul) + ShiftMix(y) * k0 + z, HashLen16(v.second, w.second, mul) + x, mul)
  let ul = hashLen16(v1h, v1l, w1h, w1l, mh, ml), uh = H;
  t = mul(yh, yl ^ (yh >>> 15), K0H, K0L);
  ul = add(uh, ul, H, t); uh = H;
  ul = add(uh, ul, zh, zl); uh = H;
  let vl = hashLen16(v2h, v2l, w2h, w2l, mh, ml), vh = H;
  vl = add(vh, vl, xh, xl); vh = H;
  return hashLen16(uh, ul, vh, vl, mh, ml);
}

/** Fingerprint64 as its [hi, lo] int32 words. */
function hash64Words(b: Uint8Array): [number, number] {
  const len = b.length;
  const lo = len <= 16 ? len0to16(b, len) : len <= 32 ? len17to32(b, len) : len <= 64 ? len33to64(b, len) : hashLong(b, len);
  return [H, lo];
}

const utf8 = new TextEncoder();

/**
 * Inputs from this length on go to WebAssembly once it is loaded. Its fixed cost per call (copy,
 * boundary crossing, i64 → BigInt: ≈ 110–140 ns) is about the JavaScript version's (building the
 * BigInt from two words: ≈ 120–130 ns at 0 bytes); measured on x64 Node 20 (whole calls,
 * interleaved): both ≈ 110–170 ns below 8 bytes, wasm ≈ 1.8–2.4× at 8–16 bytes, ≈ 4× at 64,
 * ≈ 7× at 1 KiB, 6–8× from 4 KiB on (bench/farmhash.bench.mjs).
 */
const WASM_MIN = 8;

/**
 * In 'auto' mode the module is loaded only once an input of this size comes, or inputs summing
 * to DEFER_TOTAL went to JavaScript: loading it (decode, compile, instantiate, self-test) costs
 * ≈ 0.3–1 ms, ≈ 2 ms more if it is the process's first WebAssembly — what JavaScript needs for
 * ≈ 100–500 KB; fingerprinting a small model hashes only a few kilobytes.
 */
const DEFER_BELOW = 16 * 1024;
const DEFER_TOTAL = 256 * 1024;

export type FarmhashImplementation = Implementation;

const dispatch = new WasmDispatch({
  name: 'FarmHash', available: farmhashWasmAvailable, loadError: farmhashWasmLoadError,
  smallMin: WASM_MIN, deferBelow: DEFER_BELOW, deferTotal: DEFER_TOTAL,
});

/**
 * Choose the implementation (tests and benchmarks): 'wasm' (every input, also small ones,
 * through WebAssembly), 'js' (JavaScript only) or 'auto' (the default).
 * @throws SavedModelError UNSUPPORTED for 'wasm' where the WebAssembly module is unavailable.
 */
export function setFarmhashImplementation(impl: FarmhashImplementation | 'auto'): void {
  dispatch.set(impl);
}

/** The implementation large inputs use now: 'wasm' once the module is loaded (and not set to 'js'), else 'js'. */
export function farmhashImplementation(): FarmhashImplementation {
  return dispatch.current(false);
}

/** Fingerprint64 in JavaScript only (the fallback; tests and benchmarks compare against it). */
export function fingerprint64Js(data: Uint8Array): bigint {
  const [hi, lo] = hash64Words(data);
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/**
 * FarmHash Fingerprint64 (farmhashna::Hash64) of a byte string, as TensorFlow's
 * `tensorflow::Fingerprint64`. Strings are hashed as their UTF-8 bytes. Stable across platforms.
 */
export function fingerprint64(data: Uint8Array | string): bigint {
  const bytes = typeof data === 'string' ? utf8.encode(data) : data;
  if (dispatch.wasmFor(bytes.length)) {
    try {
      return fingerprint64Wasm(bytes);
    } catch {
      // fall through to JavaScript
    }
  }
  return fingerprint64Js(bytes);
}

const M64 = (1n << 64n) - 1n;
const KCAT = 0xc6a4a7935bd1e995n;
const shiftMix = (v: bigint) => v ^ (v >> 47n);

/**
 * TensorFlow's FingerprintCat64(fp1, fp2) (tensorflow/core/platform/fingerprint.h): combine two
 * 64-bit fingerprints, order-sensitive. Arguments are taken mod 2^64.
 */
export function fingerprintCat64(fp1: bigint, fp2: bigint): bigint {
  let r = (fp1 & M64) ^ KCAT;
  r ^= (shiftMix(((fp2 & M64) * KCAT) & M64) * KCAT) & M64;
  r = (r * KCAT) & M64;
  r = (shiftMix(r) * KCAT) & M64;
  return shiftMix(r);
}
