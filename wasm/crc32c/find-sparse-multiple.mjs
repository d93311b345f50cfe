#!/usr/bin/env node
// Finds the sparse multiples of a CRC polynomial that fold.ts uses: the smallest A with
//     P(x) divides x^(8A) + x^(8B1) + x^(8B2) + 1,   A > B1 > B2 > 0,   A − B1 ≥ GAP,
// i.e. y^A + y^B1 + y^B2 + 1 ≡ 0 (mod P) for y = x^8. Meet in the middle: for each A,
// look up y^A ⊕ 1 ⊕ y^B2 among the y^B1 seen so far (a map from value to exponent).
// GAP is how far behind the write position the nearest read may be (fold.ts needs ≥ 64:
// one loop step handles 64 bytes).
//
//   node wasm/crc32c/find-sparse-multiple.mjs [POLY=0x1EDC6F41] [GAP=64] [MAX_A=20000]
//
// POLY is the normal (non-reflected) form without the x^32 term: 0x1EDC6F41 CRC-32C,
// 0x04C11DB7 CRC-32. Prints "A B1 B2 0". Over GF(2), G(x^8) = G(x)^8, so the same
// exponents also give a bit-level multiple x^A + x^B1 + x^B2 + 1. A polynomial with the
// factor x+1 (CRC-32C's has it) has only even-weight multiples, so 4 terms is the least.
const P = Number(process.argv[2] ?? 0x1edc6f41) >>> 0;
const GAP = Number(process.argv[3] ?? 64);
const MAX_A = Number(process.argv[4] ?? 20000);

/** v · x mod P, for v a residue (degree < 32). */
const mulx = (v) => ((v << 1) ^ (v & 0x80000000 ? P : 0)) >>> 0;

const y = [1]; // y[k] = x^(8k) mod P
const seen = new Map(); // y[B1] -> B1, for B1 <= A - GAP
for (let a = 1; a <= MAX_A; a++) {
  let v = y[a - 1];
  for (let i = 0; i < 8; i++) v = mulx(v);
  y.push(v);
  const top = a - GAP; // the largest B1 allowed for this A
  if (top >= 1 && !seen.has(y[top])) seen.set(y[top], top);
  for (let b2 = 1; b2 < top; b2++) {
    const b1 = seen.get((y[a] ^ 1 ^ y[b2]) >>> 0);
    if (b1 !== undefined && b1 > b2) {
      console.log(`${a} ${b1} ${b2} 0`);
      process.exit(0);
    }
  }
}
console.log(`none with A <= ${MAX_A}`);
process.exit(1);
