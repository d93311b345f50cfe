// TF's EnsureShape for tfjs-converter's executor inside loadSavedModel. TensorFlow's op has one
// input and the expected shape as an attr; tfjs-converter (4.x) reads the shape from a second
// input that does not exist, so any graph holding EnsureShape failed to run (a TypeError inside
// the executor). This op checks as TensorFlow does: the input's shape must be compatible with the
// attr (same rank, each known dim equal; an unknown rank or dim -1 matches anything), else
// INVALID_ARGUMENT naming the node; it passes the input through.
import { registerOp, type GraphNode } from '@tensorflow/tfjs-converter';
import type { Tensor } from '@tensorflow/tfjs-core';
import { SavedModelError } from '@savedmodel-js/core';
import { rawNode } from './raw-attrs.js';

/** The op name executor graphs use for EnsureShape (executor-graph.ts withRuntimeOps). */
export const ENSURE_SHAPE_OP = '_SmjsEnsureShape';

interface RawShape { shape?: { unknown_rank?: boolean; unknownRank?: boolean; dim?: { size?: number | string | { toNumber(): number } }[] } }

/** The attr's dims (-1 unknown), or null for an unknown rank or no attr. */
function expectedDims(a: RawShape | undefined): number[] | null {
  const s = a?.shape;
  if (!s || s.unknown_rank || s.unknownRank) return null;
  return (s.dim ?? []).map((d) => (typeof d.size === 'object' && d.size !== null ? d.size.toNumber() : Number(d.size ?? -1)));
}

registerOp(ENSURE_SHAPE_OP, (gn: GraphNode): Tensor => {
  const { name, attrs } = rawNode(gn);
  const x = gn.inputs[0] as Tensor;
  const want = expectedDims((attrs as Record<string, RawShape>).shape);
  if (want !== null && (want.length !== x.rank || want.some((d, i) => d >= 0 && d !== x.shape[i]))) {
    const show = (dims: readonly number[]) => `[${dims.map((d) => (d < 0 ? '?' : String(d))).join(', ')}]`;
    throw new SavedModelError('INVALID_ARGUMENT', `EnsureShape ${name}: the tensor's shape ${show(x.shape)} is not compatible with the expected shape ${show(want)}`, { key: name });
  }
  return x.clone();
});
