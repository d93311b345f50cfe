// Reading a weight held by tfjs-backend-wasm straight out of the wasm heap, piece by piece, into
// the caller's buffers: data() would first copy the whole tensor into a fresh ArrayBuffer.
// Uses two members of the wasm backend that its own kernels use (typedArrayFromHeap, dataIdMap),
// feature-tested: any other backend, dtype or shape of the backend object gives undefined, and
// the caller reads with data() instead.
import { backend as currentBackend, reshape, type Tensor } from '@tensorflow/tfjs';
import { SavedModelError, type TensorByteReader } from '@savedmodel-js/core';

interface HeapBackend {
  typedArrayFromHeap(t: { dataId: object; shape: number[]; dtype: string }): ArrayBufferView;
  dataIdMap: { has(dataId: object): boolean };
}

const ELEMENT_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

function isHeapBackend(b: unknown): b is HeapBackend {
  const x = b as Partial<HeapBackend> | null;
  return !!x && typeof x === 'object' && typeof x.typedArrayFromHeap === 'function' &&
    !!x.dataIdMap && typeof x.dataIdMap.has === 'function';
}

interface TensorLike { dataId: object; shape: number[]; dtype: string; isDisposed?: boolean; name?: string }

/** Whether openHeapReader can read `t` (the current backend is a wasm heap holding it), pinning nothing. */
export function heapHolds(t: { dataId?: object; dtype: string }): boolean {
  if (!t.dataId || ELEMENT_BYTES[t.dtype] === undefined) return false;
  let b: unknown;
  try { b = currentBackend(); } catch { return false; }
  return isHeapBackend(b) && b.dataIdMap.has(t.dataId);
}

/**
 * A reader over `t`'s bytes in the wasm heap, or undefined where that is not possible. The value
 * is pinned for the reader's life by a reshape to the same shape (tfjs's wasm Reshape kernel
 * shares the data and counts a reference, no copy): an assign or dispose of the variable
 * meanwhile neither frees nor changes what is read. Each read() takes a fresh view of the heap
 * (the heap's ArrayBuffer is replaced when wasm memory grows) and copies synchronously, so no
 * view of the heap outlives the call.
 */
export function openHeapReader(t: TensorLike): TensorByteReader | undefined {
  const elementBytes = ELEMENT_BYTES[t.dtype];
  if (elementBytes === undefined || t.isDisposed) return undefined;
  let b: unknown;
  try { b = currentBackend(); } catch { return undefined; }
  if (!isHeapBackend(b) || !b.dataIdMap.has(t.dataId)) return undefined;
  const byteLength = t.shape.reduce((a, d) => a * d, 1) * elementBytes;
  let pinned: Tensor | undefined;
  try {
    pinned = reshape(t as unknown as Tensor, t.shape);
    if (pinned.dataId !== t.dataId) throw new Error('reshape copied');
    if (view(b, pinned).byteLength !== byteLength) throw new Error('unexpected heap view');
  } catch {
    pinned?.dispose();
    return undefined;
  }
  const heap = b;
  const p = pinned;
  const label = t.name ?? 'tensor';
  return {
    byteLength,
    read(offset, target) {
      if (offset < 0 || offset + target.length > byteLength) {
        throw new SavedModelError('INVALID_ARGUMENT', `read of bytes [${offset}, ${offset + target.length}) outside ${label}'s ${byteLength}`);
      }
      try {
        const v = view(heap, p);
        target.set(new Uint8Array(v.buffer, v.byteOffset + offset, target.length));
      } catch (e) {
        throw new SavedModelError('INVALID_ARGUMENT', `variable ${label} could not be read from the wasm backend: ${(e as Error)?.message ?? String(e)}`, { key: label, cause: e });
      }
    },
    close() {
      p.dispose();
    },
  };
}

function view(b: HeapBackend, t: Tensor): ArrayBufferView {
  return b.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
}
