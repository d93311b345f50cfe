// TF1's Select (tf.compat.v1.where) with a vector condition picks whole rows: condition [N] chooses
// x[i] or y[i] for each i of x's first dimension. tfjs-converter runs Select as tf.where, which
// broadcasts the condition against the last dimension instead (rows became columns, silently, where
// the shapes allowed it). Select is frozen as SelectV2 of the condition reshaped to
// shape(condition) + [1] * (rank(x) - rank(condition)): unchanged for an elementwise condition,
// [N, 1, …] for a vector, all ones for a scalar.
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { nodeBuilder } from './node-builder.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

export function* emitSelectV1(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const { name, out, inputs: resolved } = yield* startRewrite(fz, scope, node, inputs, 'emitted');
  const [c, x, y] = resolved as [string, string, string];

  const i32 = { T: { type: DT.DT_INT32 } };
  const { add, ints } = nodeBuilder(fz, name);
  const constant = (suffix: string, v: number, shape: number[]): string => ints(suffix, [v], shape);
  const missing = add('missing_rank', 'Sub', [add('rank_x', 'Rank', [x], { T: node.attr?.T ?? { type: DT.DT_FLOAT } }), add('rank_condition', 'Rank', [c], { T: { type: DT.DT_BOOL } })], i32);
  const ones = add('ones', 'Fill', [add('ones_shape', 'Reshape', [missing, constant('vector', 1, [1])], { T: { type: DT.DT_INT32 }, Tshape: { type: DT.DT_INT32 } }), constant('one', 1, [])], { T: { type: DT.DT_INT32 }, index_type: { type: DT.DT_INT32 } });
  const shape = add('condition_shape', 'ConcatV2', [add('shape_condition', 'Shape', [c], { T: { type: DT.DT_BOOL }, out_type: { type: DT.DT_INT32 } }), ones, constant('axis', 0, [])], { T: { type: DT.DT_INT32 }, N: { i: 2 }, Tidx: { type: DT.DT_INT32 } });
  const cond = add('condition', 'Reshape', [c, shape], { T: { type: DT.DT_BOOL }, Tshape: { type: DT.DT_INT32 } });
  fz.emit({ name, op: 'SelectV2', input: [cond, x, y], attr: { T: node.attr?.T ?? { type: DT.DT_FLOAT } } });
  return out;
}
