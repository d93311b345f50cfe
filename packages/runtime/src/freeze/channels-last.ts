// Ops with a channels-first data_format (NCHW / NCDHW, as Keras channels_first layers write them)
// are frozen as their channels-last form between two Transposes. tfjs-converter's executor ignores
// data_format for BiasAdd, pools and FusedBatchNorm and reads strides / ksize at NHWC positions,
// so such a node, handed over as it is, adds the bias along the wrong axis, pools with the wrong
// window, or returns a wrong shape, silently. The frozen graph stays TensorFlow's ops (Transpose,
// the op with data_format NHWC / NDHWC, attrs permuted), so convert's tfjs graph models run right
// too. Consecutive rewritten ops pass channels-last values straight to each other (no transpose
// pair between them), which keeps Conv2D + BiasAdd adjacent for the executor's fusion.
import { tensorflow } from '@savedmodel-js/core';
import { after, controlDeps } from './control-deps.js';
import type { Freezer } from './freezer.js';
import { nodeBuilder } from './node-builder.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

/** Per op: which input holds the activations, and which (if any) holds an NCHW shape vector. */
const CHANNELS_FIRST_OPS: ReadonlyMap<string, { x: number; sizes?: number }> = new Map([
  ['BiasAdd', { x: 0 }],
  ['MaxPool', { x: 0 }],
  ['AvgPool', { x: 0 }],
  ['MaxPool3D', { x: 0 }],
  ['AvgPool3D', { x: 0 }],
  ['FusedBatchNorm', { x: 0 }],
  ['FusedBatchNormV2', { x: 0 }],
  ['FusedBatchNormV3', { x: 0 }],
  ['Conv2D', { x: 0 }],
  ['Conv3D', { x: 0 }],
  ['DepthwiseConv2dNative', { x: 0 }],
  ['Conv2DBackpropInput', { x: 2, sizes: 0 }],
  ['Conv3DBackpropInputV2', { x: 2, sizes: 0 }],
  ['DepthwiseConv2dNativeBackpropInput', { x: 2, sizes: 0 }],
  ['DepthToSpace', { x: 0 }],
]);

const LAST: Readonly<Record<string, string>> = { NCHW: 'NHWC', NCDHW: 'NDHWC' };

/** The channels-last format for `node`'s data_format when it is channels-first and the op is one we rewrite. */
export function channelsFirst(node: tensorflow.INodeDef): string | undefined {
  if (!CHANNELS_FIRST_OPS.has(node.op ?? '')) return undefined;
  const s = node.attr?.data_format?.s;
  if (!s || s.length < 4 || s.length > 5) return undefined;
  const f = String.fromCharCode(...s);
  return LAST[f];
}

/** [0, 2, …, rank-1, 1] (to channels-last) or [0, rank-1, 1, …, rank-2] (back). */
function perm(rank: number, toLast: boolean): number[] {
  const inner = Array.from({ length: rank - 2 }, (_, i) => i + 2);
  return toLast ? [0, ...inner, 1] : [0, rank - 1, ...inner.map((d) => d - 1)];
}

/** Channels-first-ordered per-dimension attrs (strides, ksize, dilations; explicit_paddings pairs) in channels-last order. */
function permuteAttrs(attr: Record<string, tensorflow.IAttrValue>, rank: number): void {
  const p = perm(rank, true);
  for (const k of ['strides', 'ksize', 'dilations']) {
    const list = attr[k]?.list?.i;
    if (list && list.length === rank) attr[k] = { list: { i: p.map((d) => list[d]!) } };
  }
  const pads = attr.explicit_paddings?.list?.i;
  if (pads && pads.length === 2 * rank) attr.explicit_paddings = { list: { i: p.flatMap((d) => [pads[2 * d]!, pads[2 * d + 1]!]) } };
}

/** The channels-last tensor behind `ref` when `ref` is a back-transpose emitted here. */
function channelsLastSource(s: State, ref: string): { core: string; rank: number } | undefined {
  return s.channelsLast.get(ref.endsWith(':0') ? ref.slice(0, -2) : ref);
}

