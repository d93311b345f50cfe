// The copy of a frozen graph that tfjs-converter's executor runs. The executor orders, maps and
// runs every node on each call (a 2,000-layer model froze to 14,000 nodes), so this copy has
// fewer of them:
//  - an Identity that only forwards a value (a folded variable read: Identity of a Const) is
//    bypassed, its readers wired to its input;
//  - MatMul / Conv2D / DepthwiseConv2dNative, then a bias add (BiasAdd, or AddV2 / Add of a 1-D
//    constant, or of one reshaped to [1, …, 1, C] as tfjs-layers' biasAdd does for depthwise
//    layers: the same broadcast), then optionally an activation, become one _FusedMatMul /
//    _FusedConv2D / FusedDepthwiseConv2dNative node, the ops tfjs-converter's own converter emits
//    for such layers. The fused kernels compute the same thing (the product, then a broadcast
//    add, then the activation) in one call.
// These are ops tfjs-converter itself knows: convert writes them into tfjs graph models. Only
// inside loadSavedModel (withRuntimeOps) some run as custom ops of this package: OneHot as
// EXACT_ONE_HOT_OP (ops/one-hot.ts; tfjs-converter drops its axis and tfjs-backend-wasm's kernel
// gets float one-hots wrong), BatchMatMul* as BROADCASTING_BATCH_MATMUL_OP (ops/batch-matmul.ts;
// tfjs's matMul cannot broadcast both operands' batch dimensions), EnsureShape as ENSURE_SHAPE_OP
// (ops/ensure-shape.ts; tfjs-converter reads its shape attr as a missing second input),
// UnsortedSegmentSum / SegmentSum as SEGMENT_SUM_OP (ops/segment-sum.ts; tfjs-converter maps
// neither), GatherNd / ScatterNd as CHECKED_GATHER_ND_OP / CHECKED_SCATTER_ND_OP (ops/nd-indices.ts;
// tfjs-backend-wasm does not refuse an index past the shape).
// The frozen graph itself (convert, exactness checks, errors) keeps TensorFlow's ops.
import { tensorflow } from '@savedmodel-js/core';
import type { FrozenGraph } from './freeze.js';
import { aliasedRef, readsOutput0, rewireAliases } from './freeze/graph-passes.js';
import { BROADCASTING_BATCH_MATMUL_OP } from './ops/batch-matmul.js';
import { ENSURE_SHAPE_OP } from './ops/ensure-shape.js';
import { CHECKED_GATHER_ND_OP, CHECKED_SCATTER_ND_OP } from './ops/nd-indices.js';
import { EXACT_ONE_HOT_OP } from './ops/one-hot.js';
import { SEGMENT_SUM_OP } from './ops/segment-sum.js';
import { dataInputs, refNodeName } from './variables.js';

type NodeDef = tensorflow.INodeDef;

const DT_FLOAT = tensorflow.DataType.DT_FLOAT;
const DT_INT32 = tensorflow.DataType.DT_INT32;

/** Rank of each base op's output (a reshaped bias of higher rank would broadcast the sum up). */
const OUTPUT_RANK: ReadonlyMap<string, number> = new Map([['MatMul', 2], ['Conv2D', 4], ['DepthwiseConv2dNative', 4]]);

/** Base op → the fused op tfjs-converter maps (its op lists: matrices, convolution). */
const FUSED_OP: ReadonlyMap<string, string> = new Map([
  ['MatMul', '_FusedMatMul'],
  ['Conv2D', '_FusedConv2D'],
  ['DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative'],
]);

/** Activations every tfjs backend's fused kernels apply (tfjs's FusableActivation; the executor lower-cases the names). */
const ACTIVATIONS = new Set(['Relu', 'Relu6', 'Elu', 'Sigmoid', 'LeakyRelu']);

const utf8 = new TextEncoder();
/** fused_ops values, encoded once. */
const FUSED_OPS_BYTES = new Map(['BiasAdd', ...ACTIVATIONS].map((s) => [s, utf8.encode(s)]));

/**
 * Whether tfjs-converter applies `act` right when fused into `base`: its op list (4.x) gives
 * FusedDepthwiseConv2dNative no leakyrelu_alpha attr, so a fused LeakyRelu there runs with an
 * undefined alpha and every negative becomes NaN; that LeakyRelu stays its own node.
 */
const fusable = (base: NodeDef, act: NodeDef): boolean => !(base.op === 'DepthwiseConv2dNative' && act.op === 'LeakyRelu');

const isControl = (ref: string): boolean => ref.startsWith('^');
const controlInputs = (n: NodeDef): string[] => (n.input ?? []).filter(isControl);

