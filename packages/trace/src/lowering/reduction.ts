// Reductions and arg-reductions: tfjs axis attrs become TF reduction_indices inputs.
import { axesOf, castTo, DT } from './common.js';
import type { Lowering, LoweringContext } from './types.js';

function reduce(op: string, axisAttr = 'axis'): Lowering {
  return (c: LoweringContext) => {
    const axes = axesOf(c.attrs[axisAttr], c);
    // tfjs may reduce in another dtype than it got (e.g. sum of bools is int32)
    const x = castTo(c, c.input('x'), c.outputs[0]!.dtype);
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
  Max: reduce('Max', 'reductionIndices'),
  Min: reduce('Min'),
  All: reduce('All'),
  Any: reduce('Any'),
  ArgMax: argReduce('ArgMax'),
  ArgMin: argReduce('ArgMin'),
  Cumsum: cumulative('Cumsum'),
  Cumprod: cumulative('Cumprod'),
};
