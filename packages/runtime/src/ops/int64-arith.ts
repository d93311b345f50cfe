// int64 arithmetic, checked. TensorFlow.js holds int64 as int32, and its int32 kernels wrap on
// overflow (6·10^9 comes back as 1705032704). The freezer routes int64 Add / Sub / Mul / Neg /
// Square / Abs here (op key `CheckedInt64:<op>`): the result is computed exactly on the host
// (doubles are exact for sums of int32, and a product's magnitude is all the range check needs)
// and any element outside int32 is UNSUPPORTED naming the node, never a wrapped value.
import { backend_util, broadcastTo, tensor, type Tensor } from '@tensorflow/tfjs-core';
import { defineHostOp, hostFail } from '../host-ops.js';

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

function values(t: Tensor, shape: number[]): Int32Array {
  const b = t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : broadcastTo(t, shape);
  try {
    return b.dataSync() as Int32Array;
  } finally {
    if (b !== t) b.dispose();
  }
}

for (const op of CHECKED_INT64_OPS) {
  defineHostOp([CHECKED_INT64_PREFIX + op], ({ node, inputs }) => {
    const bin = BINARY[op];
    const a = inputs[0]!;
    const shape = bin ? backend_util.assertAndGetBroadcastShape(a.shape, inputs[1]!.shape) : [...a.shape];
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
  });
}