/**
 * BiasAdd's data_format is "NCHW" for every rank (tf.nn.bias_add writes it so for NCW and NCDHW
 * too): the bias goes along axis 1. After a rewritten op it is added channels-last, as that op's
 * output is; otherwise it is x + bias reshaped to [C, 1, …, 1] (rank(x) - 2 ones), any rank.
 */
function* emitBiasAdd(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const s = state(fz);
  const { name, out, inputs: resolved, hadDeps } = yield* startRewrite(fz, scope, node, inputs, 'emitted');
  const [x, bias] = resolved as [string, string];
  const T = { type: node.attr?.T?.type ?? DT.DT_FLOAT };
  const i32 = { type: DT.DT_INT32 };
  const direct = hadDeps ? undefined : channelsLastSource(s, x);
  if (direct !== undefined) {
    const core = fz.allocate(`${name}/channels_last`, false);
    fz.emit({ name: core, op: 'BiasAdd', input: [direct.core, bias], attr: { T, data_format: { s: new TextEncoder().encode('NHWC') } } });
    fz.emit({ name, op: 'Transpose', input: [core, intConst(fz, s, name, perm(direct.rank, false))], attr: { T, Tperm: i32 } });
    s.channelsLast.set(name, { core, rank: direct.rank });
    return out;
  }
  const { add } = nodeBuilder(fz, name);
  const extra = add('spatial_rank', 'Sub', [add('rank', 'Rank', [x], { T }), intConst(fz, s, name, [2], true)], { T: i32 });
  const ones = add('ones', 'Fill', [add('ones_shape', 'Reshape', [extra, intConst(fz, s, name, [1])], { T: i32, Tshape: i32 }), intConst(fz, s, name, [1], true)], { T: i32, index_type: i32 });
  const shape = add('bias_shape', 'ConcatV2', [intConst(fz, s, name, [-1]), ones, intConst(fz, s, name, [0], true)], { T: i32, N: { i: 2 }, Tidx: i32 });
  fz.emit({ name, op: 'AddV2', input: [x, add('bias_channels_first', 'Reshape', [bias, shape], { T, Tshape: i32 })], attr: { T } });
  return out;
}

interface State {
  /** int32 constants by shape and values ("[4]0,2,3,1"), per node list emitted into (graph or function body). */
  consts: WeakMap<object, Map<string, string>>;
  /** Back-transposes emitted here → the channels-last tensor they transpose, and its rank. */
  channelsLast: Map<string, { core: string; rank: number }>;
}
const STATE = new WeakMap<Freezer, State>();

function state(fz: Freezer): State {
  let s = STATE.get(fz);
  if (!s) STATE.set(fz, (s = { consts: new WeakMap(), channelsLast: new Map() }));
  return s;
}

/** An int32 constant (a vector, or a scalar for `scalar`), shared within the node list emitted into. */
function intConst(fz: Freezer, s: State, near: string, values: number[], scalar = false): string {
  let here = s.consts.get(fz.out);
  if (!here) s.consts.set(fz.out, (here = new Map()));
  const shape = scalar ? [] : [values.length];
  const key = `[${shape.join(',')}]${values.join(',')}`;
  let name = here.get(key);
  if (name === undefined) {
    name = fz.allocate(`${near}/channels_last_${scalar ? 'axis' : 'perm'}`, false);
    fz.addConst(name, { dtype: DT.DT_INT32, shape, values: Int32Array.from(values) });
    here.set(key, name);
  }
  return name;
}

/**
 * Emit `node` (a channels-first op of CHANNELS_FIRST_OPS, see channelsFirst) as Transpose → the
 * op in `format` → Transpose; the node's own name goes to the last Transpose (its output 0), its
 * other outputs (FusedBatchNorm's statistics, per channel) come from the rewritten op itself.
 */
