// MatrixBandPart (tf.linalg.band_part: causal attention masks are band_part(ones, -1, 0)) keeps
// input[..., i, j] where (num_lower < 0 or i - j <= num_lower) and (num_upper < 0 or j - i <=
// num_upper). tfjs-converter 4.x maps num_upper to the op's second input, num_lower's: every band
// came out symmetric (band_part(x, -1, 0) kept all of x, band_part(x, 0, -1) only its diagonal).
// Frozen as that mask, built from Range over the last two dimensions, selecting x or zero.
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { nodeBuilder } from './node-builder.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

export function* emitBandPart(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const { name, out, inputs: resolved } = yield* startRewrite(fz, scope, node, inputs, 'emitted');
  const [x, lowerIn, upperIn] = resolved as [string, string, string];

  const T = { type: node.attr?.T?.type ?? DT.DT_FLOAT };
  const i32 = { type: DT.DT_INT32 };
  const index = node.attr?.Tindex?.type ?? DT.DT_INT64;
  const { add, ints } = nodeBuilder(fz, name);
  const asInt32 = (suffix: string, v: string) => (index === DT.DT_INT32 ? v : add(suffix, 'Cast', [v], { SrcT: { type: index }, DstT: i32, Truncate: { b: false } }));
  const [lower, upper] = [asInt32('num_lower', lowerIn), asInt32('num_upper', upperIn)];
  // rows M and columns N: the last two dimensions of x
  const shape = add('shape', 'Shape', [x], { T, out_type: i32 });
  const dim = (suffix: string, begin: number, end: number, endMask: number) => add(suffix, 'StridedSlice', [shape, ints(`${suffix}_begin`, [begin], [1]), ints(`${suffix}_end`, [end], [1]), ints(`${suffix}_stride`, [1], [1])], {
    T: i32, Index: i32, begin_mask: { i: 0 }, end_mask: { i: endMask }, ellipsis_mask: { i: 0 }, new_axis_mask: { i: 0 }, shrink_axis_mask: { i: 1 },
  });
  const zero = ints('zero', [0], []), one = ints('one', [1], []);
  const range = (suffix: string, limit: string, to: number[]) => add(`${suffix}_index`, 'Reshape', [add(suffix, 'Range', [zero, limit, one], { Tidx: i32 }), ints(`${suffix}_shape`, to, [2])], { T: i32, Tshape: i32 });
  const rows = range('rows', dim('m', -2, -1, 0), [-1, 1]);
  const cols = range('cols', dim('n', -1, 0, 1), [1, -1]);
  const below = add('i_minus_j', 'Sub', [rows, cols], { T: i32 }); // [M, N]
  const above = add('j_minus_i', 'Neg', [below], { T: i32 });
  const within = (suffix: string, offset: string, limit: string) => add(suffix, 'LogicalOr', [add(`${suffix}_unbounded`, 'Less', [limit, zero], { T: i32 }), add(`${suffix}_near`, 'LessEqual', [offset, limit], { T: i32 })], {});
  const mask = add('in_band', 'LogicalAnd', [within('lower_ok', below, lower), within('upper_ok', above, upper)], {});
  fz.emit({ name, op: 'SelectV2', input: [mask, x, add('zeros', 'ZerosLike', [x], { T })], attr: { T } });
  return out;
}
