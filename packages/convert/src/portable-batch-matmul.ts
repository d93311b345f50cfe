// TensorFlow's BatchMatMulV2 / V3 as ops stock TensorFlow.js runs right, in the graph models
// convert writes. TF broadcasts both operands' batch dimensions (numpy rules); tfjs's matMul (4.x)
// takes matrix `i % count` of each side for output matrix `i`, right only where a side's batch
// shape, padded on the left with 1s, is 1s and then the common shape's tail (runtime
// ops/batch-broadcast.ts). Elsewhere ([2, 1] by [1, 3]; [2, 3] by [2, 1]) stock tfjs returns
// wrong values without an error. loadSavedModel runs these products as its own op; a graph model
// must hold ops any tfjs loads, so before such a product each operand is broadcast in the graph
// to the least shape that makes it such a tail (shapes need not be known when converting):
//   bx = [1] ++ Shape(x)[:-2], tail = Shape(x)[-2:], batch = BroadcastArgs(bx, by),
//   padded = (ones(len(batch)) ++ bx)[len(bx):], keep = Cumsum(padded != 1) > 0,
//   x' = BroadcastTo(x, SelectV2(keep, batch, padded) ++ tail),
// and the product of x' and y' loses the leading 1 again (Squeeze, under the product's name). That
// extra batch dimension keeps every shape vector non-empty: stock tfjs-backend-cpu concatenates
// empty int32 vectors into a plain array that its Slice cannot take (two matrices, no batch).
// BroadcastTo to the shape x already has copies nothing (tfjs returns a clone). Products where an
// operand is known to have no batch dimension (a constant or placeholder of rank ≤ 2) are left as
// they are: tfjs gets those right.
// BatchMatMulV3 (TF 2.4+: operand types Ta / Tb, result Tout), which stock tfjs-converter does not
// map, becomes BatchMatMulV2 of Tout, its operands Cast to Tout where their type differs (an int8
// product into int32 is then computed in int32, as TensorFlow accumulates it).
import { attr, node, tensorflow } from '@savedmodel-js/core';
import { dataInputs, refNodeName, type FrozenGraph } from '@savedmodel-js/runtime';
import { graphRewrite } from './graph-rewrite.js';

type NodeDef = tensorflow.INodeDef;
const DT = tensorflow.DataType;

