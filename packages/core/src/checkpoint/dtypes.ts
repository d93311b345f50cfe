/**
 * TensorFlow DataType enum (types.proto) and the per-element byte sizes used in
 * checkpoint data files. STRING and VARIANT records are variable-length.
 */
export const DataType = {
  DT_INVALID: 0,
  DT_FLOAT: 1,
  DT_DOUBLE: 2,
  DT_INT32: 3,
  DT_UINT8: 4,
  DT_INT16: 5,
  DT_INT8: 6,
  DT_STRING: 7,
  DT_COMPLEX64: 8,
  DT_INT64: 9,
  DT_BOOL: 10,
  DT_QINT8: 11,
  DT_QUINT8: 12,
  DT_QINT32: 13,
  DT_BFLOAT16: 14,
  DT_QINT16: 15,
  DT_QUINT16: 16,
  DT_UINT16: 17,
  DT_COMPLEX128: 18,
  DT_HALF: 19,
  DT_RESOURCE: 20,
  DT_VARIANT: 21,
  DT_UINT32: 22,
  DT_UINT64: 23,
  // Added after TF 2.9 (values agreed by several copies of types.proto).
  DT_FLOAT8_E5M2: 24,
  DT_FLOAT8_E4M3FN: 25,
  DT_FLOAT8_E4M3FNUZ: 26,
  DT_FLOAT8_E4M3B11FNUZ: 27,
  DT_FLOAT8_E5M2FNUZ: 28,
  DT_INT4: 29,
  DT_UINT4: 30,
  DT_INT2: 31,
  DT_UINT2: 32,
} as const;

export type DataTypeName = keyof typeof DataType;

/** `*_REF` types are base + 100; they only occur in TF1 graphs, never in checkpoints. */
export const REF_OFFSET = 100;

const NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(DataType)) {
  NAMES.set(value, name);
  if (value >= 1 && value <= 23) NAMES.set(value + REF_OFFSET, `${name}_REF`);
}

/** Element sizes of the fixed-width types that can appear in a checkpoint record. */
const ELEMENT_SIZES: ReadonlyMap<number, number> = new Map([
  [DataType.DT_FLOAT, 4],
  [DataType.DT_DOUBLE, 8],
  [DataType.DT_INT32, 4],
  [DataType.DT_UINT8, 1],
  [DataType.DT_INT16, 2],
  [DataType.DT_INT8, 1],
  [DataType.DT_COMPLEX64, 8],
  [DataType.DT_INT64, 8],
  [DataType.DT_BOOL, 1],
  [DataType.DT_QINT8, 1],
  [DataType.DT_QUINT8, 1],
  [DataType.DT_QINT32, 4],
  [DataType.DT_BFLOAT16, 2],
  [DataType.DT_QINT16, 2],
  [DataType.DT_QUINT16, 2],
  [DataType.DT_UINT16, 2],
  [DataType.DT_COMPLEX128, 16],
  [DataType.DT_HALF, 2],
  [DataType.DT_UINT32, 4],
  [DataType.DT_UINT64, 8],
]);

/** "DT_FLOAT" etc.; undefined for numbers that are not DataType values. */
export function dtypeName(dtype: number): string | undefined {
  return NAMES.get(dtype);
}

/** Accepts "DT_FLOAT" or "float"-style short names; undefined if unknown. */
export function dtypeFromName(name: string): number | undefined {
  const upper = name.toUpperCase();
  const full = upper.startsWith('DT_') ? upper : `DT_${upper}`;
  for (const [v, n] of NAMES) if (n === full) return v;
  return undefined;
}

/** Bytes per element for fixed-width dtypes; undefined for STRING, VARIANT, RESOURCE, refs and unknowns. */
export function dtypeElementSize(dtype: number): number | undefined {
  return ELEMENT_SIZES.get(dtype);
}

export function isStringDtype(dtype: number): boolean {
  return dtype === DataType.DT_STRING;
}
