// BatchMatMul / V2 / V3 for tfjs-converter's executor inside loadSavedModel. TensorFlow broadcasts
// the batch dimensions of both operands (numpy rules); tfjs's matMul (4.x) flattens each side's
// batch dimensions to one count and picks matrix `i % count` of each side for output matrix `i`.
// That is right only where a side's batch shape, padded with leading 1s, is the common batch
// shape's tail behind leading 1s ([1, 3] against [2, 3]); otherwise a [2, 1, …] by [1, 3, …]
// product came back as a [2, 3, …] tensor holding 6 of its 12 matrices, and [2, 3, …] by
// [2, 1, …] as 12 matrices paired wrongly. Such a side is broadcast first, only as far as
// needed (batch-broadcast.ts); every other product is tfjs's matMul as it is.
import { registerOp, type GraphNode } from '@tensorflow/tfjs-converter';
import { backend_util, broadcastTo, matMul, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { matMulSafeShape } from './batch-broadcast.js';
import { rawNode, type RawAttr } from './raw-attrs.js';

/** The op name executor graphs use for BatchMatMul / V2 / V3 (executor-graph.ts withRuntimeOps). */
export const BROADCASTING_BATCH_MATMUL_OP = '_SmjsBatchMatMul';

const flag = (a: RawAttr | undefined): boolean => (a as { b?: boolean } | undefined)?.b === true;

registerOp(BROADCASTING_BATCH_MATMUL_OP, (gn: GraphNode): Tensor => {
  const { attrs } = rawNode(gn);
  const [a, b] = gn.inputs as [Tensor, Tensor];
  const adjX = flag(attrs.adj_x), adjY = flag(attrs.adj_y);
  return tidy(() => {
    const batch = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const ta = matMulSafeShape(a.shape, batch), tb = matMulSafeShape(b.shape, batch);
    return matMul(ta ? broadcastTo(a, ta) : a, tb ? broadcastTo(b, tb) : b, adjX, adjY);
  });
});
