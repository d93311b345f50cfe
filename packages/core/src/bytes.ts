/**
 * The exact bytes an ArrayBufferView views. Node `Buffer`s from `readFileSync` are often slices of
 * an 8 KiB pool, so `.buffer` is *not* the file: every reader goes through this helper and never
 * touches `.buffer` of a caller's view without its `byteOffset` / `byteLength`.
 */
import { SavedModelError } from './errors.js';

/** A Uint8Array over exactly the bytes `view` covers (no copy). Rejects non-views with INVALID_ARGUMENT. */
export function asBytes(view: ArrayBufferView | ArrayBuffer, what = 'input'): Uint8Array {
  if (view instanceof Uint8Array) {
    // Normalize subclasses (Buffer) to a plain Uint8Array so slice() copies and subarray() semantics match.
    return Object.getPrototypeOf(view) === Uint8Array.prototype ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }
  if (ArrayBuffer.isView(view)) return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  if (view instanceof ArrayBuffer) return new Uint8Array(view);
  throw new SavedModelError('INVALID_ARGUMENT', `${what} must be bytes (Uint8Array, Buffer, ArrayBufferView or ArrayBuffer), got ${describe(view)}`);
}

/**
 * A fresh ArrayBuffer holding exactly the viewed bytes, for APIs that take an ArrayBuffer
 * (typed-array constructors over aligned data). Copies unless the view already covers its whole buffer.
 */
export function exactArrayBuffer(view: ArrayBufferView): ArrayBuffer {
  const b = asBytes(view);
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  return b.slice().buffer as ArrayBuffer;
}

/** Bytes as latin1 text, one character per byte (in 4 KiB pieces: no argument list past the engine's limit). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 4096)));
  }
  return s;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
