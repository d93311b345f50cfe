// FusedBatchNorm / V2 / V3 in training mode (is_training true, which is also its default, so a
// saved node without the attr is one) normalizes with the statistics of the batch itself:
// TensorFlow computes mean and variance over every axis but the channel's. tfjs-converter runs
// every FusedBatchNorm with the mean and variance inputs (inference), so a TF1 graph exported in
// training mode answered differently, silently. Frozen as the arithmetic TensorFlow defines:
// y = (x - mean) · rsqrt(var + epsilon) · scale + offset over the batch's mean and (biased)
// variance; the batch_mean / batch_variance outputs are the batch's (the variance Bessel-corrected)
// moved by exponential_avg_factor towards the inputs as V3 does.
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

export function isTrainingBatchNorm(node: tensorflow.INodeDef): boolean {
  const op = node.op ?? '';
  return (op === 'FusedBatchNorm' || op === 'FusedBatchNormV2' || op === 'FusedBatchNormV3') && (node.attr?.is_training?.b ?? true);
}

export function* emitTrainingBatchNorm(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  // y gets the node's name; the other outputs are named after it
  const { name, out: outputs, inputs: resolved } = yield* startRewrite(fz, scope, node, inputs, 'values');
  const T = node.attr?.T?.type ?? DT.DT_FLOAT;
  const U = node.attr?.U?.type ?? T;
  const format = String.fromCharCode(...(node.attr?.data_format?.s ?? new TextEncoder().encode('NHWC')));
  const rank = format.length === 5 ? 5 : 4;
  const channelsFirst = format.startsWith('NC');
  const axes = channelsFirst ? [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)] : Array.from({ length: rank - 1 }, (_, i) => i);
  const eps = node.attr?.epsilon?.f ?? 0.0001;
  const factor = node.op === 'FusedBatchNormV3' ? node.attr?.exponential_avg_factor?.f ?? 1 : 1;

  const at = (suffix: string) => fz.allocate(`${name}/${suffix}`, false);
  const emit = (n: string, op: string, input: string[], attr: Record<string, tensorflow.IAttrValue>): string => {
    fz.emit({ name: n, op, input, attr });
    return n;
  };
  const add = (suffix: string, op: string, input: string[], attr: Record<string, tensorflow.IAttrValue> = { T: { type: T } }) => emit(at(suffix), op, input, attr);
  const ints = (suffix: string, v: number[]) => { const n = at(suffix); fz.addConst(n, { dtype: DT.DT_INT32, shape: [v.length], values: Int32Array.from(v) }); return n; };
  const float = (suffix: string, v: number) => { const n = at(suffix); fz.addConst(n, { dtype: T === DT.DT_DOUBLE ? DT.DT_DOUBLE : DT.DT_FLOAT, shape: [], values: T === DT.DT_DOUBLE ? Float64Array.from([v]) : Float32Array.from([v]) }); return n; };
  const reduce = (suffix: string, x: string, keep: boolean) => add(suffix, 'Mean', [x, axesNode], { T: { type: T }, Tidx: { type: DT.DT_INT32 }, keep_dims: { b: keep } });
  const reshape = (suffix: string, x: string, shape: string, t = T) => add(suffix, 'Reshape', [x, shape], { T: { type: t }, Tshape: { type: DT.DT_INT32 } });
  const cast = (suffix: string, x: string, from: number, to: number) => (from === to ? x : add(suffix, 'Cast', [x], { SrcT: { type: from }, DstT: { type: to }, Truncate: { b: false } }));

  const [x, scale, offset, meanIn, varIn] = resolved as [string, string, string, string, string];

  const axesNode = ints('axes', axes);
  const param = (suffix: string, p: string): string => {
    const t = cast(`${suffix}_t`, p, U, T);
    return channelsFirst ? reshape(`${suffix}_channels_first`, t, ints(`${suffix}_shape`, [1, -1, ...Array<number>(rank - 2).fill(1)])) : t;
  };
  const mean = reduce('batch_mean_kept', x, true);
  const centered = add('centered', 'Sub', [x, mean]);
  const variance = reduce('batch_variance_kept', add('squared', 'Square', [centered]), true);
  const inv = add('inverse_std', 'Rsqrt', [add('variance_epsilon', 'AddV2', [variance, float('epsilon', eps)])]);
  const normed = add('normalized', 'Mul', [add('scaled', 'Mul', [centered, inv]), param('scale', scale)]);
  emit(name, 'AddV2', [normed, param('offset', offset)], { T: { type: T } });

  // per-channel statistics, as U vectors
  const flat = ints('flat', [-1]);
  const vec = (suffix: string, v: string) => cast(`${suffix}_u`, reshape(suffix, v, flat), T, U);
  const batchMean = vec('batch_mean', mean);
  const biased = vec('batch_variance_biased', variance);
  const sizeOf = (suffix: string, t: string) => add(suffix, 'Size', [t], { T: { type: T }, out_type: { type: DT.DT_INT32 } });
  const n = cast('count_u', add('count', 'FloorDiv', [sizeOf('size_x', x), sizeOf('size_mean', mean)], { T: { type: DT.DT_INT32 } }), DT.DT_INT32, U);
  const u = { T: { type: U } };
  const uFloat = (suffix: string, v: number) => { const c = at(suffix); fz.addConst(c, { dtype: U === DT.DT_DOUBLE ? DT.DT_DOUBLE : DT.DT_FLOAT, shape: [], values: U === DT.DT_DOUBLE ? Float64Array.from([v]) : Float32Array.from([v]) }); return c; };
  const nMinus1 = add('count_minus_one', 'Maximum', [add('count_less_one', 'Sub', [n, uFloat('one', 1)], u), uFloat('one_floor', 1)], u);
  const unbiased = add('batch_variance', 'Mul', [biased, add('bessel', 'RealDiv', [n, nMinus1], u)], u);
  const moved = (suffix: string, batch: string, running: string) => (factor === 1 ? batch
    : add(suffix, 'AddV2', [add(`${suffix}_running`, 'Mul', [running, uFloat(`${suffix}_keep`, 1 - factor)], u), add(`${suffix}_batch`, 'Mul', [batch, uFloat(`${suffix}_factor`, factor)], u)], u));
  const tensor = (ref: string) => ({ t: 'tensor' as const, ref });
  outputs.vals.push(tensor(name), tensor(moved('batch_mean_out', batchMean, meanIn)), tensor(moved('batch_variance_out', unbiased, varIn)), tensor(batchMean), tensor(biased));
  if (node.op === 'FusedBatchNormV3') outputs.vals.push(tensor(biased));
  return outputs;
}
