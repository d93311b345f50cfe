// Host-side tensor values (no TensorFlow.js): TensorProto decoding and checkpoint values, in
// TensorFlow's own dtypes. Conversion to TensorFlow.js dtypes happens in tfjs-model.ts.
import { MemoryBudget, SavedModelError, tensorflow, type NumericTensorValue, type TensorValue } from '@savedmodel-js/core';
import { checkedElementCount, toNumber } from '@savedmodel-js/core/internal';

const DT = tensorflow.DataType;

/** A tensor value in TensorFlow terms: TF DataType number, static shape, flat row-major values. */
export interface HostTensor {
  dtype: number;
  shape: number[];
  /** Typed array of the dtype's natural JS view (BigInt64Array for int64, Uint16Array bits for half), or byte strings. */
  values: TensorValue;
}

export function dtypeName(dtype: number | null | undefined): string {
  return (tensorflow.DataType as unknown as Record<number, string>)[dtype ?? 0] ?? `DT_${String(dtype)}`;
}

export function shapeOf(shape: tensorflow.ITensorShapeProto | null | undefined): number[] | null {
  if (!shape || shape.unknown_rank) return null;
  return (shape.dim ?? []).map((d) => toNumber(d.size));
}

export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Bytes a string element costs besides its contents (array slot, view object), for the budget. */
export const STRING_ELEMENT_OVERHEAD = 64;

type Ctor = new (n: number) => NumericTensorValue;

const CTOR: Record<number, Ctor> = {
  [DT.DT_FLOAT]: Float32Array,
  [DT.DT_DOUBLE]: Float64Array,
  [DT.DT_INT32]: Int32Array,
  [DT.DT_UINT8]: Uint8Array,
  [DT.DT_INT16]: Int16Array,
  [DT.DT_INT8]: Int8Array,
  [DT.DT_INT64]: BigInt64Array,
  [DT.DT_BOOL]: Uint8Array,
  [DT.DT_UINT16]: Uint16Array,
  [DT.DT_HALF]: Uint16Array,
  [DT.DT_BFLOAT16]: Uint16Array,
  [DT.DT_UINT32]: Uint32Array,
  [DT.DT_UINT64]: BigUint64Array,
  [DT.DT_COMPLEX64]: Float32Array,
  [DT.DT_COMPLEX128]: Float64Array,
};

/** Elements per value for complex types (interleaved real, imaginary). */
function lanes(dtype: number): number {
  return dtype === DT.DT_COMPLEX64 || dtype === DT.DT_COMPLEX128 ? 2 : 1;
}

function byteView(ctor: Ctor, bytes: Uint8Array, count: number, what: string): NumericTensorValue {
  const bpe = (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (bytes.length !== count * bpe) {
    throw new SavedModelError('CORRUPT', `${what}: tensor_content has ${bytes.length} bytes, expected ${count * bpe}`, { key: what });
  }
  const copy = bytes.slice(); // aligned fresh buffer
  return new (ctor as unknown as new (b: ArrayBufferLike) => NumericTensorValue)(copy.buffer);
}

/**
 * Values of a TensorProto, as TensorFlow reads them: tensor_content (raw little-endian) when
 * present, otherwise the typed `*_val` field, where a shorter list is padded with its last
 * value (a single value fills the tensor) and an empty list means zeros. The element count is
 * checked and the bytes reserved in `budget` before anything is allocated (a `shape [3e8]`
 * with one `float_val` is LIMIT_EXCEEDED, not 1.2 GB).
 */
export function decodeTensorProto(t: tensorflow.ITensorProto, what = 'tensor', budget: MemoryBudget = new MemoryBudget()): HostTensor {
  const dtype = t.dtype ?? 0;
  const shape = shapeOf(t.tensor_shape) ?? [];
  if (shape.some((d) => d < 0)) throw new SavedModelError('INVALID_GRAPH', `${what}: constant with unknown dimension`, { key: what });
  const details = { key: what };
  let n: number;
  try {
    n = checkedElementCount(shape);
  } catch (e) {
    const err = e as SavedModelError;
    throw new SavedModelError(err.code, `constant ${what}: ${err.message}`, { ...details, cause: e });
  }
  const label = `constant ${what} (shape [${shape.join(', ')}])`;
  if (dtype === DT.DT_STRING) {
    const src = t.string_val ?? [];
    let bytes = n * STRING_ELEMENT_OVERHEAD;
    for (let i = 0; i < Math.min(n, src.length); i++) bytes += src[i]!.length;
    if (n > src.length && src.length > 0) bytes += (n - src.length) * src[src.length - 1]!.length;
    budget.take(bytes, label, details);
    const out: Uint8Array[] = new Array<Uint8Array>(n);
    const have = Math.min(n, src.length);
    for (let i = 0; i < have; i++) out[i] = src[i]!.slice();
    // the padding elements share one copy (values are never written in place)
    const pad = have > 0 ? out[have - 1]! : new Uint8Array(0);
    for (let i = have; i < n; i++) out[i] = pad;
    return { dtype, shape, values: out };
  }
  const ctor = CTOR[dtype];
  if (!ctor) throw new SavedModelError('UNSUPPORTED', `${what}: constants of dtype ${dtypeName(dtype)} are not supported`, details);
  const count = n * lanes(dtype);
  const bpe = (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  budget.take(count * bpe, label, details);
  const content = t.tensor_content;
  if (content && content.length > 0) return { dtype, shape, values: byteView(ctor, content, count, what) };

  let src: ArrayLike<unknown>;
  switch (dtype) {
    case DT.DT_FLOAT: src = t.float_val ?? []; break;
    case DT.DT_DOUBLE: src = t.double_val ?? []; break;
    case DT.DT_INT64: src = t.int64_val ?? []; break;
    case DT.DT_UINT64: src = t.uint64_val ?? []; break;
    case DT.DT_UINT32: src = t.uint32_val ?? []; break;
    case DT.DT_BOOL: src = t.bool_val ?? []; break;
    case DT.DT_HALF: case DT.DT_BFLOAT16: src = t.half_val ?? []; break;
    case DT.DT_COMPLEX64: src = t.scomplex_val ?? []; break;
    case DT.DT_COMPLEX128: src = t.dcomplex_val ?? []; break;
    default: src = t.int_val ?? []; // INT32, INT16, INT8, UINT8, UINT16
  }
  const out = new ctor(count);
  const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
  const l = lanes(dtype);
  const have = Math.min(n, Math.floor(src.length / l));
  const convert = (v: unknown): number | bigint => {
    if (big) return typeof v === 'object' && v !== null ? BigInt(String(v)) : BigInt(v as number);
    return typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'object' && v !== null ? toNumber(v as never) : (v as number);
  };
  const put = out as unknown as { [i: number]: number | bigint; fill(v: number | bigint, start: number): unknown };
  for (let i = 0; i < have * l; i++) put[i] = convert(src[i]);
  if (have > 0 && have < n) {
    // the last value fills the rest (converted once: an int64 splat of 2e8 is one fill)
    if (l === 1) put.fill(convert(src[have - 1]), have);
    else for (let i = have; i < n; i++) for (let k = 0; k < l; k++) put[i * l + k] = put[(have - 1) * l + k]!;
  }
  return { dtype, shape, values: out };
}
