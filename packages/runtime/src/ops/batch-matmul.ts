// BatchMatMul / V2 / V3 for tfjs-converter's executor inside loadSavedModel. TensorFlow broadcasts
// the batch dimensions of both operands (numpy rules); tfjs's matMul (4.x) flattens each side's
// batch dimensions to one count and broadcasts only when one side's count is 1, so a [2, 1, …] by
// [1, 3, …] product came back as a [2, 3, …] tensor holding only 6 of its 12 matrices. This op
// broadcasts both operands to the common batch shape first in exactly that case (both sides
// expand some batch dimension); every other product is tfjs's matMul as it is.
import { registerOp, type GraphNode } from '@tensorflow/tfjs-converter';
import { backend_util, broadcastTo, matMul, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { rawNode, type RawAttr } from './raw-attrs.js';

/** The op name executor graphs use for BatchMatMul / V2 / V3 (executor-graph.ts withRuntimeOps). */
export const BROADCASTING_BATCH_MATMUL_OP = '_SmjsBatchMatMul';

const flag = (a: RawAttr | undefined): boolean => (a as { b?: boolean } | undefined)?.b === true;

registerOp(BROADCASTING_BATCH_MATMUL_OP, (gn: GraphNode): Tensor => {
  const { attrs } = rawNode(gn);
  const [a, b] = gn.inputs as [Tensor, Tensor];
  const adjX = flag(attrs.adj_x), adjY = flag(attrs.adj_y);
  return tidy(() => {
    const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
    const batch = backend_util.assertAndGetBroadcastShape(batchA, batchB);
    const expands = (own: number[]) => {
      const padded = [...Array<number>(batch.length - own.length).fill(1), ...own];
      return padded.some((d, i) => d !== batch[i]);
    };
    if (!(expands(batchA) && expands(batchB))) return matMul(a, b, adjX, adjY);
    return matMul(broadcastTo(a, [...batch, ...a.shape.slice(-2)]), broadcastTo(b, [...batch, ...b.shape.slice(-2)]), adjX, adjY);
  });
});
