import { tensorflow } from '../proto/index.js';

/** 'DT_FLOAT' for 1, etc.; numbers our enum does not know print as the number. */
export function dtypeLabel(dtype: number | null | undefined): string {
  const name = (tensorflow.DataType as unknown as Record<number, string>)[dtype ?? 0];
  return name ?? String(dtype);
}

/** Python's tf.DType repr: tf.float32, tf.int64, … */
const PY_DTYPE: Record<number, string> = {
  1: 'float32', 2: 'float64', 3: 'int32', 4: 'uint8', 5: 'int16', 6: 'int8', 7: 'string', 8: 'complex64',
  9: 'int64', 10: 'bool', 11: 'qint8', 12: 'quint8', 13: 'qint32', 14: 'bfloat16', 15: 'qint16', 16: 'quint16',
  17: 'uint16', 18: 'complex128', 19: 'float16', 20: 'resource', 21: 'variant', 22: 'uint32', 23: 'uint64',
};

export function pyDtypeName(dtype: number | null | undefined): string {
  return `tf.${PY_DTYPE[dtype ?? 0] ?? 'invalid'}`;
}
