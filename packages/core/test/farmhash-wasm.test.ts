// FarmHash Fingerprint64 in WebAssembly (src/hash/farmhash-wasm.ts) against FarmHash's own
// published self-test answers and against the JavaScript version, plus the fallback switch.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isSavedModelError } from '../src/errors.js';
import {
  farmhashImplementation, fingerprint64, fingerprint64Js, setFarmhashImplementation,
} from '../src/hash/farmhash.js';
import { farmhashWasmAvailable, fingerprint64Wasm, loadFarmhashWasm } from '../src/hash/farmhash-wasm.js';
import { FARMHASH_WASM_BASE64, FARMHASH_WASM_BYTES } from '../src/hash/farmhash-wasm.gen.js';
import { decodeBase64 } from '../src/wasm-module.js';
import { mulberry32, randomBytes } from './checkpoint-prng.js';
import { FARMHASH_PUBLISHED, farmhashSelfTestData } from '../../../wasm/farmhash/self-test.mjs';

afterEach(() => setFarmhashImplementation('auto'));

describe('FarmHash Fingerprint64 in WebAssembly', () => {
  it('loads here; the generated module is small, imports nothing', () => {
    expect(farmhashWasmAvailable()).toBe(true);
    const bytes = decodeBase64(FARMHASH_WASM_BASE64);
    expect(bytes.length).toBe(FARMHASH_WASM_BYTES);
    expect(FARMHASH_WASM_BYTES).toBeLessThanOrEqual(4096);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toEqual([]);
  });

  it("reproduces FarmHash's published self-test answers (wasm, small chunks, JavaScript, public API)", () => {
    const data = farmhashSelfTestData(1 << 20);
    const chunked = loadFarmhashWasm(128);
    for (const [off, len, want] of FARMHASH_PUBLISHED) {
      const input = data.subarray(off, off + len);
      expect([off, len, fingerprint64Wasm(input)]).toEqual([off, len, want]);
      expect([off, len, chunked.fingerprint64(input)]).toEqual([off, len, want]);
      expect([off, len, fingerprint64Js(input)]).toEqual([off, len, want]);
      expect([off, len, fingerprint64(input)]).toEqual([off, len, want]);
    }
  });

  it('agrees with JavaScript on every length 0..300 and on unaligned subarrays', () => {
    const rand = mulberry32(0xfa51);
    const buf = randomBytes(rand, 400);
    for (let n = 0; n <= 300; n++) {
      for (const off of [0, 1, 7, 99]) {
        const d = buf.subarray(off, off + n);
        const js = fingerprint64Js(d);
        // the raw entry point throws rather than falls back, so this proves wasm ran
        if (fingerprint64Wasm(d) !== js) expect.fail(`wasm != js at length ${n}, offset ${off}`);
      }
    }
    for (const fill of [0x00, 0xff]) {
      for (let n = 0; n <= 300; n++) {
        const d = new Uint8Array(n).fill(fill);
        if (fingerprint64Wasm(d) !== fingerprint64Js(d)) expect.fail(`wasm != js at length ${n}, all 0x${fill.toString(16)}`);
      }
    }
  });

  it('agrees with JavaScript around chunk boundaries (k * chunk ± 1..65)', () => {
    const rand = mulberry32(0xc4a7);
    const full = loadFarmhashWasm();
    const data = randomBytes(rand, 3 * full.chunk + 200);
    const lengths = new Set<number>();
    for (let k = 1; k <= 3; k++) for (let d = -65; d <= 65; d++) lengths.add(k * full.chunk + d);
    for (const n of lengths) {
      const d = data.subarray(0, n);
      if (full.fingerprint64(d) !== fingerprint64Js(d)) expect.fail(`wasm != js at length ${n} (chunk ${full.chunk})`);
    }
    // small chunks: every length up to a few chunks goes through update/finish
    for (const chunk of [64, 192]) {
      const small = loadFarmhashWasm(chunk);
      expect(small.chunk).toBe(chunk);
      for (let n = 0; n <= 4 * chunk + 70; n++) {
        const d = data.subarray(3, 3 + n);
        if (small.fingerprint64(d) !== fingerprint64Js(d)) expect.fail(`wasm != js at length ${n} (chunk ${chunk})`);
      }
    }
  });

  it('agrees with JavaScript on a few MB', () => {
    const rand = mulberry32(0x6b);
    const data = randomBytes(rand, (3 << 20) + 37);
    for (const n of [data.length, 2_000_003, 1 << 21]) {
      const d = data.subarray(data.length - n);
      expect(fingerprint64Wasm(d)).toBe(fingerprint64Js(d));
    }
  });

  it('rejects a chunk size that is not a positive multiple of 64', () => {
    for (const chunk of [0, 63, 100]) expect(() => loadFarmhashWasm(chunk)).toThrow(/multiple of 64/);
  });
});

