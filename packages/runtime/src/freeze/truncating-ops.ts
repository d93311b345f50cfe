// TensorFlow ops with C semantics (round toward zero) that tfjs-converter runs with Python's (round
// down), or cannot run: integer Div and TruncateDiv (-7 / 2 = -3; tfjs's int division floors to
// -4), Mod and TruncateMod (-7 mod 2 = -1, the sign of the dividend; tfjs's mod gives 1), and an
// integer Mean (TF sums, then divides toward zero, keeping the dtype; tfjs's mean returns a float
// -3.5 for [-3, -4]). Each is frozen as TensorFlow ops tfjs runs exactly: the floor quotient /
// remainder, moved by one where the remainder is non-zero and the operands' signs differ.
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { checkReductionAxes } from './reduction-axes.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

const INT_TYPES: ReadonlySet<number> = new Set([DT.DT_INT8, DT.DT_INT16, DT.DT_INT32, DT.DT_INT64, DT.DT_UINT8, DT.DT_UINT16, DT.DT_UINT32, DT.DT_UINT64]);
const FLOAT_TYPES: ReadonlySet<number> = new Set([DT.DT_FLOAT, DT.DT_DOUBLE, DT.DT_HALF, DT.DT_BFLOAT16]);

export type Truncating = 'div' | 'mod' | 'mean';

/** Which rewrite `node` needs, if any. */
export function truncatingOp(node: tensorflow.INodeDef): Truncating | undefined {
  const t = node.attr?.T?.type ?? 0;
  switch (node.op) {
    case 'Div': case 'TruncateDiv': return INT_TYPES.has(t) ? 'div' : undefined;
    case 'Mod': case 'TruncateMod': return INT_TYPES.has(t) || FLOAT_TYPES.has(t) ? 'mod' : undefined;
    case 'Mean': return INT_TYPES.has(t) ? 'mean' : undefined;
    default: return undefined;
  }
}

/** Emits `node` (see truncatingOp) as exact TensorFlow ops; the last of them keeps the node's name. */
export function* emitTruncating(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[], kind: Truncating): Step<NodeOut> {
  const { name, out, inputs: resolved } = yield* startRewrite(fz, scope, node, inputs, 'emitted');
  const T = node.attr?.T?.type ?? DT.DT_INT32;

  const typed = { T: { type: T } };
  const add = (suffix: string, op: string, input: string[], attr: Record<string, tensorflow.IAttrValue> = typed, as?: string): string => {
    const n = as ?? fz.allocate(`${name}/${suffix}`, false);
    fz.emit({ name: n, op, input, attr });
    return n;
  };
  /** Where floor and truncation differ: a non-zero floor remainder `r` of a / b with a, b of opposite signs (a bool). */
  const differs = (a: string, b: string, r: string): string => {
    const nonZero = add('remainder_nonzero', 'NotEqual', [r, add('zero', 'ZerosLike', [r])]);
    const aNeg = add('x_negative', 'Less', [a, add('x_zero', 'ZerosLike', [a])]);
    const bNeg = add('y_negative', 'Less', [b, add('y_zero', 'ZerosLike', [b])]);
    const signs = add('signs_differ', 'NotEqual', [aNeg, bNeg], { T: { type: DT.DT_BOOL } });
    return add('floor_differs', 'LogicalAnd', [nonZero, signs], {});
  };
  const asT = (suffix: string, x: string, from: number): string => add(suffix, 'Cast', [x], { SrcT: { type: from }, DstT: { type: T }, Truncate: { b: false } });
  const truncDiv = (a: string, b: string, as?: string): string => {
    const q = add('floor_quotient', 'FloorDiv', [a, b]);
    const r = add('floor_remainder', 'FloorMod', [a, b]);
    return add('quotient', 'AddV2', [q, asT('step', differs(a, b, r), DT.DT_BOOL)], typed, as);
  };

  switch (kind) {
    case 'div':
      truncDiv(resolved[0]!, resolved[1]!, name);
      break;
    case 'mod': {
      // C's remainder = the floor remainder, less b where the two differ
      const [a, b] = [resolved[0]!, resolved[1]!];
      const r = add('floor_remainder', 'FloorMod', [a, b]);
      add('remainder', 'Sub', [r, add('correction', 'Mul', [b, asT('step', differs(a, b, r), DT.DT_BOOL)])], typed, name);
      break;
    }
    case 'mean': {
      // the sum (exact in int), divided toward zero by the count of reduced elements
      const [x, axes] = [resolved[0]!, resolved[1]!];
      checkReductionAxes(fz, scope, node, axes);
      const sum = add('sum', 'Sum', [x, axes], { T: { type: T }, Tidx: node.attr?.Tidx ?? { type: DT.DT_INT32 }, keep_dims: node.attr?.keep_dims ?? { b: false } });
      const size = (suffix: string, of: string) => add(suffix, 'Size', [of], { T: { type: T }, out_type: { type: DT.DT_INT32 } });
      const one = fz.allocate(`${name}/one`, false);
      fz.addConst(one, { dtype: DT.DT_INT32, shape: [], values: Int32Array.from([1]) });
      const i32 = { T: { type: DT.DT_INT32 } };
      // count = size(x) / max(size(sum), 1), at least 1 (an empty x sums to 0)
      const perResult = add('results', 'Maximum', [size('size_sum', sum), one], i32);
      const count = add('count', 'Maximum', [add('count_raw', 'FloorDiv', [size('size_x', x), perResult], i32), one], i32);
      truncDiv(sum, asT('count_t', count, DT.DT_INT32), name);
      break;
    }
  }
  return out;
}