const isFloat = (n: NodeDef): boolean => n.attr?.T?.type === DT_FLOAT;
/** Whether string attr `k` of `n` is one of `values` (ASCII; "" = unset or empty). */
function stringAttrIn(n: NodeDef, k: string, values: readonly string[]): boolean {
  const s = n.attr?.[k]?.s ?? new Uint8Array(0);
  return values.some((v) => v.length === s.length && [...v].every((c, i) => c.charCodeAt(0) === s[i]));
}
/** data_format unset or NHWC (tfjs's fused convolutions take NHWC only). */
const nhwc = (n: NodeDef): boolean => stringAttrIn(n, 'data_format', ['', 'NHWC']);
const convOk = (n: NodeDef): boolean => nhwc(n) && stringAttrIn(n, 'padding', ['SAME', 'VALID']);

/** The nodes tfjs-converter's executor gets for `g` (see above); `g` is not changed. */
export function executorNodes(g: FrozenGraph): NodeDef[] {
  const keep = new Set([...g.inputs, ...g.outputs].map((t) => refNodeName(t.node)));
  const intValues = (name: string): readonly number[] | undefined => {
    const c = g.constants.get(name);
    return c?.dtype === DT_INT32 && c.values instanceof Int32Array ? Array.from(c.values) : undefined;
  };
  return fuseLayers(bypassForwardingIdentities(g.nodes, keep), keep, (name) => g.constants.get(name)?.shape, intValues);
}

/** `nodes` with the custom ops only loadSavedModel registers (never written into a tfjs graph model). */
export function withRuntimeOps(nodes: NodeDef[]): NodeDef[] {
  return nodes.map((n) => {
    const op = RUNTIME_OPS.get(n.op ?? '');
    return op ? { ...n, op } : n;
  });
}

const RUNTIME_OPS: ReadonlyMap<string, string> = new Map([
  ['OneHot', EXACT_ONE_HOT_OP],
  ['BatchMatMul', BROADCASTING_BATCH_MATMUL_OP],
  ['BatchMatMulV2', BROADCASTING_BATCH_MATMUL_OP],
  ['BatchMatMulV3', BROADCASTING_BATCH_MATMUL_OP],
  ['EnsureShape', ENSURE_SHAPE_OP],
  ['UnsortedSegmentSum', SEGMENT_SUM_OP],
  ['SegmentSum', SEGMENT_SUM_OP],
  ['GatherNd', CHECKED_GATHER_ND_OP],
  ['ScatterNd', CHECKED_SCATTER_ND_OP],
]);

/**
 * `nodes` without the Identities that only forward a value (one data input, no control input, not
 * in `keep`: a fed or fetched node keeps its name, and a fetched Identity hands the caller a
 * copy it may dispose, never a weight itself). Readers are wired to what the Identity read.
 */
export function bypassForwardingIdentities(nodes: readonly NodeDef[], keep: ReadonlySet<string>): NodeDef[] {
  const alias = new Map<string, string>(); // Identity name → the reference it forwards
  for (const n of nodes) {
    const name = n.name ?? '';
    if (n.op !== 'Identity' || keep.has(name) || (n.input ?? []).length !== 1 || isControl(n.input![0]!)) continue;
    // nodes come inputs first: the forwarded reference is already resolved through earlier Identities
    alias.set(name, aliasedRef(alias, n.input![0]!));
  }
  return rewireAliases(nodes, alias);
}

/**
 * `nodes` with each fusable chain replaced by one node named as the chain's last node (its readers
 * unchanged). A chain's inner nodes have no reader but the next node (its one input from them,
 * their output 0), no control-dependency readers, and are not in `keep`. A bias add other than
 * BiasAdd qualifies when its other input is a float constant of rank 1 (`constShape`), or a
 * Reshape of one to [1, …, 1, C] (`intValues`: an int32 constant's values), no longer than the
 * product's rank; that Reshape is dropped when the add was its only reader.
 */
