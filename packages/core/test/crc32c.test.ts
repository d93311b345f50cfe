import { afterEach, describe, expect, it, vi } from 'vitest';
import * as zlib from 'node:zlib';
import {
  crc32,
  crc32c,
  crc32cExtend,
  crc32Extend,
  crcImplementation,
  maskCrc,
  setCrcImplementation,
  unmaskCrc,
} from '../src/crc32c/crc32c.js';
import { crc32cExtendJs } from '../src/crc32c/crc32c-js.js';
import { crc32ExtendJs } from '../src/crc32c/crc32-js.js';
import { crc32cExtendWasm, crc32ExtendWasm, crcWasmAvailable } from '../src/crc32c/crc32c-wasm.js';
import { decodeBase64 } from '../src/wasm-module.js';
import { CRC_WASM_BASE64, CRC_WASM_BYTES, CRC_WASM_SIMD_BASE64, CRC_WASM_SIMD_BYTES } from '../src/crc32c/crc32c-wasm.gen.js';
import { isSavedModelError } from '../src/errors.js';
import { CASTAGNOLI, crcBitwise, IEEE } from './crc-reference.js';
import { mulberry32, randomBytes } from './checkpoint-prng.js';

const ascii = (s: string) => new TextEncoder().encode(s);

const MODES = ['auto', 'js', 'wasm'] as const;

afterEach(() => setCrcImplementation('auto'));

describe('known answers', () => {
  const ascending = Uint8Array.from({ length: 32 }, (_, i) => i);
  const descending = Uint8Array.from({ length: 32 }, (_, i) => 31 - i);

  for (const mode of MODES) {
    it(`CRC-32C check value and RFC 3720 B.4 vectors (${mode})`, () => {
      setCrcImplementation(mode);
      expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
      expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
      expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
      expect(crc32c(ascending)).toBe(0x46dd794e);
      expect(crc32c(descending)).toBe(0x113fdb5c);
      expect(crc32c(new Uint8Array(0))).toBe(0);
    });

    it(`CRC-32 (IEEE) check value (${mode})`, () => {
      setCrcImplementation(mode);
      expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
      expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
      expect(crc32(new Uint8Array(0))).toBe(0);
    });

    it(`TensorFlow masked CRC of float 3.0 (${mode})`, () => {
      setCrcImplementation(mode);
      expect(unmaskCrc(0xc382d6ef)).toBe(0xf60b907f);
      expect(maskCrc(0xf60b907f)).toBe(0xc382d6ef);
      expect(crc32c(new Uint8Array([0x00, 0x00, 0x40, 0x40]))).toBe(0xf60b907f);
      expect(crc32c(new Float32Array([3]))).toBe(0xf60b907f); // little-endian hosts
    });
  }

  it('mask / unmask round-trip', () => {
    for (const v of [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xe3069283, 0x12345678]) {
      expect(unmaskCrc(maskCrc(v))).toBe(v);
      expect(maskCrc(unmaskCrc(v))).toBe(v);
    }
  });
});

