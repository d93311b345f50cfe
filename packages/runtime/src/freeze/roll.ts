// Roll (tf.roll: Swin-style shifted windows): elements shifted along axes, wrapping around.
// tfjs-converter has no mapping for it. With constant shift and axis (as tf.roll's callers write
// them), each (shift, axis) pair is frozen as a GatherV2 along the axis of the indices
// (i - shift) mod n, n read from the tensor's shape at run time; pairs apply one after the other
// (rolls along one axis add up, as TensorFlow sums their shifts). Shift or axis computed at run
// time: UNSUPPORTED.
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { nodeBuilder } from './node-builder.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

export function* emitRoll(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const { name, out, inputs: resolved } = yield* startRewrite(fz, scope, node, inputs, 'emitted');
  const [x, shiftRef, axisRef] = resolved as [string, string, string];
  const where = `Roll ${scope.prefix}${node.name} in ${scope.where}`;
  const shifts = fz.constInts(shiftRef)?.map(Number), axes = fz.constInts(axisRef)?.map(Number);
  if (!shifts || !axes) fz.fail('UNSUPPORTED', `${where}: shift and axis must be constants of the graph (they are computed at run time)`);
  if (shifts.length !== axes.length) fz.fail('INVALID_GRAPH', `${where}: ${shifts.length} shifts for ${axes.length} axes (TensorFlow takes one shift per axis)`);
  // the graph computes in int32 (TensorFlow.js has no int64): a shift past it would wrap
  const wide = [...shifts, ...axes].find((v) => !Number.isSafeInteger(v) || Math.abs(v) > 0x7fffffff);
  if (wide !== undefined) fz.fail('UNSUPPORTED', `${where}: shift or axis ${wide} is outside the int32 range TensorFlow.js computes in`);
  const b = nodeBuilder(fz, name);
  const T = { type: node.attr?.T?.type ?? DT.DT_FLOAT };
  const i32 = { type: DT.DT_INT32 };
  if (shifts.length === 0) {
    b.add('', 'Identity', [x], { T }, name);
    return out;
  }
  const zero = b.ints('zero', [0], []), one = b.ints('one', [1], []);
  let cur = x;
  shifts.forEach((shift, k) => {
    const axis = b.ints(`axis_${k}`, [axes[k]!], []);
    // n: the size along the axis (a negative axis counts from the end: rank + axis)
    const dim = axes[k]! >= 0 ? axis : b.add(`dim_${k}`, 'AddV2', [b.add(`rank_${k}`, 'Rank', [cur], { T }), axis], { T: i32 });
    const n = b.add(`size_${k}`, 'GatherV2', [b.add(`shape_${k}`, 'Shape', [cur], { T, out_type: i32 }), dim, zero], { Tparams: i32, Tindices: i32, Taxis: i32, batch_dims: { i: 0 } });
    const positions = b.add(`positions_${k}`, 'Range', [zero, n, one], { Tidx: i32 });
    const from = b.add(`source_${k}`, 'FloorMod', [b.add(`shifted_${k}`, 'Sub', [positions, b.ints(`shift_${k}`, [shift], [])], { T: i32 }), n], { T: i32 });
    const last = k === shifts.length - 1;
    cur = b.add(`rolled_${k}`, 'GatherV2', [cur, from, axis], { Tparams: T, Tindices: i32, Taxis: i32, batch_dims: { i: 0 } }, last ? name : undefined);
  });
  return out;
}
