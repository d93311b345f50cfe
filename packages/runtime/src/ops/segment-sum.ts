// TF's UnsortedSegmentSum and SegmentSum for tfjs-converter's executor inside loadSavedModel
// (tfjs-converter maps neither; tfjs has unsortedSegmentSum over 1-D ids). out[k, …] is the sum of
// the data rows whose id is k: the ids (a prefix of data's shape) are flattened and data reshaped
// to [ids, rest]. As TensorFlow: UnsortedSegmentSum drops negative ids and refuses ids past
// num_segments; SegmentSum's ids must be sorted and non-negative, its segment count max(ids) + 1.
// Both read the ids (and num_segments) on the host, which also sizes the output before allocating.
// Where the backend has no UnsortedSegmentSum kernel of its own (tfjs-backend-wasm 4.x) the rows are
// summed by scatterND, which adds the rows of repeated indices as TensorFlow's ScatterNd does (in
// wasm, without the copies to and from the cpu backend that cpu-fallback.ts's bridge would make).
import { registerOp, type GraphNode } from '@tensorflow/tfjs-converter';
import { cast, engine, gather, reshape, scatterND, slice, tensor1d, tensor2d, tidy, unsortedSegmentSum, zeros, type Tensor, type Tensor1D } from '@tensorflow/tfjs-core';
import { MAX_TENSOR_ELEMENTS, SavedModelError } from '@savedmodel-js/core';
import { declareValueReadingOp, hostValues, withHostValues } from '../host-ops.js';
import { hasNativeKernel } from './cpu-fallback.js';
import { rawNode } from './raw-attrs.js';

/** The op name executor graphs use for UnsortedSegmentSum and SegmentSum (2 inputs: the sorted one). */
export const SEGMENT_SUM_OP = '_SmjsSegmentSum';

declareValueReadingOp('UnsortedSegmentSum');
declareValueReadingOp('SegmentSum');
registerOp(SEGMENT_SUM_OP, (gn: GraphNode): Tensor | Promise<Tensor> => {
  const { name } = rawNode(gn);
  const sorted = gn.inputs.length === 2;
  const [data, ids, num] = gn.inputs as [Tensor, Tensor, Tensor | undefined];
  const op = sorted ? 'SegmentSum' : 'UnsortedSegmentSum';
  const reads = num ? [ids, num] : [ids];
  return withHostValues(`${op} ${name}`, name, reads, () => segmentSum(`${op} ${name}`, name, data, ids, Array.from(hostValues(ids), Number), num ? Number(hostValues(num)[0]) : undefined));
});

function segmentSum(what: string, key: string, data: Tensor, ids: Tensor, idValues: number[], numSegments: number | undefined): Tensor {
  const bad = (msg: string): never => { throw new SavedModelError('INVALID_ARGUMENT', `${what}: ${msg}`, { key }); };
  if (ids.rank > data.rank || ids.shape.some((d, i) => d !== data.shape[i])) bad(`segment_ids of shape [${ids.shape.join(', ')}] is not a prefix of data's shape [${data.shape.join(', ')}]`);
  let num: number;
  if (numSegments === undefined) {
    for (let i = 0; i < idValues.length; i++) {
      if (idValues[i]! < 0) bad(`segment_ids[${i}] = ${idValues[i]} is negative`);
      if (i > 0 && idValues[i]! < idValues[i - 1]!) bad(`segment ids are not increasing (segment_ids[${i}] = ${idValues[i]} after ${idValues[i - 1]})`);
    }
    num = idValues.length ? idValues[idValues.length - 1]! + 1 : 0;
  } else {
    if (!Number.isSafeInteger(numSegments) || numSegments < 0) bad(`num_segments ${numSegments} is not a count`);
    num = numSegments;
    const past = idValues.findIndex((v) => v >= num);
    if (past >= 0) bad(`segment_ids[${past}] = ${idValues[past]} is out of range [0, ${num})`);
  }
  const rest = data.shape.slice(ids.rank);
  const restSize = rest.reduce((a, b) => a * b, 1);
  // num_segments comes from the model or its input: an output past any tensor tfjs holds is refused before allocating
  if (num * restSize > MAX_TENSOR_ELEMENTS) {
    throw new SavedModelError('LIMIT_EXCEEDED', `${what}: ${num} segments × ${restSize} elements is more than ${MAX_TENSOR_ELEMENTS}`, { key });
  }
  return tidy(() => {
    if (num === 0 || idValues.length === 0) return zeros([num, ...rest], data.dtype);
    const rows = reshape(data, [idValues.length, ...rest]);
    if (!hasNativeKernel('UnsortedSegmentSum', engine().backendName)) {
      const kept: number[] = [];
      for (let i = 0; i < idValues.length; i++) if (idValues[i]! >= 0) kept.push(i);
      if (kept.length === 0) return zeros([num, ...rest], data.dtype);
      const picked = kept.length === idValues.length ? rows : gather(rows, tensor1d(kept, 'int32'));
      return scatterND(tensor2d(kept.map((i) => idValues[i]!), [kept.length, 1], 'int32'), picked, [num, ...rest]);
    }
    // dropped (negative) ids sum into one extra segment, cut off after
    const dropped = idValues.some((v) => v < 0);
    const flat = dropped ? tensor1d(idValues.map((v) => (v < 0 ? num : v)), 'int32') : reshape(cast(ids, 'int32'), [idValues.length]) as Tensor1D;
    const sums = unsortedSegmentSum(rows, flat, dropped ? num + 1 : num);
    return dropped ? slice(sums, 0, num) : sums;
  });
}
