// The WebAssembly CRC's fold path (sparse polynomial multiple, wasm/crc32c/fold.ts) in both
// builds (SIMD and MVP), against the JavaScript implementations and a bitwise definition.
import { describe, expect, it, vi } from 'vitest';
import { crc32cExtendJs } from '../src/crc32c/crc32c-js.js';
import { crc32ExtendJs } from '../src/crc32c/crc32-js.js';
import { crcWasmVariant, loadCrcWasmVariant, type CrcWasmVariant } from '../src/crc32c/crc32c-wasm.js';
import { CRC_WASM_SIMD_BYTES } from '../src/crc32c/crc32c-wasm.gen.js';
import { CASTAGNOLI, crcBitwise, IEEE } from './crc-reference.js';
import { mulberry32, randomBytes } from './checkpoint-prng.js';

const VARIANTS: readonly CrcWasmVariant[] = ['simd', 'mvp'];
/** The fold's span A per polynomial (fold.ts), and the loader's chunk size (INPUT_SIZE). */
const SPAN_C = 5275;
const SPAN_IEEE = 3006;
const CHUNK = 65536;

/** x^n mod P for the normal-form polynomial P (x^32 implied), bit by bit. */
function xPowMod(n: number, p: number): number {
  let v = 1;
  for (let i = 0; i < n; i++) v = ((v << 1) ^ (v & 0x80000000 ? p : 0)) >>> 0;
  return v;
}

describe('sparse multiples used by the fold (facts recorded in fold.ts)', () => {
  for (const [name, p, terms] of [
    ['CRC-32C', 0x1edc6f41, [5275, 4508, 2751]],
    ['CRC-32', 0x04c11db7, [3006, 2866, 2215]],
    ['CRC-32C', 0x1edc6f41, [209, 144, 54, 39, 14]],
    ['CRC-32', 0x04c11db7, [203, 186, 123, 85, 79]],
  ] as const) {
    it(`${name}: P divides ${terms.map((e) => `x^(8·${e})`).join(' + ')} + 1, and not with a term changed`, () => {
      const rem = (t: readonly number[]) => (t.reduce((acc, e) => acc ^ xPowMod(8 * e, p), 0) ^ 1) >>> 0;
      expect(rem(terms)).toBe(0);
      expect(rem([...terms.slice(0, -1), terms[terms.length - 1]! + 1])).not.toBe(0);
    });
  }
});