/** `g` with each BatchMatMulV3 a V2, and each product whose operands might pair wrongly in tfjs rewritten as above; `g` itself is not changed. */
export function portableBatchMatMul(g: FrozenGraph): FrozenGraph {
  const byName = new Map(g.nodes.map((n) => [n.name ?? '', n]));
  /** Whether the tensor `ref` is known to have rank ≤ 2 (no batch dimension). */
  const matrixOnly = (ref: string): boolean => {
    const name = refNodeName(ref);
    const c = g.constants.get(name);
    if (c) return c.shape.length <= 2;
    const n = byName.get(name);
    const shape = n?.op === 'Placeholder' ? n.attr?.shape?.shape : undefined;
    return !!shape && !shape.unknown_rank && (shape.dim?.length ?? 0) <= 2;
  };
  const needs = (n: NodeDef): boolean => {
    if (n.op !== 'BatchMatMulV2') return false;
    const [x, y] = dataInputs(n);
    return x !== undefined && y !== undefined && !matrixOnly(x) && !matrixOnly(y);
  };
  if (!g.nodes.some((n) => n.op === 'BatchMatMulV3' || needs(n))) return g;

  const { nodes, unique, add, int32Const, result } = graphRewrite(g);
  const I32 = attr.type(DT.DT_INT32);
  const slice = (base: string, input: string, begin: string, end: string, step: string, endMask: number): string =>
    add(base, 'StridedSlice', [input, begin, end, step], {
      T: I32, Index: I32, begin_mask: attr.int(0), end_mask: attr.int(endMask), ellipsis_mask: attr.int(0), new_axis_mask: attr.int(0), shrink_axis_mask: attr.int(0),
    });

  /** A BatchMatMulV3 as a BatchMatMulV2 of its Tout (Casts of the operands pushed first where needed). */
  const asV2 = (n: NodeDef): NodeDef => {
    const name = n.name ?? '';
    const Tout = n.attr?.Tout ?? attr.type(DT.DT_FLOAT);
    const inputs = [...(n.input ?? [])];
    let k = 0;
    for (let i = 0; i < inputs.length && k < 2; i++) {
      if (inputs[i]!.startsWith('^')) continue;
      const T = k === 0 ? n.attr?.Ta : n.attr?.Tb;
      if (T && T.type !== Tout.type) inputs[i] = add(`${name}/portable/${k === 0 ? 'x' : 'y'}_cast`, 'Cast', [inputs[i]!], { SrcT: T, DstT: Tout, Truncate: attr.bool(false) });
      k++;
    }
    const attrs: Record<string, tensorflow.IAttrValue> = { T: Tout };
    if (n.attr?.adj_x) attrs.adj_x = n.attr.adj_x;
    if (n.attr?.adj_y) attrs.adj_y = n.attr.adj_y;
    return { ...n, op: 'BatchMatMulV2', input: inputs, attr: attrs };
  };

  for (const original of g.nodes) {
    const n = original.op === 'BatchMatMulV3' ? asV2(original) : original;
    if (!needs(n)) { nodes.push(n); continue; }
    const name = n.name ?? '';
    const data = dataInputs(n);
    const control = (n.input ?? []).filter((r) => r.startsWith('^'));
    const p = `${name}/portable`;
    const zero = int32Const(`${p}/zero`, [0], [1]);
    const minusTwo = int32Const(`${p}/minus_two`, [-2], [1]);
    const step = int32Const(`${p}/step`, [1], [1]);
    const one = int32Const(`${p}/one`, [1], []);
    const leading = int32Const(`${p}/leading`, [1], [1]);
    const rest = int32Const(`${p}/rest`, [-1], [1]);
    const axis = int32Const(`${p}/axis`, [0], []);
    const side = (ref: string, tag: string) => {
      const T = n.attr?.T;
      const shape = add(`${p}/${tag}_shape`, 'Shape', [ref, ...control], { T: T ?? attr.type(DT.DT_FLOAT), out_type: I32 });
      return {
        ref, T, shape,
        batch: add(`${p}/${tag}_batch`, 'ConcatV2', [leading, slice(`${p}/${tag}_own_batch`, shape, zero, minusTwo, step, 0), axis], { N: attr.int(2), T: I32, Tidx: I32 }),
        tail: slice(`${p}/${tag}_tail`, shape, minusTwo, zero, step, 1),
      };
    };
    const x = side(data[0]!, 'x'), y = side(data[1]!, 'y');
    const batch = add(`${p}/batch`, 'BroadcastArgs', [x.batch, y.batch], { T: I32 });
    const ones = add(`${p}/ones`, 'OnesLike', [batch], { T: I32 });
    const broadcast = (s: ReturnType<typeof side>, tag: string): string => {
      const joined = add(`${p}/${tag}_joined`, 'ConcatV2', [ones, s.batch, axis], { N: attr.int(2), T: I32, Tidx: I32 });
      const count = add(`${p}/${tag}_count`, 'Size', [s.batch], { T: I32, out_type: I32 });
      const begin = add(`${p}/${tag}_begin`, 'Pack', [count], { N: attr.int(1), T: I32, axis: attr.int(0) });
      const padded = add(`${p}/${tag}_padded`, 'Slice', [joined, begin, rest], { T: I32, Index: I32 });
      const expands = add(`${p}/${tag}_not_one`, 'NotEqual', [padded, one], { T: I32, incompatible_shape_error: attr.bool(true) });
      const counts = add(`${p}/${tag}_not_one_int`, 'Cast', [expands], { SrcT: attr.type(DT.DT_BOOL), DstT: I32, Truncate: attr.bool(false) });
      const seen = add(`${p}/${tag}_seen`, 'Cumsum', [counts, axis], { T: I32, Tidx: I32, exclusive: attr.bool(false), reverse: attr.bool(false) });
      const keep = add(`${p}/${tag}_keep`, 'Greater', [seen, axis], { T: I32 });
      const target = add(`${p}/${tag}_target_batch`, 'SelectV2', [keep, batch, padded], { T: I32 });
      const full = add(`${p}/${tag}_target`, 'ConcatV2', [target, s.tail, axis], { N: attr.int(2), T: I32, Tidx: I32 });
      return add(`${p}/${tag}_broadcast`, 'BroadcastTo', [s.ref, full], { T: s.T ?? attr.type(DT.DT_FLOAT), Tidx: I32 });
    };
    const product = unique(`${p}/product`);
    nodes.push({ ...n, name: product, input: [broadcast(x, 'x'), broadcast(y, 'y'), ...data.slice(2), ...control] });
    nodes.push(node(name, 'Squeeze', [product], { T: n.attr?.T ?? attr.type(DT.DT_FLOAT), squeeze_dims: attr.ints([0]) }));
  }
  return result();
}
