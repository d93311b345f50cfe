// NonMaxSuppressionV5 (tf.image.non_max_suppression_with_scores / _padded) has three outputs:
// selected_indices, selected_scores and valid_outputs, the first two padded with zeros to
// max_output_size when pad_to_max_output_size is set. tfjs-converter's NonMaxSuppressionV5 gives
// the first two only, never padded: a graph reading valid_outputs failed, a padded one got shorter
// outputs. Frozen as the op (unpadded) followed by Size for valid_outputs and, if asked, Pad.
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { nodeBuilder } from './node-builder.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

export function* emitNmsV5(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const { name, out, inputs: resolved } = yield* startRewrite(fz, scope, node, inputs, 'values');

  const pad = node.attr?.pad_to_max_output_size?.b ?? false;
  const attr = fz.copyAttrs(node);
  attr.pad_to_max_output_size = { b: false };
  const core = pad ? fz.allocate(`${name}/unpadded`, false) : name;
  fz.emit({ name: core, op: 'NonMaxSuppressionV5', input: resolved, attr });
  const { add } = nodeBuilder(fz, name);
  const i32 = { type: DT.DT_INT32 };
  const valid = add('valid_outputs', 'Size', [core], { T: i32, out_type: i32 });
  if (!pad) {
    out.vals.push({ t: 'tensor', ref: core }, { t: 'tensor', ref: `${core}:1` }, { t: 'tensor', ref: valid });
    return out;
  }
  // paddings [[0, max_output_size - valid]] (max_output_size is a scalar input)
  const zero = fz.allocate(`${name}/zero`, false);
  fz.addConst(zero, { dtype: DT.DT_INT32, shape: [], values: Int32Array.from([0]) });
  const shape = fz.allocate(`${name}/paddings_shape`, false);
  fz.addConst(shape, { dtype: DT.DT_INT32, shape: [2], values: Int32Array.from([1, 2]) });
  const missing = add('missing', 'Sub', [resolved[2]!, valid], { T: i32 });
  const paddings = add('paddings', 'Reshape', [add('pair', 'Pack', [zero, missing], { T: i32, N: { i: 2 }, axis: { i: 0 } }), shape], { T: i32, Tshape: i32 });
  const padded = (suffix: string, x: string, t: number): string => add(suffix, 'Pad', [x, paddings], { T: { type: t }, Tpaddings: i32 });
  out.vals.push(
    { t: 'tensor', ref: padded('selected_indices', core, DT.DT_INT32) },
    { t: 'tensor', ref: padded('selected_scores', `${core}:1`, node.attr?.T?.type ?? DT.DT_FLOAT) },
    { t: 'tensor', ref: valid },
  );
  return out;
}