export function* emitChannelsLast(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[], format: string): Step<NodeOut> {
  const op = node.op ?? '';
  if (op === 'BiasAdd') return yield* emitBiasAdd(fz, scope, node, inputs);
  const spec = CHANNELS_FIRST_OPS.get(op)!;
  const rank = format.length;
  const s = state(fz);
  const back = fz.allocate(scope.prefix + (node.name ?? ''), scope.kind === 'graph');
  const core = fz.allocate(`${back}/channels_last`, false);
  const attr = fz.copyAttrs(node);
  attr.data_format = { s: new TextEncoder().encode(format) };
  permuteAttrs(attr, rank);
  const nd: tensorflow.INodeDef = { name: core, op, input: [], attr };
  if (node.device) nd.device = node.device;
  fz.emit(nd);
  const tAttr = (t: number): Record<string, tensorflow.IAttrValue> => ({ T: { type: t }, Tperm: { type: DT.DT_INT32 } });
  const dtype = node.attr?.T?.type ?? DT.DT_FLOAT;
  fz.emit({ name: back, op: 'Transpose', input: [core, intConst(fz, s, back, perm(rank, false))], attr: tAttr(dtype) });
  s.channelsLast.set(back, { core, rank });
  const nOut = fz.outputCount(node) ?? 1;
  const out: NodeOut = { kind: 'values', vals: Array.from({ length: nOut }, (_, i) => ({ t: 'tensor' as const, ref: i === 0 ? back : `${core}:${i}` })) };
  scope.cache.set(node.name ?? '', out); // before the inputs: TF1 loops are cyclic

  const resolved: string[] = [];
  for (const r of inputs) resolved.push(yield* fz.resolveTensor(scope, node, r));
  const x = resolved[spec.x]!;
  // the input a rewritten op produced channels-last is used as it is; anything else is transposed
  const direct = channelsLastSource(s, x);
  if (direct !== undefined && direct.rank === rank) resolved[spec.x] = direct.core;
  else {
    const toLast = fz.allocate(`${back}/to_channels_last`, false);
    fz.emit({ name: toLast, op: 'Transpose', input: [x, intConst(fz, s, back, perm(rank, true))], attr: tAttr(dtype) });
    resolved[spec.x] = toLast;
  }
  if (spec.sizes !== undefined) {
    // the output shape the op is asked for, an NCHW vector: gathered into channels-last order
    const g = fz.allocate(`${back}/channels_last_sizes`, false);
    const sizesType = node.attr?.Tshape?.type ?? DT.DT_INT32;
    fz.emit({
      name: g, op: 'GatherV2', input: [resolved[spec.sizes]!, intConst(fz, s, back, perm(rank, true)), intConst(fz, s, back, [0], true)],
      attr: { Tparams: { type: sizesType }, Tindices: { type: DT.DT_INT32 }, Taxis: { type: DT.DT_INT32 }, batch_dims: { i: 0 } },
    });
    resolved[spec.sizes] = g;
  }
  nd.input = resolved;
  const deps = yield* controlDeps(fz, scope, node);
  if (deps.length > 0) nd.input[0] = after(fz, nd.input[0]!, deps, core);
  return out;
}

/**
 * `nodes` (the top-level graph, ordered) without the back-transposes no one reads: a rewritten op
 * that feeds only other rewritten ops hands them its channels-last output directly.
 */
export function dropUnreadTransposes(fz: Freezer, nodes: tensorflow.INodeDef[], outputs: readonly { node: string }[]): tensorflow.INodeDef[] {
  const s = STATE.get(fz);
  if (!s || s.channelsLast.size === 0) return nodes;
  const read = new Set<string>();
  const mark = (ref: string) => {
    let r = ref.charCodeAt(0) === 94 /* ^ */ ? ref.slice(1) : ref;
    const c = r.indexOf(':');
    if (c >= 0) r = r.slice(0, c);
    read.add(r);
  };
  for (const n of nodes) for (const r of n.input ?? []) mark(r);
  for (const o of outputs) mark(o.node);
  return nodes.filter((n) => !s.channelsLast.has(n.name ?? '') || read.has(n.name ?? ''));
}
