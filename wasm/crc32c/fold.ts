// Large inputs: reduction by a sparse multiple of the CRC polynomial (the idea of
// "Chorba", Sam Russell 2024), then a table CRC of what is left.
//
// A CRC of a message M is M(x)·x^32 mod P(x), so M may be replaced by anything
// congruent to it mod P. If P divides G(x) = x^(8A) + x^(8B1) + x^(8B2) + 1, a
// byte at distance ≥ A from the message end (degree ≥ 8A) can be cleared after
// xoring it into the bytes A−B1, A−B2 and A positions further on (every bit keeps
// its place within the byte, as multiplying by x^(8k) moves whole bytes). Clearing
// the bytes front to back leaves the value r[u] at each position u, where
//     r[u] = m[u] ⊕ r[u−(A−B1)] ⊕ r[u−(A−B2)] ⊕ r[u−A]        (r[<0] = 0)
// is independent of the message length, so it is computed in place, chunk by
// chunk, keeping the last A values ("history") just below INPUT_PTR for the
// next chunk. At the end only the last A bytes are not cleared; their values are
// r[u] minus what the recurrence added from positions that were not cleared:
//     final[i] = r[i] ⊕ r[i−(A−B1)]·[i ≥ A−B1] ⊕ r[i−(A−B2)]·[i ≥ A−B2]   (i in the last A)
// and the CRC of the message is the register-0 table CRC of those A bytes (the
// cleared prefix is zeros, which leave a zero register unchanged); finish()
// first folds those A bytes once more, by a 6-term multiple with a span of about
// 200 bytes, so the table CRC runs over that many. The starting CRC is xored
// into the first four message bytes (the register is the same either way).
//
// The recurrence is XOR-only with no table lookups: 4 loads + 1 store per 16
// bytes with wasm SIMD, per 8 bytes without; all reads are at least 140 bytes
// behind the write position, so a loop iteration of two steps (32 bytes) never
// reads what it writes (nor, mostly, a store still in the CPU's store buffer).
// Two steps per iteration measured the same as four, one ≈ 3–5% slower.
//
// The multiples (facts, found with wasm/crc32c/find-sparse-multiple.mjs, a
// meet-in-the-middle search over x^(8k) mod P for the smallest A with
// A−B1 ≥ GAP; a 4-term multiple is the sparsest possible for CRC-32C, whose
// polynomial has the factor x+1, so every multiple has an even number of terms):
//     CRC-32C  0x1EDC6F41 divides x^(8·5275) + x^(8·4508) + x^(8·2751) + 1  (GAP 64)
//     CRC-32   0x04C11DB7 divides x^(8·3006) + x^(8·2866) + x^(8·2215) + 1  (GAP 64)
// and, for finish (6 terms, GAP 16):
//     CRC-32C  x^(8·209) + x^(8·144) + x^(8·54) + x^(8·39) + x^(8·14) + 1
//     CRC-32   x^(8·203) + x^(8·186) + x^(8·123) + x^(8·85) + x^(8·79) + 1
// (all also with 8· dropped: over GF(2), G(x^8) = G(x)^8). Measured on x64 V8
// (Node 20): the 4-term recurrence folds ≈ 11 GB/s with SIMD (≈ 7 GB/s with
// i64); 6-term multiples with a short span (A = 290…437) only ≈ 7.5 GB/s, and
// A = 209, whose nearest term is 65 bytes back, ≈ 6 GB/s (loads straddling
// recent stores) — for the main loop the longer span is worth its fixed cost.
import { HIST_END, OUT2, RES } from './layout';

// @ts-ignore: decorator
@inline function spanOf<P>(): usize {
  return sizeof<P>() == 1 ? 5275 : 3006;
}

/** Bytes of history kept below INPUT_PTR: the span A rounded up to 16. */
// @ts-ignore: decorator
@inline function histOf<P>(): usize {
  return (spanOf<P>() + 15) & ~15;
}

// One fold step for the 16 (SIMD) / 8 / 1 byte(s) at q + A, q = position − A.
// @ts-ignore: decorator
@inline function step16<P>(q: usize): void {
  const a: usize = sizeof<P>() == 1 ? 5275 : 3006;
  const b1: usize = sizeof<P>() == 1 ? 4508 : 2866;
  const b2: usize = sizeof<P>() == 1 ? 2751 : 2215;
  v128.store(q, v128.xor(v128.xor(v128.load(q, a), v128.load(q, b1)), v128.xor(v128.load(q, b2), v128.load(q))), a);
}

// @ts-ignore: decorator
@inline function step8<P>(q: usize): void {
  const a: usize = sizeof<P>() == 1 ? 5275 : 3006;
  const b1: usize = sizeof<P>() == 1 ? 4508 : 2866;
  const b2: usize = sizeof<P>() == 1 ? 2751 : 2215;
  store<u64>(q, load<u64>(q, a) ^ load<u64>(q, b1) ^ load<u64>(q, b2) ^ load<u64>(q), a);
}

// @ts-ignore: decorator
@inline function step1<P>(q: usize): void {
  const a: usize = sizeof<P>() == 1 ? 5275 : 3006;
  const b1: usize = sizeof<P>() == 1 ? 4508 : 2866;
  const b2: usize = sizeof<P>() == 1 ? 2751 : 2215;
  store<u8>(q, load<u8>(q, a) ^ load<u8>(q, b1) ^ load<u8>(q, b2) ^ load<u8>(q), a);
}

