/**
 * Loader for the CRC WebAssembly module (source: wasm/crc32c/crc.ts, built by
 * scripts/build-wasm.mjs into crc32c-wasm.gen.ts). One code path for Node and browsers:
 * base64 → bytes without Buffer, then synchronous `new WebAssembly.Module` /
 * `new WebAssembly.Instance` on first use (the module is < 4 KiB, which every engine
 * allows synchronously, also on a browser main thread). There are two builds of it: with
 * wasm SIMD (tried first) and plain MVP wasm for engines without SIMD (where the SIMD
 * build fails to compile); both give identical results.
 *
 * Input bytes live in JS memory, the module can only read its own memory, so data is
 * copied chunk by chunk into the module's fixed input buffer (INPUT_SIZE bytes at
 * INPUT_PTR). Small inputs run the table CRC (`extend…`) chunk by chunk; inputs of
 * FOLD_MIN bytes or more run the sparse-polynomial fold (`fold…` per chunk, then
 * `finish…`; see wasm/crc32c/fold.ts), which keeps its state in module memory. Either way
 * any length works without ever growing the module's memory.
 *
 * Callers normally use crc32c.ts, which falls back to JavaScript when this module
 * is unavailable.
 */
import { CRC_WASM_BASE64, CRC_WASM_SIMD_BASE64 } from './crc32c-wasm.gen.js';
import { decodeBase64, lazyInstance } from '../wasm-module.js';

type ExtendFn = (crc: number, ptr: number, len: number) => number;
type FoldFn = (crc: number, len: number, first: number) => void;
type FinishFn = () => number;

/** Which build of the module: with wasm SIMD, or plain MVP wasm. */
export type CrcWasmVariant = 'simd' | 'mvp';

/**
 * Inputs from this many bytes on use the fold; below, the table CRC, as the fold's fixed
 * cost per call (zeroing its history, reducing its residual: ≈ 2 µs with SIMD) outweighs
 * its speed. Measured on x64 Node 20 (interleaved, whole module calls incl. the copy):
 * equal at ≈ 4.7 KiB with SIMD, ≈ 8.5 KiB without; with SIMD the fold is 1.5× at 8 KiB,
 * 2.1× at 16 KiB.
 */
const FOLD_MIN: Readonly<Record<CrcWasmVariant, number>> = { simd: 5120, mvp: 9216 };

interface CrcWasm {
  readonly memory: WebAssembly.Memory;
  /** View of memory, renewed if the memory's buffer was ever replaced. */
  heap: Uint8Array;
  readonly ptr: number;
  readonly size: number;
  readonly variant: CrcWasmVariant;
  /** Inputs from this length on run the fold. */
  readonly foldMin: number;
  readonly c: Poly;
  readonly ieee: Poly;
}

interface Poly {
  readonly extend: ExtendFn;
  readonly fold: FoldFn;
  readonly finish: FinishFn;
}

function instantiate(variant: CrcWasmVariant, foldMin = FOLD_MIN[variant]): CrcWasm {
  if (typeof WebAssembly !== 'object' || WebAssembly === null) throw new Error('WebAssembly is not available');
  const module = new WebAssembly.Module(decodeBase64(variant === 'simd' ? CRC_WASM_SIMD_BASE64 : CRC_WASM_BASE64));
  const ex = new WebAssembly.Instance(module, {}).exports as Record<string, unknown>;
  const memory = ex['memory'];
  const ptrG = ex['INPUT_PTR'];
  const sizeG = ex['INPUT_SIZE'];
  const fns = ['extend32c', 'fold32c', 'finish32c', 'extend32', 'fold32', 'finish32'].map((name) => ex[name]);
  if (
    !(memory instanceof WebAssembly.Memory) ||
    !fns.every((f) => typeof f === 'function') ||
    !(ptrG instanceof WebAssembly.Global) ||
    !(sizeG instanceof WebAssembly.Global)
  ) {
    throw new Error('CRC WebAssembly module has unexpected exports');
  }
  const [extend32c, fold32c, finish32c, extend32, fold32, finish32] = fns as [ExtendFn, FoldFn, FinishFn, ExtendFn, FoldFn, FinishFn];
  const ptr = Number(ptrG.value);
  const size = Number(sizeG.value);
  if (!(size > 0) || memory.buffer.byteLength < ptr + size) throw new Error('CRC WebAssembly module has no room for its input buffer');
  const w: CrcWasm = {
    memory,
    heap: new Uint8Array(memory.buffer),
    ptr,
    size,
    variant,
    foldMin: Math.max(4, foldMin), // the fold xors the starting CRC into the first 4 bytes
    c: { extend: extend32c, fold: fold32c, finish: finish32c },
    ieee: { extend: extend32, fold: fold32, finish: finish32 },
  };
  // Self-test on a known answer through both paths, so a broken engine never produces
  // wrong checksums silently.
  const check = [0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]; // "123456789"
  for (const [p, want] of [[w.c, 0xe3069283], [w.ieee, 0xcbf43926]] as const) {
    w.heap.set(check, ptr);
    const table = p.extend(0, ptr, 9) >>> 0;
    p.fold(0, 9, 1);
    if (table !== want || p.finish() >>> 0 !== want) throw new Error('CRC WebAssembly module failed its self-test');
  }
  return w;
}

