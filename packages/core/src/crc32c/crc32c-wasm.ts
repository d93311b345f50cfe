/**
 * Loader for the CRC WebAssembly module (source: wasm/crc32c/crc.ts, built by
 * scripts/build-wasm.mjs into crc32c-wasm.gen.ts). One code path for Node and browsers:
 * base64 → bytes without Buffer, then synchronous `new WebAssembly.Module` /
 * `new WebAssembly.Instance` on first use (the module is < 4 KiB, which every engine
 * allows synchronously, also on a browser main thread).
 *
 * Input bytes live in JS memory, the module can only read its own memory, so data is
 * copied chunk by chunk into the module's fixed input buffer (INPUT_SIZE bytes at
 * INPUT_PTR) and the CRC is carried from chunk to chunk: any length works without ever
 * growing the module's memory.
 *
 * Callers normally use crc32c.ts, which falls back to JavaScript when this module
 * is unavailable.
 */
import { CRC_WASM_BASE64 } from './crc32c-wasm.gen.js';

type ExtendFn = (crc: number, ptr: number, len: number) => number;

interface CrcWasm {
  readonly memory: WebAssembly.Memory;
  /** View of memory, renewed if the memory's buffer was ever replaced. */
  heap: Uint8Array;
  readonly ptr: number;
  readonly size: number;
  readonly extend32c: ExtendFn;
  readonly extend32: ExtendFn;
}

/** undefined: not tried yet; null: tried, unavailable (see wasmLoadError). */
let wasm: CrcWasm | null | undefined;
let loadError: unknown;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 → bytes. Uses atob where the platform has it, else a small decoder. */
export function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  if (typeof atob === 'function') {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  const clean = s.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array((clean.length * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    acc = (acc << 6) | B64.indexOf(clean[i]!);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

function instantiate(): CrcWasm {
  if (typeof WebAssembly !== 'object' || WebAssembly === null) throw new Error('WebAssembly is not available');
  const module = new WebAssembly.Module(decodeBase64(CRC_WASM_BASE64));
  const ex = new WebAssembly.Instance(module, {}).exports as Record<string, unknown>;
  const memory = ex['memory'];
  const extend32c = ex['extend32c'];
  const extend32 = ex['extend32'];
  const ptrG = ex['INPUT_PTR'];
  const sizeG = ex['INPUT_SIZE'];
  if (
    !(memory instanceof WebAssembly.Memory) ||
    typeof extend32c !== 'function' ||
    typeof extend32 !== 'function' ||
    !(ptrG instanceof WebAssembly.Global) ||
    !(sizeG instanceof WebAssembly.Global)
  ) {
    throw new Error('CRC WebAssembly module has unexpected exports');
  }
  const ptr = Number(ptrG.value);
  const size = Number(sizeG.value);
  if (!(size > 0) || memory.buffer.byteLength < ptr + size) throw new Error('CRC WebAssembly module has no room for its input buffer');
  const w: CrcWasm = {
    memory,
    heap: new Uint8Array(memory.buffer),
    ptr,
    size,
    extend32c: extend32c as ExtendFn,
    extend32: extend32 as ExtendFn,
  };
  // Self-test on a known answer, so a broken engine never produces wrong checksums silently.
  w.heap.set([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39], ptr); // "123456789"
  if (w.extend32c(0, ptr, 9) >>> 0 !== 0xe3069283 || w.extend32(0, ptr, 9) >>> 0 !== 0xcbf43926) {
    throw new Error('CRC WebAssembly module failed its self-test');
  }
  return w;
}

function get(): CrcWasm | null {
  if (wasm === undefined) {
    try {
      wasm = instantiate();
    } catch (e) {
      wasm = null;
      loadError = e;
    }
  }
  return wasm;
}

/** Whether the WebAssembly CRC module can be used here (compiles and instantiates it on first call). */
export function crcWasmAvailable(): boolean {
  return get() !== null;
}

/** Why the module is unavailable (the exception from compiling / instantiating it), if it is. */
export function crcWasmLoadError(): unknown {
  get();
  return loadError;
}

function run(w: CrcWasm, fn: ExtendFn, crc: number, data: Uint8Array): number {
  let heap = w.heap;
  if (heap.byteLength === 0) heap = w.heap = new Uint8Array(w.memory.buffer); // buffer was detached
  const { ptr, size } = w;
  const n = data.length;
  let c = crc >>> 0;
  if (n <= size) {
    heap.set(data, ptr);
    return fn(c, ptr, n) >>> 0;
  }
  for (let off = 0; off < n; off += size) {
    const len = Math.min(size, n - off);
    heap.set(data.subarray(off, off + len), ptr);
    c = fn(c, ptr, len);
  }
  return c >>> 0;
}

function need(): CrcWasm {
  const w = get();
  if (w === null) {
    throw new Error(`CRC WebAssembly module unavailable: ${loadError instanceof Error ? loadError.message : String(loadError)}`, {
      cause: loadError,
    });
  }
  return w;
}

/** CRC-32C via WebAssembly, continuing the finalized `crc` (0 to start). Throws if the module is unavailable. */
export function crc32cExtendWasm(crc: number, data: Uint8Array): number {
  const w = need();
  return run(w, w.extend32c, crc, data);
}

/** CRC-32 (IEEE) via WebAssembly, continuing the finalized `crc` (0 to start). Throws if the module is unavailable. */
export function crc32ExtendWasm(crc: number, data: Uint8Array): number {
  const w = need();
  return run(w, w.extend32, crc, data);
}