describe('implementation switch', () => {
  it('uses WebAssembly here, and really so when forced', () => {
    expect(crcWasmAvailable()).toBe(true);
    expect(crcImplementation()).toBe('wasm'); // auto
    setCrcImplementation('wasm');
    expect(crcImplementation()).toBe('wasm');
    setCrcImplementation('js');
    expect(crcImplementation()).toBe('js');
    setCrcImplementation('auto');
    expect(crcImplementation()).toBe('wasm');
  });

  it('rejects unknown implementation names', () => {
    let err: unknown;
    try {
      setCrcImplementation('fast' as never);
    } catch (e) {
      err = e;
    }
    expect(isSavedModelError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect(crcImplementation()).toBe('wasm');
  });

  it('the generated modules are small enough for synchronous compilation', () => {
    for (const [base64, size] of [
      [CRC_WASM_BASE64, CRC_WASM_BYTES],
      [CRC_WASM_SIMD_BASE64, CRC_WASM_SIMD_BYTES],
    ] as const) {
      expect(size).toBeLessThanOrEqual(4096);
      const bytes = decodeBase64(base64);
      expect(bytes.length).toBe(size);
      expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toEqual([]);
    }
  });

  it('base64 decoder without atob matches Buffer', () => {
    const expected = new Uint8Array(Buffer.from(CRC_WASM_BASE64, 'base64'));
    vi.stubGlobal('atob', undefined);
    try {
      expect(decodeBase64(CRC_WASM_BASE64)).toEqual(expected);
      for (const s of ['', 'AA==', 'AAE=', 'AAEC', 'AAECAw==', '/+8=']) {
        expect(decodeBase64(s)).toEqual(new Uint8Array(Buffer.from(s, 'base64')));
      }
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('auto mode compiles the module only for a 64 KiB input or once small inputs reach 1 MiB; the values never change', async () => {
    vi.resetModules();
    const module = vi.spyOn(WebAssembly, 'Module');
    try {
      const fresh = await import('../src/crc32c/crc32c.js');
      const small = randomBytes(mulberry32(3), 4096);
      for (let i = 0; i < 100; i++) {
        expect(fresh.crc32c(small)).toBe(crc32cExtendJs(0, small));
        expect(fresh.crc32(small)).toBe(crc32ExtendJs(0, small));
      }
      expect(module).not.toHaveBeenCalled(); // 800 KiB of crc32c and crc32 together
      for (let i = 0; i < 60; i++) fresh.crc32c(small);
      expect(module).toHaveBeenCalled(); // past 1 MiB of small inputs
      vi.resetModules();
      module.mockClear();
      const again = await import('../src/crc32c/crc32c.js');
      const big = randomBytes(mulberry32(5), 64 * 1024);
      expect(again.crc32c(big)).toBe(crc32cExtendJs(0, big));
      expect(module).toHaveBeenCalled();
    } finally {
      module.mockRestore();
      vi.resetModules();
    }
  });

  it('falls back to JavaScript when WebAssembly is missing', async () => {
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const fresh = await import('../src/crc32c/crc32c.js');
      const freshErrors = await import('../src/errors.js'); // same fresh module graph as `fresh`
      expect(fresh.crcImplementation()).toBe('js');
      expect(fresh.crc32c(ascii('123456789'))).toBe(0xe3069283);
      expect(fresh.crc32(ascii('123456789'))).toBe(0xcbf43926);
      expect(fresh.crc32c(randomBytes(mulberry32(7), 100_000))).toBe(crc32cExtendJs(0, randomBytes(mulberry32(7), 100_000)));
      let err: unknown;
      try {
        fresh.setCrcImplementation('wasm');
      } catch (e) {
        err = e;
      }
      expect(freshErrors.isSavedModelError(err, 'UNSUPPORTED')).toBe(true);
      expect(fresh.crcImplementation()).toBe('js');
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});

describe('inputs', () => {
  it('accepts any byte view or buffer; rejects non-bytes with INVALID_ARGUMENT', () => {
    const bytes = ascii('123456789');
    const padded = new Uint8Array(20);
    padded.set(bytes, 5);
    for (const mode of MODES) {
      setCrcImplementation(mode);
      expect(crc32c(bytes.buffer)).toBe(0xe3069283);
      expect(crc32c(new DataView(padded.buffer, 5, 9))).toBe(0xe3069283);
      expect(crc32c(new Int8Array(padded.buffer, 5, 9))).toBe(0xe3069283);
      expect(crc32c(padded.subarray(5, 14))).toBe(0xe3069283);
      expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
      const shared = new Uint8Array(new SharedArrayBuffer(9));
      shared.set(bytes);
      expect(crc32c(shared)).toBe(0xe3069283);
      expect(crc32c(shared.buffer)).toBe(0xe3069283);
      expect(crc32(new Uint16Array(bytes.buffer.slice(0, 8)))).toBe(crc32(bytes.subarray(0, 8)));
      // not bytes at all: a typed error (a checksum of nothing would silently match an empty file)
      expect(() => crc32c(null as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(() => crc32c('123456789' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(() => crc32cExtend(0x12345678, undefined as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('a detached buffer counts as empty', () => {
    const a = new Uint8Array(64).fill(1);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    expect(a.length).toBe(0);
    for (const mode of MODES) {
      setCrcImplementation(mode);
      expect(crc32c(a)).toBe(0);
      expect(crc32Extend(5, a)).toBe(5);
    }
  });
});

describe('extend', () => {
  const data = randomBytes(mulberry32(42), 300_000);
  const cuts = [0, 1, 7, 8, 9, 31, 32, 33, 1000, 1023, 1024, 1025, 4096, 65535, 65536, 65537, 131073, 299_999, 300_000];

  for (const mode of MODES) {
    it(`in pieces equals one shot (${mode})`, () => {
      setCrcImplementation(mode);
      const wholeC = crc32c(data);
      const wholeI = crc32(data);
      expect(wholeC).toBe(crc32cExtendJs(0, data));
      expect(wholeI).toBe(crc32ExtendJs(0, data));
      for (const cut of cuts) {
        expect(crc32cExtend(crc32c(data.subarray(0, cut)), data.subarray(cut))).toBe(wholeC);
        expect(crc32Extend(crc32(data.subarray(0, cut)), data.subarray(cut))).toBe(wholeI);
      }
      // many uneven pieces
      let c = 0;
      let i = 0;
      let off = 0;
      const steps = [1, 3, 17, 64, 100, 1000, 4097, 70_000];
      let ci = 0;
      while (off < data.length) {
        const n = steps[i++ % steps.length]!;
        c = crc32cExtend(c, data.subarray(off, off + n));
        ci = crc32Extend(ci, data.subarray(off, off + n));
        off += n;
      }
      expect(c).toBe(wholeC);
      expect(ci).toBe(wholeI);
    });
  }

  it('extend of nothing returns the crc unchanged', () => {
    for (const mode of MODES) {
      setCrcImplementation(mode);
      for (const c of [0, 1, 0xe3069283, 0xffffffff]) {
        expect(crc32cExtend(c, new Uint8Array(0))).toBe(c);
        expect(crc32Extend(c, new Uint8Array(0))).toBe(c);
      }
    }
  });
});

describe('WebAssembly equals JavaScript', () => {
  const pool = randomBytes(mulberry32(1234), 4096 + 64);

  it('table-driven implementations equal the bitwise definition (lengths 0..300)', () => {
    setCrcImplementation('wasm');
    expect(crcImplementation()).toBe('wasm');
    for (let n = 0; n <= 300; n++) {
      const d = pool.subarray(n % 13, (n % 13) + n);
      const seed = (n * 0x9e3779b1) >>> 0;
      const refC = crcBitwise(CASTAGNOLI, seed, d);
      const refI = crcBitwise(IEEE, seed, d);
      expect(crc32cExtendJs(seed, d)).toBe(refC);
      expect(crc32cExtendWasm(seed, d)).toBe(refC);
      expect(crc32cExtend(seed, d)).toBe(refC);
      expect(crc32ExtendJs(seed, d)).toBe(refI);
      expect(crc32ExtendWasm(seed, d)).toBe(refI);
      expect(crc32Extend(seed, d)).toBe(refI);
    }
  });

  it('every length 0..4096 at random offsets, with random starting crc', () => {
    setCrcImplementation('wasm');
    expect(crcImplementation()).toBe('wasm');
    const offsets = randomBytes(mulberry32(99), 4097 * 2);
    for (let n = 0; n <= 4096; n++) {
      const off = offsets[2 * n]! % 64;
      const d = pool.subarray(off, off + n);
      const seed = ((offsets[2 * n + 1]! << 24) ^ (n * 2654435761)) >>> 0;
      const js = crc32cExtendJs(seed, d);
      const jsI = crc32ExtendJs(seed, d);
      // the raw wasm entry points (they throw rather than fall back, so this proves wasm ran)
      if (crc32cExtendWasm(seed, d) !== js) expect.fail(`crc32c wasm != js at length ${n}, offset ${off}`);
      if (crc32ExtendWasm(seed, d) !== jsI) expect.fail(`crc32 wasm != js at length ${n}, offset ${off}`);
      // and the public API in forced-wasm mode
      if (crc32cExtend(seed, d) !== js) expect.fail(`crc32cExtend != js at length ${n}, offset ${off}`);
      if (crc32Extend(seed, d) !== jsI) expect.fail(`crc32Extend != js at length ${n}, offset ${off}`);
    }
    expect(crcImplementation()).toBe('wasm');
  });

  it('one 64 MiB buffer, CRC-32C and CRC-32', () => {
    const big = new Uint8Array(64 << 20);
    // fill quickly with a xorshift stream, 32 bits at a time
    const w = new Uint32Array(big.buffer);
    let x = 0x2545f491;
    for (let i = 0; i < w.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      w[i] = x;
    }
    setCrcImplementation('wasm');
    expect(crcImplementation()).toBe('wasm');
    const js = crc32cExtendJs(0, big);
    const jsI = crc32ExtendJs(0, big);
    expect(crc32cExtendWasm(0, big)).toBe(js);
    expect(crc32ExtendWasm(0, big)).toBe(jsI);
    expect(crc32c(big)).toBe(js);
    expect(crc32(big)).toBe(jsI);
    // an odd-sized, odd-offset view across many 64 KiB chunks
    const view = big.subarray(3, big.length - 5);
    expect(crc32c(view)).toBe(crc32cExtendJs(0, view));
    expect(crc32(view)).toBe(crc32ExtendJs(0, view));
    // independent oracle for CRC-32 where Node has one (zlib.crc32: Node >= 20.15)
    const zcrc = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
    if (typeof zcrc === 'function') expect(crc32(big)).toBe(zcrc(big) >>> 0);
  });
});
