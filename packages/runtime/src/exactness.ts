// float64 without silent rounding. TensorFlow.js computes in float32, so:
//  - a node that computes in float64 (inputs or outputs DT_DOUBLE, other than moving values or
//    casting them down to float) is refused at load, UNSUPPORTED naming it;
//  - signature outputs of DT_DOUBLE reached from constants / inputs through Identity and Cast
//    only are computed on the host in float64 by TFSavedModel.run() (exact), not read back from
//    the float32 tensor.
import { SavedModelError, tensorflow } from '@savedmodel-js/core';
import { HOST_OP } from './host-ops.js';
import type { FrozenGraph, FrozenTensorInfo } from './freeze.js';
import { flattenNested } from './plain.js';

const DT = tensorflow.DataType;

/** Ops that only move values (exact in any dtype once the values are exact). */
const MOVES = new Set(['Identity', 'Snapshot', 'StopGradient', 'IdentityN', 'Reshape', 'ExpandDims', 'Squeeze', 'Transpose',
  'ConcatV2', 'Pack', 'Unpack', 'GatherV2', 'Slice', 'StridedSlice', 'Tile', 'Fill', 'ZerosLike', 'OnesLike', 'Shape', 'Size', 'Rank',
  'Placeholder', 'PlaceholderWithDefault', 'Const']);
const DOWN_TO_FLOAT = new Set([DT.DT_FLOAT, DT.DT_HALF, DT.DT_BFLOAT16]);

function typesOf(n: tensorflow.INodeDef): number[] {
  const out: number[] = [];
  for (const [k, v] of Object.entries(n.attr ?? {})) {
    if (!v) continue;
    if (k === 'value' || k.startsWith('_')) continue;
    if (v.type !== undefined && v.type !== null) out.push(v.type);
    for (const t of v.list?.type ?? []) out.push(t);
  }
  return out;
}

/** UNSUPPORTED naming the first node that would compute float64 values in float32. */
export function checkExactness(g: FrozenGraph): void {
  for (const n of g.nodes) {
    const op = n.op ?? '';
    if (op === HOST_OP || MOVES.has(op)) continue;
    if (op === 'Cast') {
      const src = n.attr?.SrcT?.type;
      const dst = n.attr?.DstT?.type;
      if (src === DT.DT_DOUBLE && dst !== undefined && dst !== null && !DOWN_TO_FLOAT.has(dst) && dst !== DT.DT_DOUBLE) {
        throw new SavedModelError('UNSUPPORTED', `signature '${g.signatureKey}': node ${n.name} casts float64 to ${DT[dst] ?? dst}, which TensorFlow.js would do from a float32-rounded value`, { key: n.name ?? '' });
      }
      continue;
    }
    if (typesOf(n).includes(DT.DT_DOUBLE)) {
      throw new SavedModelError('UNSUPPORTED', `signature '${g.signatureKey}': node ${n.name} (op ${op}) computes in float64, which TensorFlow.js would silently round to float32`, { key: n.name ?? '' });
    }
  }
}

const PASS = new Set(['Identity', 'Snapshot', 'StopGradient']);

/**
 * Exact float64 values of output `out` when it is a constant or an input passed through
 * Identity / Cast only; undefined when TensorFlow.js computed it (then it is not float64 math,
 * see checkExactness).
 */
export function exactOutput(g: FrozenGraph, out: FrozenTensorInfo, inputs: Record<string, unknown>): number[] | undefined {
  if (out.dtype !== DT.DT_DOUBLE) return undefined;
  const byName = new Map(g.nodes.map((n) => [n.name ?? '', n]));
  const casts: number[] = [];
  let ref = out.node;
  for (let guard = 0; guard < g.nodes.length + 1; guard++) {
    const [name, idx] = ref.split(':');
    if (idx !== undefined && idx !== '0') return undefined;
    const n = byName.get(name ?? '');
    if (!n) return undefined;
    const op = n.op ?? '';
    const host = op === HOST_OP ? g.hostNodes.get(n.name ?? '') : undefined;
    if (PASS.has(op) || host?.op === 'After') { ref = n.input?.[0] ?? ''; continue; }
    if (op === 'Cast') { casts.push(n.attr?.DstT?.type ?? 0); ref = n.input?.[0] ?? ''; continue; }
    let values: number[];
    if (op === 'Const') {
      const c = g.constants.get(n.name ?? '');
      if (!c || Array.isArray(c.values)) return undefined;
      values = Array.from(c.values as ArrayLike<number | bigint>, Number);
    } else if (op === 'Placeholder') {
      const input = g.inputs.find((i) => i.node === n.name);
      if (!input || !(input.key in inputs)) return undefined;
      values = flattenNested(inputs[input.key], input.key).flat.map(Number);
      if (input.dtype === DT.DT_FLOAT) values = values.map(Math.fround); // fed as float32, as in TensorFlow
    } else {
      return undefined;
    }
    // casts apply innermost first
    for (const dst of casts.reverse()) {
      if (dst === DT.DT_FLOAT) values = values.map(Math.fround);
      else if (dst !== DT.DT_DOUBLE) return undefined;
    }
    return values;
  }
  return undefined;
}