/** Forward copy of n bytes (a multiple of 16), dst <= src (overlap allowed). */
function copy16(dst: usize, src: usize, n: usize): void {
  for (let i: usize = 0; i < n; i += 16) {
    if (ASC_FEATURE_SIMD) {
      v128.store(dst + i, v128.load(src + i));
    } else {
      const x = load<u64>(src + i);
      const y = load<u64>(src + i, 8);
      store<u64>(dst + i, x);
      store<u64>(dst + i, y, 8);
    }
  }
}

/** dst[i] ^= src[i] for i < n (non-overlapping). */
function xorInto(dst: usize, src: usize, n: usize): void {
  const end = dst + n;
  if (ASC_FEATURE_SIMD) {
    for (; dst + 16 <= end; dst += 16, src += 16) v128.store(dst, v128.xor(v128.load(dst), v128.load(src)));
  } else {
    for (; dst + 8 <= end; dst += 8, src += 8) store<u64>(dst, load<u64>(dst) ^ load<u64>(src));
  }
  for (; dst < end; dst++, src++) store<u8>(dst, load<u8>(dst) ^ load<u8>(src));
}

// @ts-ignore: decorator
@inline export function fold<P>(crc: u32, len: usize, first: bool): void {
  const a = spanOf<P>();
  const h = histOf<P>();
  if (first) {
    for (let p = HIST_END - h; p < HIST_END; p += 8) store<u64>(p, 0);
    store<u32>(HIST_END, load<u32>(HIST_END) ^ ~crc);
  }
  let q = HIST_END - a;
  const end = q + len;
  if (ASC_FEATURE_SIMD) {
    const end32 = q + (len & ~31);
    while (q < end32) {
      step16<P>(q);
      step16<P>(q + 16);
      q += 32;
    }
  } else {
    const end16 = q + (len & ~15);
    while (q < end16) {
      step8<P>(q);
      step8<P>(q + 8);
      q += 16;
    }
  }
  while (q < end) {
    step1<P>(q);
    q++;
  }
  // The last h values become the history below HIST_END (when len < h, part of
  // the old history moves down; the forward copy handles that overlap).
  copy16(HIST_END - h, HIST_END + len - h, h);
}

/**
 * Where the folded message's final residual lies (residualSpan bytes): its residual
 * (the last A bytes, see the header) reduced once more by a 6-term multiple with a
 * short span A2 (reduce6). The caller runs the register-0 table CRC over those A2
 * bytes — about 200 instead of A ≈ 3–5 KiB, which halves the fold's fixed cost per
 * call (≈ 4 → 2 µs).
 */
// @ts-ignore: decorator
@inline export function finish<P>(): usize {
  const a = spanOf<P>();
  const b1: usize = sizeof<P>() == 1 ? 4508 : 2866;
  const b2: usize = sizeof<P>() == 1 ? 2751 : 2215;
  // residual values at RES (the copy takes up to 15 bytes more, harmless)
  copy16(RES, HIST_END - a, histOf<P>());
  xorInto(RES + (a - b1), HIST_END - a, b1);
  xorInto(RES + (a - b2), HIST_END - a, b2);
  return sizeof<P>() == 1 ? reduce6(a, 209, 144, 54, 39, 14) : reduce6(a, 203, 186, 123, 85, 79);
}

/** Length of the residual that finish<P> returns (A2). */
// @ts-ignore: decorator
@inline export function residualSpan<P>(): usize {
  return sizeof<P>() == 1 ? 209 : 203;
}

/**
 * Folds the n-byte message at RES in place by x^(8a) + x^(8b1) + … + x^(8b4) + 1 (zeros
 * below RES stand for the empty history: nothing else writes there) and returns where its
 * a-byte residual is put (OUT2). One 16- or 8-byte step per iteration: a − b1 ≥ 16.
 */
function reduce6(n: usize, a: usize, b1: usize, b2: usize, b3: usize, b4: usize): usize {
  let q = RES - a;
  const end = q + n;
  if (ASC_FEATURE_SIMD) {
    for (; q + 16 <= end; q += 16) {
      const x = v128.xor(v128.xor(v128.load(q + a), v128.load(q + b1)), v128.xor(v128.load(q + b2), v128.load(q + b3)));
      v128.store(q + a, v128.xor(x, v128.xor(v128.load(q + b4), v128.load(q))));
    }
  } else {
    for (; q + 8 <= end; q += 8) {
      store<u64>(q + a, load<u64>(q + a) ^ load<u64>(q + b1) ^ load<u64>(q + b2) ^ load<u64>(q + b3) ^ load<u64>(q + b4) ^ load<u64>(q));
    }
  }
  for (; q < end; q++) {
    store<u8>(q + a, load<u8>(q + a) ^ load<u8>(q + b1) ^ load<u8>(q + b2) ^ load<u8>(q + b3) ^ load<u8>(q + b4) ^ load<u8>(q));
  }
  const r = RES + n - a; // the last a values
  copy16(OUT2, r, (a + 15) & ~15);
  xorInto(OUT2 + (a - b1), r, b1);
  xorInto(OUT2 + (a - b2), r, b2);
  xorInto(OUT2 + (a - b3), r, b3);
  xorInto(OUT2 + (a - b4), r, b4);
  return OUT2;
}
