/**
 * CRC-32C (Castagnoli; TFRecord, TensorBundle, LevelDB-style tables) and CRC-32 (IEEE;
 * zip, gzip, PNG) — the public API. Values are finalized CRCs; `…Extend(crc, data)`
 * continues a finalized CRC, so `extend(extend(0, a), b) === crc(a ‖ b)`.
 *
 * Inputs of 32 bytes and more run in WebAssembly (crc32c-wasm.ts; from 5–9 KiB on by a
 * sparse-polynomial fold: on x64 Node 20 ≈ 3.5–4.5 GB/s on large inputs, ≈ 8–10× the
 * JavaScript speed; the table CRC for smaller ones, ≈ 1.5–3×), tiny ones and every
 * environment without WebAssembly use the slicing-by-8 JavaScript implementations (so do all
 * inputs until the module is worth compiling: see DEFER_BELOW). All give
 * identical results. They throw only for inputs that are not bytes (INVALID_ARGUMENT): if
 * the WebAssembly module cannot be compiled or a call into it fails, JavaScript is used.
 */
import { asBytes } from '../bytes.js';
import { crc32ExtendJs } from './crc32-js.js';
import { crc32cExtendJs } from './crc32c-js.js';
import { crc32cExtendWasm, crc32ExtendWasm, crcWasmAvailable, crcWasmLoadError } from './crc32c-wasm.js';
import { WasmDispatch, type Implementation } from '../wasm-dispatch.js';

export { maskCrc, unmaskCrc } from './mask.js';

/** Bytes to checksum: a Uint8Array (Buffer included), any other ArrayBuffer view (its bytes), or an ArrayBuffer. */
export type CrcInput = Uint8Array | ArrayBufferView | ArrayBufferLike;

export type CrcImplementation = Implementation;

/**
 * In 'auto' mode, inputs shorter than this go to JavaScript: below it the fixed cost of a
 * call into WebAssembly (copy + boundary crossing, ≈ 60–100 ns) outweighs the faster loop.
 * Measured on x64 Node 20: JS faster up to ≈ 16 bytes, equal at ≈ 24, WASM ≈ 1.5× at 32.
 */
const SMALL_INPUT = 32;

/**
 * In 'auto' mode the WebAssembly module is compiled only once an input of this size comes, or
 * inputs summing to DEFER_TOTAL went to JavaScript: compiling it costs ~2–3 ms, more than the
 * JavaScript CRC of the few kilobytes a small checkpoint has (`savedmodel verify`).
 */
const DEFER_BELOW = 64 * 1024;
const DEFER_TOTAL = 1024 * 1024;

const dispatch = new WasmDispatch({
  name: 'CRC', available: crcWasmAvailable, loadError: crcWasmLoadError,
  smallMin: SMALL_INPUT, deferBelow: DEFER_BELOW, deferTotal: DEFER_TOTAL,
});

/**
 * Choose the implementation: 'wasm' (every input, also small ones, through WebAssembly),
 * 'js' (JavaScript only) or 'auto' (the default: WebAssembly for inputs of 32 bytes and
 * more when available, JavaScript otherwise). For tests and benchmarks.
 * @throws SavedModelError UNSUPPORTED for 'wasm' where WebAssembly is unavailable.
 */
export function setCrcImplementation(impl: CrcImplementation | 'auto'): void {
  dispatch.set(impl);
}

/**
 * The implementation large inputs use now: 'wasm' once the module compiled (and not set to 'js'),
 * else 'js'. (In 'auto' mode inputs under 32 bytes use JavaScript regardless.)
 */
export function crcImplementation(): CrcImplementation {
  return dispatch.current(true);
}

function toBytes(data: CrcInput): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && data instanceof SharedArrayBuffer)) {
    return new Uint8Array(data);
  }
  // Not bytes (a string, a number, …): a checksum of nothing would silently "match" an empty file.
  return asBytes(data as unknown as ArrayBufferView, 'CRC input');
}

/** CRC-32C of `data` continued from the finalized CRC `crc` (0 to start). */
export function crc32cExtend(crc: number, data: CrcInput): number {
  const bytes = toBytes(data);
  if (dispatch.wasmFor(bytes.length)) {
    try {
      return crc32cExtendWasm(crc, bytes);
    } catch {
      // fall through to JavaScript
    }
  }
  return crc32cExtendJs(crc >>> 0, bytes);
}

/** CRC-32C (Castagnoli) of `data`. */
export function crc32c(data: CrcInput): number {
  return crc32cExtend(0, data);
}

/** CRC-32 (IEEE 802.3, as in zip and gzip) of `data` continued from the finalized CRC `crc` (0 to start). */
export function crc32Extend(crc: number, data: CrcInput): number {
  const bytes = toBytes(data);
  if (dispatch.wasmFor(bytes.length)) {
    try {
      return crc32ExtendWasm(crc, bytes);
    } catch {
      // fall through to JavaScript
    }
  }
  return crc32ExtendJs(crc >>> 0, bytes);
}

/** CRC-32 (IEEE 802.3, as in zip and gzip) of `data`. */
export function crc32(data: CrcInput): number {
  return crc32Extend(0, data);
}
