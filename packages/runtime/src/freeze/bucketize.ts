// Bucketize (Keras' Discretization layer, feature columns' bucketized_column): output[i] is the
// number of boundaries <= input[i], an int32 bucket index. tfjs-converter has no mapping for it.
// Frozen as UpperBound (which it maps) of the input, flattened to one row and compared in float32
// as TensorFlow's kernel compares with its float boundaries, reshaped back. TensorFlow refuses
// boundaries out of order; so does this (INVALID_GRAPH).
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { nodeBuilder } from './node-builder.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

export function* emitBucketize(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const { name, out, inputs: resolved } = yield* startRewrite(fz, scope, node, inputs, 'emitted');
  const x = resolved[0]!;
  const boundaries = (node.attr?.boundaries?.list?.f ?? []).map(Number);
  for (let i = 1; i < boundaries.length; i++) {
    if (!(boundaries[i - 1]! <= boundaries[i]!)) fz.fail('INVALID_GRAPH', `Bucketize ${scope.prefix}${node.name} in ${scope.where}: boundaries must be sorted (${boundaries[i - 1]} before ${boundaries[i]}), as TensorFlow requires`);
  }
  const b = nodeBuilder(fz, name);
  const T = node.attr?.T?.type ?? DT.DT_FLOAT;
  const i32 = { type: DT.DT_INT32 }, f32 = { type: DT.DT_FLOAT };
  const xf = T === DT.DT_FLOAT ? x : b.add('as_float', 'Cast', [x], { SrcT: { type: T }, DstT: f32, Truncate: { b: false } });
  const shape = b.add('shape', 'Shape', [x], { T: { type: T }, out_type: i32 });
  if (boundaries.length === 0) {
    // one bucket: every index 0
    b.add('', 'Fill', [shape, b.ints('zero', [0], [])], { T: i32, index_type: i32 }, name);
    return out;
  }
  const row = b.add('row', 'Reshape', [xf, b.ints('row_shape', [1, -1], [2])], { T: f32, Tshape: i32 });
  const index = b.add('upper_bound', 'UpperBound', [b.floats('boundaries', boundaries, [1, boundaries.length]), row], { T: f32, out_type: i32 });
  b.add('', 'Reshape', [index, shape], { T: i32, Tshape: i32 }, name);
  return out;
}
