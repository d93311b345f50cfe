#!/usr/bin/env node
// Finds the sparse multiples of a CRC polynomial that fold.ts uses: the smallest A with
//     P(x) divides x^(8A) + x^(8B1) + … + x^(8Bk) + 1,   A > B1 > … > Bk > 0,   A − B1 ≥ GAP,
// i.e. y^A + y^B1 + … + y^Bk + 1 ≡ 0 (mod P) for y = x^8, with TERMS = k + 2 terms (4 or 6).
// Meet in the middle: a map from y^B (4 terms) or y^B ⊕ y^B' (6 terms) to its exponents,
// grown as A grows; for each A, look up y^A ⊕ 1 ⊕ (the rest) in it. GAP is how far
// behind the write position the nearest read may be (fold.ts: 64 for its main loop of
// two 16-byte steps with room to spare, 16 for finish's one-step loop).
//
//   node wasm/crc32c/find-sparse-multiple.mjs [POLY=0x1EDC6F41] [GAP=64] [TERMS=4]
//
// POLY is the normal (non-reflected) form without the x^32 term: 0x1EDC6F41 CRC-32C,
// 0x04C11DB7 CRC-32. Prints "A B1 … Bk 0". Over GF(2), G(x^8) = G(x)^8, so the same
// exponents also give a bit-level multiple. A polynomial with the factor x+1 (CRC-32C's
// has it) has only even-weight multiples, so 4 terms is the least there.
const P = Number(process.argv[2] ?? 0x1edc6f41) >>> 0;
const GAP = Number(process.argv[3] ?? 64);
const TERMS = Number(process.argv[4] ?? 4);
const MAX_A = 20000;
if (TERMS !== 4 && TERMS !== 6) throw new Error('TERMS must be 4 or 6');

/** v · x mod P, for v a residue (degree < 32). */
const mulx = (v) => ((v << 1) ^ (v & 0x80000000 ? P : 0)) >>> 0;

const y = [1]; // y[k] = x^(8k) mod P
const seen = new Map(); // value -> [exponents] of one or two terms, all <= A - GAP
const found = (exps) => {
  console.log(exps.join(' '));
  process.exit(0);
};
for (let a = 1; a <= MAX_A; a++) {
  let v = y[a - 1];
  for (let i = 0; i < 8; i++) v = mulx(v);
  y.push(v);
  const top = a - GAP; // the largest middle exponent allowed for this A
  if (top < 1) continue;
  if (TERMS === 4) {
    if (!seen.has(y[top])) seen.set(y[top], [top]);
    for (let b = 1; b < top; b++) {
      const hit = seen.get((y[a] ^ 1 ^ y[b]) >>> 0);
      if (hit && hit[0] !== b) found([a, ...[hit[0], b].sort((p, q) => q - p), 0]);
    }
  } else {
    for (let b = 1; b < top; b++) {
      const key = (y[b] ^ y[top]) >>> 0;
      if (!seen.has(key)) seen.set(key, [top, b]);
    }
    for (let b = 2; b <= top; b++) {
      for (let c = 1; c < b; c++) {
        const hit = seen.get((y[a] ^ 1 ^ y[b] ^ y[c]) >>> 0);
        if (hit && !hit.includes(b) && !hit.includes(c)) found([a, ...[...hit, b, c].sort((p, q) => q - p), 0]);
      }
    }
  }
}
console.log(`none with A <= ${MAX_A}`);
process.exit(1);
