// dtype names (tfjs's plus the TensorFlow-only ones a graph function or RawVariable may use)
// <-> TensorFlow's DataType enum.
import { SavedModelError, tensorflow } from '@savedmodel-js/core';
import { quoteSnippet } from '@savedmodel-js/core/internal';

const DT = tensorflow.DataType;

/** A dtype by name: tfjs's ('float32', 'int32', 'bool', 'string') or TensorFlow's Python names. */
export type DTypeName =
  | 'float32' | 'int32' | 'bool' | 'string' | 'complex64'
  | 'float16' | 'float64' | 'bfloat16' | 'int8' | 'int16' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64';

const BY_NAME: Record<string, tensorflow.DataType> = {
  float32: DT.DT_FLOAT, int32: DT.DT_INT32, bool: DT.DT_BOOL, string: DT.DT_STRING, complex64: DT.DT_COMPLEX64,
  float16: DT.DT_HALF, half: DT.DT_HALF, float64: DT.DT_DOUBLE, double: DT.DT_DOUBLE, bfloat16: DT.DT_BFLOAT16,
  int8: DT.DT_INT8, int16: DT.DT_INT16, int64: DT.DT_INT64, uint8: DT.DT_UINT8, uint16: DT.DT_UINT16,
  uint32: DT.DT_UINT32, uint64: DT.DT_UINT64, float: DT.DT_FLOAT,
};

/** DataType enum for a dtype name or enum value. */
export function toDataType(d: string | number): tensorflow.DataType {
  if (typeof d === 'number') {
    if (!Number.isInteger(d) || !(DT as unknown as Record<number, string>)[d]) throw new SavedModelError('INVALID_ARGUMENT', `dtype ${d} is not a TensorFlow DataType number`);
    return d;
  }
  if (typeof d !== 'string') {
    throw new SavedModelError('INVALID_ARGUMENT', `dtype must be a dtype name or DataType number, got ${d === null ? 'null' : Array.isArray(d) ? 'an array' : typeof d}`);
  }
  const name = d.replace(/^tf\./, '');
  // Own keys only: 'constructor' or 'toString' must not resolve to Object.prototype's members.
  if (!Object.hasOwn(BY_NAME, name)) throw new SavedModelError('UNSUPPORTED', `dtype ${quoteSnippet(d)} has no TensorFlow DataType`);
  return BY_NAME[name]!;
}

const PY: Record<number, string> = {
  1: 'float32', 2: 'float64', 3: 'int32', 4: 'uint8', 5: 'int16', 6: 'int8', 7: 'string', 8: 'complex64', 9: 'int64',
  10: 'bool', 14: 'bfloat16', 17: 'uint16', 19: 'float16', 20: 'resource', 22: 'uint32', 23: 'uint64',
};

/** Python-style name of a DataType ('float32', 'int64', ...). */
export function dtypeNameOf(t: tensorflow.DataType): string {
  return PY[t] ?? (DT as unknown as Record<number, string>)[t] ?? String(t);
}

/** Element size in bytes of fixed-width dtypes (undefined for strings / unknown). */
export function elementSize(t: tensorflow.DataType): number | undefined {
  switch (t) {
    case DT.DT_BOOL: case DT.DT_INT8: case DT.DT_UINT8: return 1;
    case DT.DT_INT16: case DT.DT_UINT16: case DT.DT_HALF: case DT.DT_BFLOAT16: return 2;
    case DT.DT_FLOAT: case DT.DT_INT32: case DT.DT_UINT32: return 4;
    case DT.DT_DOUBLE: case DT.DT_INT64: case DT.DT_UINT64: case DT.DT_COMPLEX64: return 8;
    default: return undefined;
  }
}
