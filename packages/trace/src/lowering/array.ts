// Shape manipulation, slicing, gathering, joining. tfjs passes shapes/axes as attrs; TF wants
// most of them as int32 tensor inputs (Consts, or shape expressions when they depend on input
// sizes).
import { isSym, symEquals, type SymDim } from '../tape/sym.js';
import { DT, axesOf, castTo, rankOf, staticDim } from './common.js';
import type { GraphTensor, Lowering, LoweringContext } from './types.js';

function i32(c: LoweringContext, values: readonly number[]): GraphTensor {
  return c.constant(DT.DT_INT32, [values.length], values);
}

function i32Scalar(c: LoweringContext, v: number): GraphTensor {
  return c.constant(DT.DT_INT32, [], [v]);
}

function sameShape(a: readonly SymDim[] | null, b: readonly SymDim[]): boolean {
  return !!a && a.length === b.length && a.every((d, i) => symEquals(d, b[i]!));
}

/** [[a, b], ...] attr as an [n, 2] int32 Const. */
function pairs(c: LoweringContext, name: string): GraphTensor {
  const v = c.attrs[name];
  if (!Array.isArray(v) || !v.every((p) => Array.isArray(p) && p.every((x: unknown) => typeof x === 'number'))) {
    throw c.fail(`${name} must be static numbers, got ${JSON.stringify(v)}`);
  }
  const rows = v as number[][];
  return c.constant(DT.DT_INT32, [rows.length, rows[0]?.length ?? 2], rows.flat());
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

export const ARRAY: Record<string, Lowering> = {
  Reshape: (c) => {
    const x = c.input('x');
    const out = c.outputs[0]!.shape;
    // no-op reshapes (tfjs-layers' Activation emits one) are dropped
    if (sameShape(x.shape, out)) return x;
    return c.emit1('Reshape', [x, c.intVector(out, { inferOne: true })]);
  },

  Transpose: (c) => c.emit1('Transpose', [c.input('x'), i32(c, c.nums('perm'))]),
  ExpandDims: (c) => c.emit1('ExpandDims', [c.input('input'), i32Scalar(c, c.num('dim'))]),

  Concat: (c) => {
    const xs = c.inputList();
    if (xs.length === 1) return c.emit1('Identity', [xs[0]!]);
    return c.emit1('ConcatV2', [xs, i32Scalar(c, c.num('axis'))], {}, { name: 'concat' });
  },
  Pack: (c) => c.emit1('Pack', [c.inputList()], { axis: c.num('axis') }, { name: 'stack' }),
  Unpack: (c) => c.emit('Unpack', [c.input('value')], { num: c.outputs.length, axis: c.num('axis') }, { name: 'unstack' }),

  Slice: (c) => {
    const x = c.input('x');
    const r = rankOf(x, c);
    const begin = asList(c.attrs['begin']) as SymDim[];
    const size = asList(c.attrs['size']) as SymDim[];
    const out = c.outputs[0]!.shape;
    // a symbolic size that takes everything from 0 becomes -1
    const sizes = Array.from({ length: r }, (_, k): SymDim => {
      const s = size[k] ?? -1;
      if (isSym(s) && begin[k] === 0 && x.shape && symEquals(x.shape[k]!, out[k]!)) return -1;
      return s;
    });
    const begins = Array.from({ length: r }, (_, k) => begin[k] ?? 0);
    // a size no product of the input sizes (Cropping2D: h - top - bottom) is x's dim minus a constant
    return c.emit1('Slice', [x, c.intVector(begins), c.affineIntVector(sizes, x)]);
  },

  StridedSlice: (c) => {
    const x = c.input('x');
    const begin = c.dims('begin'), end = c.dims('end'), strides = c.dims('strides');
    return c.emit1('StridedSlice', [x, c.intVector(begin), c.intVector(end), c.intVector(strides)], {
      begin_mask: c.num('beginMask'), end_mask: c.num('endMask'), ellipsis_mask: c.num('ellipsisMask'),
      new_axis_mask: c.num('newAxisMask'), shrink_axis_mask: c.num('shrinkAxisMask'),
    }, { name: 'strided_slice' });
  },

  GatherV2: (c) => c.emit1('GatherV2', [c.input('x'), c.input('indices'), i32Scalar(c, c.num('axis'))], { batch_dims: c.num('batchDims') }),
  GatherNd: { op: 'GatherNd', inputs: ['params', 'indices'] },

  Tile: (c) => c.emit1('Tile', [c.input('x'), c.intVector(c.dims('reps'))]),

  PadV2: (c) => {
    const x = c.input('x');
    const value = c.num('constantValue');
    if (value === 0) return c.emit1('Pad', [x, pairs(c, 'paddings')]);
    return c.emit1('PadV2', [x, pairs(c, 'paddings'), c.scalar(value, x.dtype)]);
  },
  MirrorPad: (c) => c.emit1('MirrorPad', [c.input('x'), pairs(c, 'paddings')], { mode: c.str('mode').toUpperCase() }),

  SplitV: (c) => {
    const x = c.input('x');
    const axis = c.num('axis');
    const r = rankOf(x, c);
    const ax = axis < 0 ? axis + r : axis;
    // sizes from what was produced (numOrSizeSplits may be a count)
    const sizes = c.outputs.map((o) => o.shape[ax]!);
    return c.emit('SplitV', [x, c.intVector(sizes, { inferOne: true }), i32Scalar(c, axis)], { num_split: sizes.length }, { name: 'split' });
  },

  Reverse: (c) => c.emit1('ReverseV2', [c.input('x'), i32(c, axesOf(c.attrs['dims'], c))]),
  FlipLeftRight: (c) => c.emit1('ReverseV2', [c.input('image'), i32(c, [2])]),

  BatchToSpaceND: (c) => c.emit1('BatchToSpaceND', [c.input('x'), i32(c, c.nums('blockShape')), pairs(c, 'crops')]),
  SpaceToBatchND: (c) => c.emit1('SpaceToBatchND', [c.input('x'), i32(c, c.nums('blockShape')), pairs(c, 'paddings')]),
  DepthToSpace: (c) => c.emit1('DepthToSpace', [c.input('x')], { block_size: c.num('blockSize'), data_format: c.str('dataFormat') }),

  Fill: (c) => {
    const dtype = c.outputs[0]!.dtype;
    const value = c.attrs['value'];
    if (typeof value !== 'number') throw c.fail(`Fill with ${typeof value} value`);
    return c.emit1('Fill', [c.intVector(c.dims('shape')), c.scalar(value, dtype)]);
  },

  Range: (c) => {
    const dtype = c.outputs[0]!.dtype;
    const s = (name: string) => {
      const v = c.attrs[name];
      if (isSym(v) && dtype === DT.DT_INT32) return c.intScalar(v);
      if (typeof v !== 'number') throw c.fail(`${name} must be a static number`);
      return c.scalar(v, dtype);
    };
    return c.emit1('Range', [s('start'), s('stop'), s('step')]);
  },

  LinSpace: (c) => c.emit1('LinSpace', [c.scalar(c.num('start'), DT.DT_FLOAT), c.scalar(c.num('stop'), DT.DT_FLOAT), i32Scalar(c, c.num('num'))]),

  OneHot: (c) => {
    const dtype = c.outputs[0]!.dtype;
    return c.emit1('OneHot', [c.input('indices'), i32Scalar(c, c.num('depth')), c.scalar(c.num('onValue'), dtype), c.scalar(c.num('offValue'), dtype)]);
  },

  Diag: { op: 'Diag', inputs: ['x'] },
  BroadcastArgs: { op: 'BroadcastArgs', inputs: ['s0', 's1'] },
  ScatterNd: (c) => c.emit1('ScatterNd', [c.input('indices'), c.input('updates'), c.intVector(c.dims('shape'))]),
  TensorScatterUpdate: { op: 'TensorScatterUpdate', inputs: ['tensor', 'indices', 'updates'] },
  UnsortedSegmentSum: (c) => c.emit1('UnsortedSegmentSum', [c.input('x'), c.input('segmentIds'), i32Scalar(c, c.num('numSegments'))]),
  SearchSorted: (c) => c.emit1(c.str('side') === 'left' ? 'LowerBound' : 'UpperBound', [c.input('sortedSequence'), c.input('values')], { out_type: DT.DT_INT32 }),

  // weights may be empty (counts); TF's Bincount treats a length-0 weights tensor the same way
  Bincount: (c) => c.emit1('Bincount', [c.input('x'), i32Scalar(c, c.num('size')), c.input('weights')]),

  // DenseBincount came with TF 2.3: one-hot rows (out-of-range values give all-zero rows, as
  // DenseBincount ignores them), weighted, then summed over the values axis, or their max for
  // binaryOutput (which ignores weights). Keras's CategoryEncoding layer runs on it.
  DenseBincount: (c) => {
    const x = c.input('x'), weights = c.input('weights');
    const size = c.num('size'), binary = c.bool('binaryOutput', false);
    const r = rankOf(x, c);
    if (r !== 1 && r !== 2) throw c.fail(`DenseBincount of a rank-${r} input (TF takes rank 1 or 2)`);
    const dtype = c.outputs[0]!.dtype;
    const indices = x.dtype === DT.DT_INT32 || x.dtype === DT.DT_INT64 ? x : castTo(c, x, DT.DT_INT32);
    // an int32 one-hot, then cast: tfjs-backend-wasm 4.x's OneHot writes integer bits into float
    // one-hots, which would break this graph in tfjs graph models made from it
    let rows = castTo(c, c.emit1('OneHot', [indices, i32Scalar(c, size), c.scalar(1, DT.DT_INT32), c.scalar(0, DT.DT_INT32)]), dtype);
    const weighted = !binary && !(weights.shape?.length === 1 && staticDim(weights, 0) === 0);
    if (weighted) rows = c.emit1('Mul', [rows, c.emit1('ExpandDims', [weights, i32Scalar(c, -1)])]);
    return c.emit1(binary ? 'Max' : 'Sum', [rows, i32(c, [r - 1])], { keep_dims: false });
  },

  TopK: (c) => c.emit('TopKV2', [c.input('x'), i32Scalar(c, c.num('k'))], { sorted: c.bool('sorted', true) }),
  Einsum: (c) => c.emit1('Einsum', [c.inputList()], { equation: c.str('equation') }),
};
