// TF's OneHot for tfjs-converter's executor. tfjs-converter maps OneHot to tf.oneHot(indices,
// depth, on, off, T) and drops the `axis` attr; tfjs-backend-wasm 4.x's OneHot kernel then writes
// integer bits for any T (a float one-hot of 1.0 reads back as 1.4e-45). TF models one-hot float
// values routinely, so the executor graph sends every OneHot here (executor-graph.ts): an int32
// one-hot (right on every backend) picks `on` or `off` exactly (where), moved to `axis`.
import { registerOp, type GraphNode } from '@tensorflow/tfjs-converter';
import { cast, oneHot, tidy, transpose, where, type Tensor } from '@tensorflow/tfjs-core';
import { MAX_TENSOR_ELEMENTS, SavedModelError } from '@savedmodel-js/core';
import { declareValueReadingOp, hostValues, withHostValues } from '../host-ops.js';
import { rawInt, rawNode } from './raw-attrs.js';

/** The op name executor graphs use for OneHot. */
export const EXACT_ONE_HOT_OP = '_SmjsOneHot';

declareValueReadingOp('OneHot');
registerOp(EXACT_ONE_HOT_OP, (gn: GraphNode): Tensor | Promise<Tensor> => {
  const { name } = rawNode(gn);
  const depthT = gn.inputs[1] as Tensor;
  return withHostValues(`OneHot ${name}`, name, [depthT], () => oneHotOf(gn, hostValues(depthT)[0]!));
});

function oneHotOf(gn: GraphNode, depth: number): Tensor {
  const { name, attrs } = rawNode(gn);
  const [indices, , on, off] = gn.inputs as [Tensor, Tensor, Tensor, Tensor];
  const rank = indices.rank;
  let axis = rawInt(attrs.axis, -1);
  if (axis === -1) axis = rank;
  if (!Number.isInteger(depth) || depth < 0 || !Number.isInteger(axis) || axis < 0 || axis > rank || on.rank !== 0 || off.rank !== 0) {
    throw new SavedModelError('INVALID_ARGUMENT', `OneHot ${name}: depth ${depth}, axis ${axis}, on/off of rank ${on.rank}/${off.rank} (TF takes depth ≥ 0, axis in [-1, ${rank}], scalars)`, { key: name });
  }
  // depth comes from the model: an output past any tensor tfjs can hold is refused before allocating
  if (indices.size * depth > MAX_TENSOR_ELEMENTS) {
    throw new SavedModelError('LIMIT_EXCEEDED', `OneHot ${name}: ${indices.size} indices × depth ${depth} is more than ${MAX_TENSOR_ELEMENTS} elements`, { key: name });
  }
  return tidy(() => {
    const hot = cast(oneHot(cast(indices, 'int32'), depth, 1, 0, 'int32'), 'bool');
    let y = where(hot, on, off);
    if (axis !== rank) {
      const perm = [...Array(rank + 1).keys()];
      perm.splice(axis, 0, perm.pop()!);
      y = transpose(y, perm);
    }
    return y;
  });
}
