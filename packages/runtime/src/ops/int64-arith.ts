// int64 arithmetic, checked. TensorFlow.js holds int64 as int32, and its int32 kernels wrap on
// overflow (6·10^9 comes back as 1705032704). The freezer routes int64 Add / Sub / Mul / Neg /
// Square / Abs here (op key `CheckedInt64:<op>`): the result is computed exactly on the host
// (doubles are exact for sums of int32, and a product's magnitude is all the range check needs)
// and any element outside int32 is UNSUPPORTED naming the node, never a wrapped value.
import { backend_util, tensor, type Tensor } from '@tensorflow/tfjs-core';
import { MAX_TENSOR_ELEMENTS } from '@savedmodel-js/core';
import { defineHostOp, hostFail, hostValues } from '../host-ops.js';

export const CHECKED_INT64_PREFIX = 'CheckedInt64:';
const BINARY: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  AddV2: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
};
const UNARY: Record<string, (a: number) => number> = {
  Neg: (a) => -a,
  Square: (a) => a * a,
  Abs: (a) => Math.abs(a),
};
/** TensorFlow ops that are checked when their `T` is DT_INT64. */
export const CHECKED_INT64_OPS: ReadonlySet<string> = new Set([...Object.keys(BINARY), ...Object.keys(UNARY)]);

const MAX = 2147483647;
const MIN = -2147483648;

/** `t`'s values broadcast to `shape` (numpy rules, already checked), read on the host. */
function values(t: Tensor, shape: number[]): ArrayLike<number> {
  const v = hostValues(t);
  const from = t.shape;
  if (from.length === shape.length && from.every((d, i) => d === shape[i])) return v;
  // the stride of each output dimension in t (0 where t broadcasts it)
  const strides = new Array<number>(shape.length).fill(0);
  for (let i = from.length - 1, s = 1; i >= 0; i--) {
    const o = shape.length - from.length + i;
    strides[o] = from[i] === 1 ? 0 : s;
    s *= from[i]!;
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  let src = 0;
  for (let k = 0; k < n; k++) {
    out[k] = v[src]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]!++;
      src += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

for (const op of CHECKED_INT64_OPS) {
  defineHostOp([CHECKED_INT64_PREFIX + op], ({ node, inputs }) => {
    const bin = BINARY[op];
    const a = inputs[0]!;
    const shape = bin ? backend_util.assertAndGetBroadcastShape(a.shape, inputs[1]!.shape) : [...a.shape];
    const size = shape.reduce((p, d) => p * d, 1);
    if (size > MAX_TENSOR_ELEMENTS) hostFail(node, 'LIMIT_EXCEEDED', `operands of shapes [${a.shape.join(', ')}] and [${inputs[1]?.shape.join(', ')}] broadcast to ${size} elements, more than ${MAX_TENSOR_ELEMENTS}`);
    const x = values(a, shape);
    const y = bin ? values(inputs[1]!, shape) : undefined;
    const un = UNARY[op];
    const out = new Int32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const r = bin ? bin(x[i]!, y![i]!) : un!(x[i]!);
      if (r > MAX || r < MIN) {
        hostFail(node, 'UNSUPPORTED', `int64 result ${bin ? `${x[i]} ${op === 'Mul' ? '*' : op === 'Sub' ? '-' : '+'} ${y![i]}` : `${op}(${x[i]})`} = ${r} does not fit the int32 TensorFlow.js computes int64 in`);
      }
      out[i] = r;
    }
    return [tensor(out, shape, 'int32')];
  }, { readsValues: true });
}
