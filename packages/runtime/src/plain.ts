// Plain JavaScript values in and out of a signature (for CLIs and callers that do not build
// TensorFlow.js tensors themselves): numbers, booleans, strings, bigints, nested arrays.
import { SavedModelError, tensorflow } from '@savedmodel-js/core';
import { tensor, type DataType, type Tensor } from '@tensorflow/tfjs-core';
import { dtypeName } from './host-tensor.js';
import type { FrozenTensorInfo } from './freeze.js';
import { tfjsDtype } from './tfjs-model.js';

const DT = tensorflow.DataType;

/** A value for one input: a scalar, a (nested, rectangular) array, or a typed array (1-D). */
export type PlainValue = number | bigint | boolean | string | ArrayLike<unknown> | PlainValue[];

export interface PlainTensor {
  /** TensorFlow.js dtype the value was computed in. */
  dtype: DataType;
  /** TensorFlow dtype the signature declares ('DT_INT64'). */
  tfDtype: string;
  shape: number[];
  /** Flat, row-major. Strings are decoded as UTF-8; bool as booleans. */
  values: number[] | boolean[] | string[];
}

/** Integer range each TF integer dtype accepts; int64/uint64 limited to what int32 TensorFlow.js holds. */
const INT_RANGE: Record<number, [number, number]> = {
  [DT.DT_INT8]: [-128, 127],
  [DT.DT_UINT8]: [0, 255],
  [DT.DT_INT16]: [-32768, 32767],
  [DT.DT_UINT16]: [0, 65535],
  [DT.DT_INT32]: [-2147483648, 2147483647],
  [DT.DT_UINT32]: [0, 2147483647],
  [DT.DT_INT64]: [-2147483648, 2147483647],
  [DT.DT_UINT64]: [0, 2147483647],
};

function isNested(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

/** Shape and flat elements of a nested rectangular array. */
export function flattenNested(value: unknown, what: string, bytesAreLeaves = false): { shape: number[]; flat: unknown[] } {
  const isArrayLike = (x: unknown): x is ArrayLike<unknown> => isNested(x) && !(bytesAreLeaves && x instanceof Uint8Array);
  const shape: number[] = [];
  let probe: unknown = value;
  while (isArrayLike(probe)) {
    shape.push(probe.length);
    probe = probe.length > 0 ? probe[0] : undefined;
  }
  // row-major walk with an explicit stack (ranks of hostile inputs may be deep)
  const flat: unknown[] = [];
  const stack: Array<{ v: ArrayLike<unknown>; i: number }> = [];
  const enter = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (isArrayLike(v)) throw new SavedModelError('INVALID_ARGUMENT', `${what}: ragged nested array (deeper than the first element at depth ${depth})`, { key: what });
      flat.push(v);
      return;
    }
    if (!isArrayLike(v) || v.length !== shape[depth]) {
      throw new SavedModelError('INVALID_ARGUMENT', `${what}: ragged nested array (expected length ${shape[depth]} at depth ${depth})`, { key: what });
    }
    stack.push({ v, i: 0 });
  };
  enter(value, 0);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i >= top.v.length) { stack.pop(); continue; }
    enter(top.v[top.i++], stack.length);
  }
  return { shape, flat };
}

/** A tensor of the dtype TensorFlow.js runs signature input `info` as, from plain values. */
export function plainToTensor(info: FrozenTensorInfo, value: unknown, what: string): Tensor {
  const dtype = tfjsDtype(info.dtype);
  if (!dtype) throw new SavedModelError('UNSUPPORTED', `${what} has dtype ${dtypeName(info.dtype)}`, { key: what });
  const { shape, flat } = flattenNested(value, what, dtype === 'string');
  const bad = (i: number, want: string): never => {
    throw new SavedModelError('INVALID_ARGUMENT', `${what} (${dtypeName(info.dtype)}): element ${i} is ${JSON.stringify(String(flat[i]))}, expected ${want}`, { key: what });
  };
  switch (dtype) {
    case 'string': {
      const enc = new TextEncoder();
      const vals = flat.map((v, i) => (typeof v === 'string' ? enc.encode(v) : v instanceof Uint8Array ? v : bad(i, 'a string')));
      return tensor(vals, shape, 'string');
    }
    case 'bool': {
      const vals = flat.map((v, i) => (typeof v === 'boolean' ? v : v === 0 || v === 1 ? v === 1 : bad(i, 'a boolean')));
      return tensor(vals, shape, 'bool');
    }
    case 'int32': {
      const [lo, hi] = INT_RANGE[info.dtype] ?? [-2147483648, 2147483647];
      const vals = new Int32Array(flat.length);
      flat.forEach((v, i) => {
        const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN;
        if (!Number.isInteger(n)) bad(i, 'an integer');
        if (n < lo || n > hi) bad(i, `an integer in [${lo}, ${hi}]${info.dtype === DT.DT_INT64 || info.dtype === DT.DT_UINT64 ? ' (TensorFlow.js runs 64-bit integers as int32)' : ''}`);
        vals[i] = n;
      });
      return tensor(vals, shape, 'int32');
    }
    case 'float32': {
      const vals = new Float32Array(flat.length);
      flat.forEach((v, i) => {
        if (typeof v !== 'number' && typeof v !== 'bigint') bad(i, 'a number');
        vals[i] = Number(v);
      });
      return tensor(vals, shape, 'float32');
    }
    default:
      throw new SavedModelError('UNSUPPORTED', `${what}: plain values of dtype ${dtype} are not supported`, { key: what });
  }
}

/** Flat values of a result tensor (the tensor is not disposed). */
export async function tensorToPlain(t: Tensor, info: FrozenTensorInfo): Promise<PlainTensor> {
  const data = await t.data();
  let values: number[] | boolean[] | string[];
  if (t.dtype === 'string') {
    const dec = new TextDecoder();
    values = Array.from(data as unknown as ArrayLike<Uint8Array | string>, (b) => (typeof b === 'string' ? b : dec.decode(b)));
  } else if (t.dtype === 'bool') {
    values = Array.from(data as Uint8Array, (b) => b !== 0);
  } else {
    values = Array.from(data as Float32Array | Int32Array);
  }
  return { dtype: t.dtype, tfDtype: dtypeName(info.dtype), shape: [...t.shape], values };
}
