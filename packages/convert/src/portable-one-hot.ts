// TensorFlow's OneHot as ops stock TensorFlow.js runs right, for the graph models convert writes.
// Stock tfjs gets two kinds of OneHot wrong (4.x): tfjs-converter maps OneHot to tf.oneHot and
// drops the `axis` attr (axis 0 of [N] indices came back [N, depth], not [depth, N]), and
// tfjs-backend-wasm's OneHot kernel writes the integer bits of on/off into a float output (5.0
// read back as 7e-45). loadSavedModel runs OneHot as its own op (runtime ops/one-hot.ts); a graph
// model must hold ops any tfjs loads, so each such OneHot becomes:
//   an int32 OneHot of 1 / 0 along the last axis (right on every backend), Cast to bool,
//   SelectV2 of the original on / off values (scalars, broadcast by tf.where),
//   and for axis ≠ -1 a Transpose moving that last axis to `axis`: its permutation is computed in
//   the graph from Rank(indices) (the indices' rank need not be known when converting).
// The last node keeps the OneHot's name, so its readers and a signature output stay wired.
import { SavedModelError, attr, node, tensorflow } from '@savedmodel-js/core';
import { dataInputs, type FrozenGraph } from '@savedmodel-js/runtime';
import { graphRewrite } from './graph-rewrite.js';

type NodeDef = tensorflow.INodeDef;
const DT = tensorflow.DataType;

/** Whether stock tfjs computes this OneHot right as it is (int32 values along the last axis). */
function portable(n: NodeDef): boolean {
  const axis = Number(n.attr?.axis?.i ?? -1);
  return axis === -1 && (n.attr?.T?.type ?? DT.DT_FLOAT) === DT.DT_INT32;
}

/** `g` with every OneHot stock tfjs would get wrong rewritten as above; `g` itself is not changed. */
export function portableOneHot(g: FrozenGraph): FrozenGraph {
  if (!g.nodes.some((n) => n.op === 'OneHot' && !portable(n))) return g;
  const { nodes, add, int32Const, result } = graphRewrite(g);
  for (const n of g.nodes) {
    if (n.op !== 'OneHot' || portable(n)) { nodes.push(n); continue; }
    const name = n.name ?? '';
    const data = dataInputs(n);
    const control = (n.input ?? []).filter((r) => r.startsWith('^'));
    if (data.length !== 4) throw new SavedModelError('INVALID_GRAPH', `OneHot ${name} has ${data.length} inputs, TensorFlow's takes 4`, { key: name });
    const [indices, depth, on, off] = data as [string, string, string, string];
    const T = n.attr?.T?.type ?? DT.DT_FLOAT;
    const TI = n.attr?.TI?.type ?? DT.DT_INT64;
    const axis = Number(n.attr?.axis?.i ?? -1);
    const one = int32Const(`${name}/portable/one`, [1], []);
    const zero = int32Const(`${name}/portable/zero`, [0], []);
    const hot = add(`${name}/portable/one_hot`, 'OneHot', [indices, depth, one, zero, ...control], { T: attr.type(DT.DT_INT32), TI: attr.type(TI), axis: attr.int(-1) });
    const mask = add(`${name}/portable/mask`, 'Cast', [hot], { SrcT: attr.type(DT.DT_INT32), DstT: attr.type(DT.DT_BOOL) });
    if (axis === -1) {
      nodes.push(node(name, 'SelectV2', [mask, on, off], { T: attr.type(T) }));
      continue;
    }
    const select = add(`${name}/portable/select`, 'SelectV2', [mask, on, off], { T: attr.type(T) });
    // perm = [0 … axis-1, rank, axis … rank-1]: the new last axis (index rank) moved to `axis`
    const rank = add(`${name}/portable/rank`, 'Rank', [indices], { T: attr.type(TI) });
    const axisConst = int32Const(`${name}/portable/axis`, [axis], []);
    const step = int32Const(`${name}/portable/step`, [1], []);
    const head = add(`${name}/portable/head`, 'Range', [zero, axisConst, step], { Tidx: attr.type(DT.DT_INT32) });
    const tail = add(`${name}/portable/tail`, 'Range', [axisConst, rank, step], { Tidx: attr.type(DT.DT_INT32) });
    const last = add(`${name}/portable/last`, 'Pack', [rank], { N: attr.int(1), T: attr.type(DT.DT_INT32), axis: attr.int(0) });
    const perm = add(`${name}/portable/perm`, 'ConcatV2', [head, last, tail, zero], { N: attr.int(3), T: attr.type(DT.DT_INT32), Tidx: attr.type(DT.DT_INT32) });
    nodes.push(node(name, 'Transpose', [select, perm], { T: attr.type(T), Tperm: attr.type(DT.DT_INT32) }));
  }
  return result();
}