export function fuseLayers(
  nodes: readonly NodeDef[],
  keep: ReadonlySet<string>,
  constShape: (name: string) => readonly number[] | undefined,
  intValues: (name: string) => readonly number[] | undefined = () => undefined,
): NodeDef[] {
  // per node name, in one map (a graph of 14,000 nodes: one lookup per name and per reference):
  // the node, how many references name it (any reader, any output, control ones too), its first reader
  interface Info { node?: NodeDef; refs: number; reader?: NodeDef }
  const info = new Map<string, Info>();
  const infoOf = (name: string): Info => {
    let i = info.get(name);
    if (i === undefined) info.set(name, (i = { refs: 0 }));
    return i;
  };
  for (const n of nodes) {
    infoOf(n.name ?? '').node = n;
    for (const ref of n.input ?? []) {
      const i = infoOf(refNodeName(ref));
      if (i.refs++ === 0) i.reader = n;
    }
  }
  /** The only reader of `n`, when it reads n's output 0 once as a data input and nothing else of n. */
  const soleReader = (n: NodeDef): NodeDef | undefined => {
    const name = n.name ?? '';
    const i = info.get(name);
    if (keep.has(name) || i?.refs !== 1) return undefined;
    const r = i.reader!;
    return (r.input ?? []).some((ref) => readsOutput0(ref, name)) ? r : undefined;
  };
  /** The name of the Const node whose output 0 `ref` reads, else undefined. */
  const constAt = (ref: string): string | undefined => {
    const c = info.get(refNodeName(ref))?.node;
    return c?.op === 'Const' && readsOutput0(ref, c.name ?? '') ? c.name ?? '' : undefined;
  };
  /** A float constant of rank 1 that `ref` reads (output 0): its length, else undefined. */
  const vectorConst = (ref: string): number | undefined => {
    const c = constAt(ref);
    const shape = c !== undefined && info.get(c)!.node!.attr?.dtype?.type === DT_FLOAT ? constShape(c) : undefined;
    return shape?.length === 1 ? shape[0] : undefined;
  };
  /**
   * The bias a bias-add node adds to the output 0 of `base`, and the Reshape it goes through (to
   * drop with the chain), or undefined.
   */
  const biasOf = (add: NodeDef, base: NodeDef): { bias: string; reshape?: NodeDef } | undefined => {
    const product = base.name ?? '';
    const data = dataInputs(add);
    if (data.length !== 2 || !isFloat(add)) return undefined;
    if (add.op === 'BiasAdd') return nhwc(add) && readsOutput0(data[0], product) ? { bias: data[1]! } : undefined;
    if (add.op !== 'AddV2' && add.op !== 'Add') return undefined;
    const other = readsOutput0(data[0], product) ? data[1]! : data[0]!;
    if (vectorConst(other) !== undefined) return { bias: other };
    // tfjs-layers' biasAdd: add(x, reshape(bias, [1, …, 1, C]))
    const r = info.get(refNodeName(other))?.node;
    if (r?.op !== 'Reshape' || !readsOutput0(other, r.name ?? '') || (r.input ?? []).length !== 2) return undefined;
    const [v, shapeRef] = r.input!;
    const c = vectorConst(v!);
    const shapeConst = constAt(shapeRef!);
    const dims = shapeConst !== undefined ? intValues(shapeConst) : undefined;
    if (c === undefined || !dims || dims.length === 0 || dims.length > (OUTPUT_RANK.get(base.op ?? '') ?? 0)) return undefined;
    if (dims[dims.length - 1] !== c || dims.slice(0, -1).some((d) => d !== 1)) return undefined;
    const onlyReader = !keep.has(r.name ?? '') && info.get(r.name ?? '')?.refs === 1;
    return onlyReader ? { bias: v!, reshape: r } : { bias: v! };
  };

  const replaced = new Map<string, NodeDef>(); // last node's name → fused node
  const dropped = new Set<string>();
  for (const base of nodes) {
    const fusedOp = FUSED_OP.get(base.op ?? '');
    if (!fusedOp || !isFloat(base) || (base.op !== 'MatMul' && !convOk(base))) continue;
    const [x, w] = dataInputs(base);
    const add = soleReader(base);
    const found = add && biasOf(add, base);
    if (x === undefined || w === undefined || dataInputs(base).length !== 2 || !add || !found) continue;
    const bias = found.bias;
    const next = soleReader(add);
    const act = next && ACTIVATIONS.has(next.op ?? '') && isFloat(next) && dataInputs(next).length === 1 && fusable(base, next) ? next : undefined;
    const last = act ?? add;
    const attr: Record<string, tensorflow.IAttrValue> = {};
    for (const [k, v] of Object.entries(base.attr ?? {})) if (v && !k.startsWith('_')) attr[k] = v;
    attr.num_args = { i: 1 };
    attr.fused_ops = { list: { s: ['BiasAdd', ...(act ? [act.op!] : [])].map((s) => FUSED_OPS_BYTES.get(s)!) } };
    attr.epsilon = { f: 0 };
    if (act?.op === 'LeakyRelu') attr.leakyrelu_alpha = { f: act.attr?.alpha?.f ?? 0.2 };
    const control = [...new Set([base, add, ...(act ? [act] : [])].flatMap(controlInputs))];
    replaced.set(last.name ?? '', { name: last.name ?? '', op: fusedOp, input: [x, w, bias, ...control], attr });
    dropped.add(base.name ?? '');
    if (act) dropped.add(add.name ?? '');
    if (found.reshape) dropped.add(found.reshape.name ?? '');
  }
  if (replaced.size === 0) return [...nodes];
  return nodes.filter((n) => !dropped.has(n.name ?? '')).map((n) => replaced.get(n.name ?? '') ?? n);
}
