// TF's GatherNd and ScatterNd for tfjs-converter's executor inside loadSavedModel, with
// TensorFlow's index check. An index tuple past the shape it indexes is an error in TensorFlow
// (CPU: "indices[i] = [...] does not index into param shape"). tfjs-backend-cpu refuses one too,
// but tfjs-backend-wasm (4.x) does not: its GatherNd read whatever lay past the params in the
// module's memory (other tensors' bytes came back as values) and its ScatterNd dropped the update.
// On cpu and wasm (whose kernels index host memory, and whose reads are free) the indices are read
// and checked first; on GPU backends (where a read stalls the pipeline or makes the graph
// asynchronous, and a shader cannot read past its buffers) the op is tfjs's as it is.
import { registerOp, type GraphNode } from '@tensorflow/tfjs-converter';
import { engine, gatherND, scatterND, type Tensor } from '@tensorflow/tfjs-core';
import { SavedModelError } from '@savedmodel-js/core';
import { rawNode } from './raw-attrs.js';

/** The op names executor graphs use for GatherNd and ScatterNd (executor-graph.ts withRuntimeOps). */
export const CHECKED_GATHER_ND_OP = '_SmjsGatherNd';
export const CHECKED_SCATTER_ND_OP = '_SmjsScatterNd';

/** Backends whose kernels index host memory: there the indices are checked. */
const CHECKED_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm']);

/** Throws INVALID_ARGUMENT for the first index tuple (the last axis of `indices`) outside `shape`. */
function checkIndices(what: string, key: string, indices: Tensor, shape: readonly number[]): void {
  if (!CHECKED_BACKENDS.has(engine().backendName)) return;
  const depth = indices.rank === 0 ? 0 : indices.shape[indices.rank - 1]!;
  if (depth === 0 || depth > shape.length) return; // tfjs's own shape checks answer these
  const v = indices.dataSync() as ArrayLike<number>;
  for (let i = 0; i < v.length; i += depth) {
    for (let j = 0; j < depth; j++) {
      const x = v[i + j]!;
      if (x >= 0 && x < shape[j]!) continue;
      const tuple = Array.from({ length: depth }, (_, k) => v[i + k]);
      throw new SavedModelError('INVALID_ARGUMENT', `${what}: indices[${i / depth}] = [${tuple.join(', ')}] does not index into shape [${shape.join(', ')}]`, { key });
    }
  }
}

registerOp(CHECKED_GATHER_ND_OP, (gn: GraphNode): Tensor => {
  const { name } = rawNode(gn);
  const [params, indices] = gn.inputs as [Tensor, Tensor];
  checkIndices(`GatherNd ${name}`, name, indices, params.shape);
  return gatherND(params, indices);
});

registerOp(CHECKED_SCATTER_ND_OP, (gn: GraphNode): Tensor => {
  const { name } = rawNode(gn);
  const [indices, updates, shapeTensor] = gn.inputs as [Tensor, Tensor, Tensor];
  // tfjs-converter's own ScatterNd reads the shape input synchronously too
  const shape = Array.from(shapeTensor.dataSync() as ArrayLike<number>, Number);
  checkIndices(`ScatterNd ${name}`, name, indices, shape);
  return scatterND(indices, updates, shape);
});
