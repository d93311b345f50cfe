// SpaceToDepth (tf.nn.space_to_depth: YOLO-style reorg layers) moves each block_size × block_size
// patch of an NHWC tensor into channels: out[n, i, j, (bi·b + bj)·C + c] = x[n, i·b + bi, j·b + bj, c].
// tfjs-converter has no mapping for it (only DepthToSpace). Frozen as Reshape to
// [N, H/b, b, W/b, b, C], Transpose [0, 1, 3, 2, 4, 5], Reshape to [N, H/b, W/b, b·b·C], the sizes
// read from the input's shape at run time (H or W not divisible by b fails in the Reshape, as
// TensorFlow refuses it). NCHW goes through Transposes to NHWC and back.
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { nodeBuilder } from './node-builder.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

export function* emitSpaceToDepth(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const { name, out, inputs: resolved } = yield* startRewrite(fz, scope, node, inputs, 'emitted');
  const where = `SpaceToDepth ${scope.prefix}${node.name} in ${scope.where}`;
  const block = Number(node.attr?.block_size?.i ?? 0);
  if (!Number.isSafeInteger(block) || block < 2) fz.fail('INVALID_GRAPH', `${where}: block_size ${block} (TensorFlow takes at least 2)`);
  // block² is an int32 of the graph; no real model comes near
  if (block > 46340) fz.fail('UNSUPPORTED', `${where}: block_size ${block} (its square is past int32)`);
  const format = String.fromCharCode(...(node.attr?.data_format?.s ?? []));
  if (format !== '' && format !== 'NHWC' && format !== 'NCHW') fz.fail('UNSUPPORTED', `${where}: data_format ${format} (NHWC and NCHW run)`);
  const nchw = format === 'NCHW';
  const b = nodeBuilder(fz, name);
  const T = { type: node.attr?.T?.type ?? DT.DT_FLOAT };
  const i32 = { type: DT.DT_INT32 };
  const x = nchw ? b.add('to_nhwc', 'Transpose', [resolved[0]!, b.ints('to_nhwc_perm', [0, 2, 3, 1], [4])], { T, Tperm: i32 }) : resolved[0]!;
  const shape = b.add('shape', 'Shape', [x], { T, out_type: i32 });
  const dim = (i: number) => b.add(`dim_${i}`, 'GatherV2', [shape, b.ints(`dim_${i}_index`, [i], []), b.ints(`dim_${i}_axis`, [0], [])], { Tparams: i32, Tindices: i32, Taxis: i32, batch_dims: { i: 0 } });
  const [n, h, w, c] = [dim(0), dim(1), dim(2), dim(3)];
  const bs = b.ints('block', [block], []);
  const div = (suffix: string, v: string) => b.add(suffix, 'FloorDiv', [v, bs], { T: i32 });
  const [hb, wb] = [div('h_blocks', h), div('w_blocks', w)];
  const pack = (suffix: string, values: string[]) => b.add(suffix, 'Pack', values, { N: { i: values.length }, T: i32, axis: { i: 0 } });
  const patches = b.add('patches', 'Reshape', [x, pack('patches_shape', [n, hb, bs, wb, bs, c])], { T, Tshape: i32 });
  const moved = b.add('moved', 'Transpose', [patches, b.ints('moved_perm', [0, 1, 3, 2, 4, 5], [6])], { T, Tperm: i32 });
  const depth = b.add('depth', 'Mul', [c, b.ints('block_area', [block * block], [])], { T: i32 });
  const nhwc = b.add(nchw ? 'nhwc' : '', 'Reshape', [moved, pack('out_shape', [n, hb, wb, depth])], { T, Tshape: i32 }, nchw ? undefined : name);
  if (nchw) b.add('', 'Transpose', [nhwc, b.ints('to_nchw_perm', [0, 3, 1, 2], [4])], { T, Tperm: i32 }, name);
  return out;
}
