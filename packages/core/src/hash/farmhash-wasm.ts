/**
 * Loader for the FarmHash Fingerprint64 WebAssembly module (source: wasm/farmhash/farmhash.ts,
 * built by scripts/build-wasm.mjs into farmhash-wasm.gen.ts). As the CRC loader: base64 → bytes
 * without Buffer, synchronous `new WebAssembly.Module` / `Instance` on first use (the module is
 * under 4 KiB, which every engine allows synchronously, also on a browser main thread), a
 * self-test on known answers before first use.
 *
 * The module reads only its own memory, so input is copied into its fixed buffer (INPUT_SIZE
 * bytes at INPUT_PTR, a multiple of 64): inputs that fit go through `hash64(n)` in one call;
 * longer ones feed farmhash's >64-byte loop chunk by chunk (`update`, the loop's state stays
 * in the module), then the input's last 64 bytes go to LAST_PTR for `finish` (farmhash's last
 * block reads exactly those, overlapping what the loop consumed). Results cross as i64, i.e.
 * BigInt (an engine without that fails the self-test, and JavaScript is used).
 *
 * Callers normally use farmhash.ts, which falls back to JavaScript when this is unavailable.
 */
import { decodeBase64, lazyInstance } from '../wasm-module.js';
import { FARMHASH_WASM_BASE64 } from './farmhash-wasm.gen.js';

interface FarmWasm {
  readonly memory: WebAssembly.Memory;
  /** View of memory, renewed if the memory's buffer was ever replaced. */
  heap: Uint8Array;
  readonly ptr: number;
  readonly size: number;
  readonly lastPtr: number;
  readonly hash64: (n: number) => bigint;
  readonly update: (n: number, first: number) => void;
  readonly finish: (tail: number) => bigint;
}

// Known answers of Google's C++ FarmHash (the `farmhash` npm package) for the bytes
// (i * 131 + 7) & 255: the 17..32 path, one block + last block, and several blocks.
const KNOWN: readonly (readonly [number, bigint])[] = [
  [24, 6000570719063355126n],
  [65, 10938277795795887744n],
  [1000, 17079257492731967287n],
];

function instantiate(chunk?: number): FarmWasm {
  if (typeof WebAssembly !== 'object' || WebAssembly === null) throw new Error('WebAssembly is not available');
  const module = new WebAssembly.Module(decodeBase64(FARMHASH_WASM_BASE64));
  const ex = new WebAssembly.Instance(module, {}).exports as Record<string, unknown>;
  const memory = ex['memory'];
  const globals = ['INPUT_PTR', 'INPUT_SIZE', 'LAST_PTR'].map((name) => ex[name]);
  const fns = ['hash64', 'update', 'finish'].map((name) => ex[name]);
  if (
    !(memory instanceof WebAssembly.Memory) ||
    !fns.every((f) => typeof f === 'function') ||
    !globals.every((g) => g instanceof WebAssembly.Global)
  ) {
    throw new Error('FarmHash WebAssembly module has unexpected exports');
  }
  const [ptr, size, lastPtr] = (globals as WebAssembly.Global[]).map((g) => Number(g.value)) as [number, number, number];
  const [hash64, update, finish] = fns as [FarmWasm['hash64'], FarmWasm['update'], FarmWasm['finish']];
  if (!(size >= 64) || size % 64 !== 0 || memory.buffer.byteLength < ptr + size || memory.buffer.byteLength < lastPtr + 64) {
    throw new Error('FarmHash WebAssembly module has no room for its buffers');
  }
  // `chunk` (tests only): a smaller buffer, so chunk boundaries come at small lengths.
  const w: FarmWasm = {
    memory, heap: new Uint8Array(memory.buffer), ptr, size: chunk === undefined ? size : Math.min(size, chunk), lastPtr,
    hash64, update, finish,
  };
  if (w.size < 64 || w.size % 64 !== 0) throw new Error('FarmHash WebAssembly chunk size must be a positive multiple of 64');
  // Self-test through both entry points, so a broken engine never writes wrong fingerprints.
  for (const [n, want] of KNOWN) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = (i * 131 + 7) & 255;
    if (hashWith(w, bytes) !== want || (n > 64 && streamed(w, bytes, 64) !== want)) {
      throw new Error('FarmHash WebAssembly module failed its self-test');
    }
  }
  return w;
}

const farmWasm = lazyInstance('FarmHash WebAssembly module', () => instantiate());

/** Whether the WebAssembly FarmHash can be used here (compiles and instantiates it on first call). */
export function farmhashWasmAvailable(): boolean {
  return farmWasm.get() !== null;
}

/** Why the module is unavailable (the exception from compiling / instantiating it), if it is. */
export function farmhashWasmLoadError(): unknown {
  return farmWasm.error();
}

function heapOf(w: FarmWasm): Uint8Array {
  if (w.heap.byteLength === 0) w.heap = new Uint8Array(w.memory.buffer); // buffer was detached
  return w.heap;
}

/** The loop over chunks of `chunk` bytes (a multiple of 64), then the last 64 bytes; data.length > 64. */
function streamed(w: FarmWasm, data: Uint8Array, chunk: number): bigint {
  const heap = heapOf(w);
  const n = data.length;
  const end = Math.floor((n - 1) / 64) * 64; // the loop's blocks; the last block is separate
  for (let off = 0; off < end; off += chunk) {
    const len = Math.min(chunk, end - off);
    heap.set(data.subarray(off, off + len), w.ptr);
    w.update(len, off === 0 ? 1 : 0);
  }
  heap.set(data.subarray(n - 64, n), w.lastPtr);
  return BigInt.asUintN(64, w.finish((n - 1) & 63));
}

function hashWith(w: FarmWasm, data: Uint8Array): bigint {
  const n = data.length;
  if (n <= w.size) {
    heapOf(w).set(data, w.ptr);
    return BigInt.asUintN(64, w.hash64(n));
  }
  return streamed(w, data, w.size);
}

/** Fingerprint64 via WebAssembly, any length. Throws if the module is unavailable. */
export function fingerprint64Wasm(data: Uint8Array): bigint {
  return hashWith(farmWasm.need(), data);
}

/**
 * A separate instance (tests and benchmarks) whose input buffer is used `chunk` bytes at a time
 * (a positive multiple of 64, at most the module's INPUT_SIZE; default all of it), so chunk
 * boundaries can be tested at small lengths. Throws where the module cannot be loaded.
 */
export function loadFarmhashWasm(chunk?: number): { fingerprint64(data: Uint8Array): bigint; readonly chunk: number } {
  const w = instantiate(chunk);
  return { fingerprint64: (data) => hashWith(w, data), chunk: w.size };
}