describe('implementation switch', () => {
  it('auto uses wasm for large inputs here, js when forced; values never change', () => {
    const d = randomBytes(mulberry32(5), 100_000);
    const want = fingerprint64Js(d);
    expect(fingerprint64(d)).toBe(want); // loads the module (input over the deferral size)
    expect(farmhashImplementation()).toBe('wasm');
    setFarmhashImplementation('js');
    expect(farmhashImplementation()).toBe('js');
    expect(fingerprint64(d)).toBe(want);
    setFarmhashImplementation('wasm');
    expect(farmhashImplementation()).toBe('wasm');
    expect(fingerprint64(d)).toBe(want);
    expect(fingerprint64('')).toBe(0x9ae16a3b2f90404fn); // k2, small inputs too when forced
  });

  it('rejects unknown implementation names', () => {
    let err: unknown;
    try {
      setFarmhashImplementation('fast' as never);
    } catch (e) {
      err = e;
    }
    expect(isSavedModelError(err, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('js mode never touches the module; auto defers loading it for small inputs', async () => {
    vi.resetModules();
    const RealModule = WebAssembly.Module;
    const module = vi.spyOn(WebAssembly, 'Module').mockImplementation(function (bytes: BufferSource) {
      return new RealModule(bytes);
    } as never);
    try {
      const fresh = await import('../src/hash/farmhash.js');
      fresh.setFarmhashImplementation('js');
      const big = randomBytes(mulberry32(9), 300_000);
      expect(fresh.fingerprint64(big)).toBe(fingerprint64Js(big));
      expect(module).not.toHaveBeenCalled();
      fresh.setFarmhashImplementation('auto');
      const small = randomBytes(mulberry32(10), 4096);
      for (let i = 0; i < 60; i++) expect(fresh.fingerprint64(small)).toBe(fingerprint64Js(small));
      expect(module).not.toHaveBeenCalled(); // 240 KiB of small inputs
      expect(fresh.farmhashImplementation()).toBe('js');
      for (let i = 0; i < 5; i++) fresh.fingerprint64(small);
      expect(module).toHaveBeenCalled(); // past 256 KiB
      expect(fresh.farmhashImplementation()).toBe('wasm');
    } finally {
      module.mockRestore();
      vi.resetModules();
    }
  });

  it('falls back to JavaScript when WebAssembly is missing', async () => {
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const fresh = await import('../src/hash/farmhash.js');
      const freshErrors = await import('../src/errors.js'); // same fresh module graph as `fresh`
      const d = randomBytes(mulberry32(11), 100_000);
      expect(fresh.fingerprint64(d)).toBe(fingerprint64Js(d));
      expect(fresh.farmhashImplementation()).toBe('js');
      let err: unknown;
      try {
        fresh.setFarmhashImplementation('wasm');
      } catch (e) {
        err = e;
      }
      expect(freshErrors.isSavedModelError(err, 'UNSUPPORTED')).toBe(true);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });

  it('falls back to JavaScript when the module fails its self-test', async () => {
    vi.resetModules();
    const RealInstance = WebAssembly.Instance;
    const instance = vi.spyOn(WebAssembly, 'Instance').mockImplementation(function (mod: WebAssembly.Module, imports?: WebAssembly.Imports) {
      const real = new RealInstance(mod, imports);
      // a "miscompiled" module: right shape, wrong answers
      return { exports: { ...real.exports, hash64: () => 1n } } as unknown as WebAssembly.Instance;
    });
    try {
      const fresh = await import('../src/hash/farmhash.js');
      const wasmLoader = await import('../src/hash/farmhash-wasm.js');
      const d = randomBytes(mulberry32(12), 100_000);
      expect(fresh.fingerprint64(d)).toBe(fingerprint64Js(d));
      expect(fresh.farmhashImplementation()).toBe('js');
      expect(wasmLoader.farmhashWasmAvailable()).toBe(false);
      expect(String(wasmLoader.farmhashWasmLoadError())).toMatch(/self-test/);
      expect(instance).toHaveBeenCalled();
    } finally {
      instance.mockRestore();
      vi.resetModules();
    }
  });
});