describe('fold path (both builds) equals JavaScript', () => {
  it('Node runs the SIMD build', () => {
    expect(crcWasmVariant()).toBe('simd');
  });

  for (const variant of VARIANTS) {
    it(`every length 4..6000 through the fold, random offsets and starting CRCs (${variant})`, () => {
      const w = loadCrcWasmVariant(variant, 4); // fold everything from 4 bytes on
      const pool = randomBytes(mulberry32(7), 6000 + 64);
      const rnd = randomBytes(mulberry32(8), 6001 * 5);
      const view = new DataView(rnd.buffer);
      for (let n = 4; n <= 6000; n++) {
        const off = rnd[5 * n]! % 64;
        const seed = view.getUint32(5 * n + 1, true);
        const d = pool.subarray(off, off + n);
        const c = w.crc32cExtend(seed, d);
        const i = w.crc32Extend(seed, d);
        if (c !== crc32cExtendJs(seed, d)) expect.fail(`CRC-32C fold != js at length ${n}, offset ${off}`);
        if (i !== crc32ExtendJs(seed, d)) expect.fail(`CRC-32 fold != js at length ${n}, offset ${off}`);
      }
    });

    it(`multi-chunk inputs whose last chunk is shorter than the span, a vector or 4 bytes (${variant})`, () => {
      const w = loadCrcWasmVariant(variant);
      const pool = randomBytes(mulberry32(9), 3 * CHUNK + 8192);
      const tails = [1, 2, 3, 4, 15, 16, 17, 63, 64, 65, 100, SPAN_IEEE - 1, SPAN_IEEE, SPAN_C - 1, SPAN_C, SPAN_C + 1, 5281];
      let k = 0;
      for (const chunks of [1, 2]) {
        for (const t of tails) {
          const n = chunks * CHUNK + t;
          const off = (k * 7) % 13;
          const seed = (k++ * 0x9e3779b1) >>> 0;
          const d = pool.subarray(off, off + n);
          expect(w.crc32cExtend(seed, d), `CRC-32C, ${chunks} chunk(s) + ${t}`).toBe(crc32cExtendJs(seed, d));
          expect(w.crc32Extend(seed, d), `CRC-32, ${chunks} chunk(s) + ${t}`).toBe(crc32ExtendJs(seed, d));
        }
      }
    });

    it(`inputs shorter than (or about) the span, against the bitwise definition (${variant})`, () => {
      // the residual then still holds part of the zeroed history from the start
      const w = loadCrcWasmVariant(variant, 4);
      const pool = randomBytes(mulberry32(10), 8192);
      for (const n of [4, 5, 100, 1000, SPAN_IEEE + 7, SPAN_C - 3, SPAN_C + 3]) {
        const d = pool.subarray(1, 1 + n);
        expect(w.crc32cExtend(0xdeadbeef, d)).toBe(crcBitwise(CASTAGNOLI, 0xdeadbeef, d));
        expect(w.crc32Extend(0xdeadbeef, d)).toBe(crcBitwise(IEEE, 0xdeadbeef, d));
      }
    });
  }

  it('the public API around the fold thresholds (5 KiB with SIMD, 9 KiB without)', async () => {
    const { crc32cExtend, crc32Extend } = await import('../src/crc32c/crc32c.js');
    const mvp = loadCrcWasmVariant('mvp');
    const pool = randomBytes(mulberry32(13), 9300);
    for (const n of [5119, 5120, 5121, 9215, 9216, 9217]) {
      const d = pool.subarray(5, 5 + n);
      expect(crc32cExtend(0x55aa55aa, d), `CRC-32C of ${n} bytes`).toBe(crc32cExtendJs(0x55aa55aa, d));
      expect(crc32Extend(0x55aa55aa, d), `CRC-32 of ${n} bytes`).toBe(crc32ExtendJs(0x55aa55aa, d));
      expect(mvp.crc32cExtend(0x55aa55aa, d), `MVP CRC-32C of ${n} bytes`).toBe(crc32cExtendJs(0x55aa55aa, d));
      expect(mvp.crc32Extend(0x55aa55aa, d), `MVP CRC-32 of ${n} bytes`).toBe(crc32ExtendJs(0x55aa55aa, d));
    }
  });

  it('the two builds agree on 5 MiB at an odd offset, continuing a CRC', () => {
    const big = randomBytes(mulberry32(11), (5 << 20) + 8).subarray(3, (5 << 20) + 3 - 1);
    const simd = loadCrcWasmVariant('simd');
    const mvp = loadCrcWasmVariant('mvp');
    const c = simd.crc32cExtend(0x01020304, big);
    const i = simd.crc32Extend(0x01020304, big);
    expect(mvp.crc32cExtend(0x01020304, big)).toBe(c);
    expect(mvp.crc32Extend(0x01020304, big)).toBe(i);
    expect(c).toBe(crc32cExtendJs(0x01020304, big));
    expect(i).toBe(crc32ExtendJs(0x01020304, big));
    // extending across a split point equals one shot (the fold restarts per call)
    const cut = (3 << 20) + 12345;
    expect(simd.crc32cExtend(simd.crc32cExtend(0x01020304, big.subarray(0, cut)), big.subarray(cut))).toBe(c);
    expect(mvp.crc32Extend(mvp.crc32Extend(0x01020304, big.subarray(0, cut)), big.subarray(cut))).toBe(i);
  });
});

describe('engines without wasm SIMD', () => {
  it('use the MVP build, with the same results', async () => {
    const real = WebAssembly;
    // An engine that rejects the SIMD build at compile time, as one without SIMD does.
    class NoSimdModule extends real.Module {
      constructor(bytes: BufferSource) {
        if ((bytes as Uint8Array).byteLength === CRC_WASM_SIMD_BYTES) throw new real.CompileError('SIMD unsupported');
        super(bytes);
      }
    }
    vi.resetModules();
    vi.stubGlobal('WebAssembly', { ...real, Module: NoSimdModule, Instance: real.Instance, Memory: real.Memory, Global: real.Global });
    try {
      const wasm = await import('../src/crc32c/crc32c-wasm.js');
      const api = await import('../src/crc32c/crc32c.js');
      expect(wasm.crcWasmVariant()).toBe('mvp');
      expect(api.crcImplementation()).toBe('wasm');
      const d = randomBytes(mulberry32(12), 200_000);
      expect(api.crc32c(d)).toBe(crc32cExtendJs(0, d));
      expect(api.crc32(d)).toBe(crc32ExtendJs(0, d));
      expect(api.crc32c(d.subarray(0, 100))).toBe(crc32cExtendJs(0, d.subarray(0, 100)));
      expect(() => wasm.loadCrcWasmVariant('simd')).toThrow('SIMD unsupported');
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
