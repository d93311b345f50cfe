// Reductions and arg-reductions: tfjs axis attrs become TF reduction_indices inputs.
import { axesOf, castTo, DT, rankOf } from './common.js';
import type { Lowering, LoweringContext } from './types.js';
import { REDUCTION_AXIS_ATTR } from '../reductions.js';

function reduce(op: string): Lowering {
  const axisAttr = REDUCTION_AXIS_ATTR[op] ?? 'axis';
  return (c: LoweringContext) => {
    // tfjs may reduce in another dtype than it got (e.g. sum of bools is int32)
    const x = castTo(c, c.input('x'), c.outputs[0]!.dtype);
    // axis null (tf.mean(x)): every axis
    const all = c.attrs[axisAttr] == null;
    const axes = all ? Array.from({ length: rankOf(x, c) }, (_, i) => i) : axesOf(c.attrs[axisAttr], c);
    // tfjs 4.x reduces a repeated axis into garbage (Sum over [1, 1] of a [2, 3] tensor: all six
    // elements; Mean divides by 9); TensorFlow refuses it: no graph to write
    if (!all && axes.length > 1) {
      const rank = rankOf(x, c);
      const seen = new Set<number>();
      for (const a of axes) {
        const d = a < 0 ? a + rank : a;
        if (seen.has(d)) throw c.fail(`axes [${axes.join(', ')}] name axis ${d} twice: TensorFlow refuses duplicate reduction axes (and tfjs's result for them is not a reduction over that axis)`);
        seen.add(d);
      }
    }
    return c.emit1(op, [x, c.constant(DT.DT_INT32, [axes.length], axes)], { keep_dims: c.bool('keepDims', false) });
  };
}

function argReduce(op: string): Lowering {
  return (c: LoweringContext) =>
    c.emit1(op, [c.input('x'), c.constant(DT.DT_INT32, [], [c.num('axis')])], { output_type: DT.DT_INT32 });
}

function cumulative(op: string): Lowering {
  return (c: LoweringContext) =>
    c.emit1(op, [c.input('x'), c.constant(DT.DT_INT32, [], [c.num('axis')])], { exclusive: c.bool('exclusive', false), reverse: c.bool('reverse', false) });
}

export const REDUCTION: Record<string, Lowering> = {
  Sum: reduce('Sum'),
  Mean: reduce('Mean'),
  Prod: reduce('Prod'),
  Max: reduce('Max'),
  Min: reduce('Min'),
  All: reduce('All'),
  Any: reduce('Any'),
  ArgMax: argReduce('ArgMax'),
  ArgMin: argReduce('ArgMin'),
  Cumsum: cumulative('Cumsum'),
  Cumprod: cumulative('Cumprod'),
};