/** The SIMD build where the engine compiles it, else the MVP build. */
function instantiateBest(): CrcWasm {
  try {
    return instantiate('simd');
  } catch {
    return instantiate('mvp');
  }
}

const crcWasm = lazyInstance('CRC WebAssembly module', instantiateBest);

/** Whether the WebAssembly CRC module can be used here (compiles and instantiates it on first call). */
export function crcWasmAvailable(): boolean {
  return crcWasm.get() !== null;
}

/** Which build is in use: 'simd' or 'mvp' (no wasm SIMD here); null where WebAssembly is unavailable. */
export function crcWasmVariant(): CrcWasmVariant | null {
  return crcWasm.get()?.variant ?? null;
}

/** Why the module is unavailable (the exception from compiling / instantiating it), if it is. */
export function crcWasmLoadError(): unknown {
  return crcWasm.error();
}

function run(w: CrcWasm, p: Poly, crc: number, data: Uint8Array): number {
  let heap = w.heap;
  if (heap.byteLength === 0) heap = w.heap = new Uint8Array(w.memory.buffer); // buffer was detached
  const { ptr, size } = w;
  const n = data.length;
  let c = crc >>> 0;
  if (n >= w.foldMin) {
    for (let off = 0; off < n; off += size) {
      const len = Math.min(size, n - off);
      heap.set(data.subarray(off, off + len), ptr);
      p.fold(c, len, off === 0 ? 1 : 0);
    }
    return p.finish() >>> 0;
  }
  if (n <= size) {
    heap.set(data, ptr);
    return p.extend(c, ptr, n) >>> 0;
  }
  for (let off = 0; off < n; off += size) {
    const len = Math.min(size, n - off);
    heap.set(data.subarray(off, off + len), ptr);
    c = p.extend(c, ptr, len);
  }
  return c >>> 0;
}

/** CRC-32C via WebAssembly, continuing the finalized `crc` (0 to start). Throws if the module is unavailable. */
export function crc32cExtendWasm(crc: number, data: Uint8Array): number {
  const w = crcWasm.need();
  return run(w, w.c, crc, data);
}

/** CRC-32 (IEEE) via WebAssembly, continuing the finalized `crc` (0 to start). Throws if the module is unavailable. */
export function crc32ExtendWasm(crc: number, data: Uint8Array): number {
  const w = crcWasm.need();
  return run(w, w.ieee, crc, data);
}

/**
 * A separate instance of one build, for tests and benchmarks that compare the builds on the
 * same inputs; `foldMin` (default: as measured per build) sets from which input length on
 * the fold runs (at least 4), so tests can run it on small inputs. Throws where that build
 * cannot be compiled.
 */
export function loadCrcWasmVariant(
  variant: CrcWasmVariant,
  foldMin?: number,
): {
  crc32cExtend(crc: number, data: Uint8Array): number;
  crc32Extend(crc: number, data: Uint8Array): number;
} {
  const w = instantiate(variant, foldMin);
  return {
    crc32cExtend: (crc, data) => run(w, w.c, crc, data),
    crc32Extend: (crc, data) => run(w, w.ieee, crc, data),
  };
}
