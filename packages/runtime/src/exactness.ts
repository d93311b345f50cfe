// float64 without silent rounding. TensorFlow.js computes in float32, so:
//  - a node that computes in float64 (inputs or outputs DT_DOUBLE, other than moving values or
//    casting them down to float) is refused at load, UNSUPPORTED naming it;
//  - signature outputs of DT_DOUBLE reached from constants / inputs through Identity, Cast and
//    reshaping ops only are computed on the host in float64 by TFSavedModel.run() (exact), not
//    read back from the float32 tensor; predict() / execute() (tensors, float32) refuse such an
//    output when a constant behind it is not float32-exact;
//  - any other DT_DOUBLE output is what TensorFlow.js moved in float32: a float64 constant behind
//    it that float32 would round is refused at load, and run() refuses float64 input values
//    float32 would round when they reach such an output (planExactness).
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
        throw new SavedModelError('UNSUPPORTED', `signature '${g.signatureKey}': node ${n.name} casts float64 to ${DT[dst] ?? dst}, which TensorFlow.js would do from a float32-rounded value (loadSavedModel option roundFloat64 runs it so)`, { key: n.name ?? '' });
      }
      continue;
    }
    if (typesOf(n).includes(DT.DT_DOUBLE)) {
      throw new SavedModelError('UNSUPPORTED', `signature '${g.signatureKey}': node ${n.name} (op ${op}) computes in float64, which TensorFlow.js would silently round to float32 (loadSavedModel option roundFloat64 runs it in float32)`, { key: n.name ?? '' });
    }
  }
}

/** Ops whose output holds their first input's values in the same order (only the shape may change). */
const PASS = new Set(['Identity', 'Snapshot', 'StopGradient', 'Reshape', 'ExpandDims', 'Squeeze', 'EnsureShape']);
/** MOVES that output integers about their input, not its values. */
const ABOUT = new Set(['Shape', 'Size', 'Rank']);
const FUNCTIONAL = new Set(['If', 'StatelessIf', 'While', 'StatelessWhile']);

const isFloat32Exact = (v: number) => Number.isNaN(v) || Math.fround(v) === v;

export interface ExactnessPlan {
  /** DT_DOUBLE outputs (by key) run() computes on the host; the float32 tensor would round them. */
  hostExact: Set<string>;
  /** Outputs (by key) whose float32 tensor rounds a float64 constant: that constant's node. */
  roundedConstant: Map<string, string>;
  /** DT_DOUBLE outputs (by key) TensorFlow.js moves: the float64 inputs (keys) reaching them. */
  doubleInputs: Map<string, string[]>;
}

/**
 * Where each DT_DOUBLE output's values come from. Throws UNSUPPORTED (naming the output and the
 * constant) when TensorFlow.js would move a constant's float64 values it cannot hold exactly.
 */
export function planExactness(g: FrozenGraph): ExactnessPlan {
  const plan: ExactnessPlan = { hostExact: new Set(), roundedConstant: new Map(), doubleInputs: new Map() };
  const byName = new Map(g.nodes.map((n) => [n.name ?? '', n]));
  const inputKey = new Map(g.inputs.map((i) => [i.node, i.key]));
  for (const out of g.outputs) {
    if (out.dtype !== DT.DT_DOUBLE) continue;
    const hostExact = exactOutput(g, out, undefined) !== undefined;
    if (hostExact) plan.hostExact.add(out.key);
    // float64 sources behind the output, through ops that move values (a cast to or from float64 ends a path: exact either way)
    const seen = new Set<string>();
    const stack = [out.node.split(':')[0]!];
    const doubles: string[] = [];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const n = byName.get(name);
      if (!n) continue;
      const op = n.op ?? '';
      if (op === 'Const') {
        const c = g.constants.get(name);
        if (c && c.dtype === DT.DT_DOUBLE && !Array.from(c.values as Float64Array).every(isFloat32Exact)) {
          if (!hostExact) {
            throw new SavedModelError('UNSUPPORTED', `signature '${g.signatureKey}': output '${out.key}' (float64) moves float64 constant ${name} through ops TensorFlow.js runs in float32, which would round its values`, { key: name });
          }
          if (!plan.roundedConstant.has(out.key)) plan.roundedConstant.set(out.key, name);
        }
        continue;
      }
      if (op === 'Placeholder') {
        const k = inputKey.get(name);
        if (k !== undefined && n.attr?.dtype?.type === DT.DT_DOUBLE) doubles.push(k);
        continue;
      }
      if (op === 'Cast' || ABOUT.has(op)) continue;
      const host = op === HOST_OP ? g.hostNodes.get(name) : undefined;
      if (MOVES.has(op) || FUNCTIONAL.has(op) || host?.op === 'After') {
        for (const i of n.input ?? []) if (!i.startsWith('^')) stack.push(i.split(':')[0]!);
      }
    }
    if (!hostExact && doubles.length > 0) plan.doubleInputs.set(out.key, [...new Set(doubles)]);
  }
  return plan;
}

/**
 * Exact float64 values of output `out` when it is a constant or an input passed through
 * Identity / Cast only; undefined when TensorFlow.js computed it (then it is not float64 math,
 * see checkExactness).
 */
export function exactOutput(g: FrozenGraph, out: FrozenTensorInfo, inputs: Record<string, unknown> | undefined): number[] | undefined {
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
      if (!input) return undefined;
      if (!inputs) return []; // structure only (planExactness): the values come at run time
      if (!(input.key in inputs)) return undefined;
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
