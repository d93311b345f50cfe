// Output shapes of the expensive kernels, so a trace can skip their arithmetic: the tracer
// needs every kernel's name, inputs, attrs and output shape, never the values in between.
// Only kernels whose output shape follows from input shapes and attrs are listed.
import * as tf from '@tensorflow/tfjs';
import { REDUCTION_AXIS_ATTR, reducedShape } from '../reductions.js';
import { checkTraceTensor } from './trace-limits.js';

type Shape4 = [number, number, number, number];
type OutSpec = { shape: number[]; dtype: tf.DataType };
/** One output, or the list of a multi-output kernel (SplitV, Unpack); undefined: run the kernel. */
type ShapeFn = (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => OutSpec | OutSpec[] | undefined;

const conv = tf.backend_util;

function dataFormat(attrs: tf.NamedAttrMap): 'channelsLast' | 'channelsFirst' {
  return attrs['dataFormat'] === 'NCHW' ? 'channelsFirst' : 'channelsLast';
}

function convShape(depthwise: boolean): ShapeFn {
  return (inputs, attrs) => {
    const x = inputs['x'], f = inputs['filter'];
    if (!x || !f || x.shape.length !== 4) return undefined;
    const info = conv.computeConv2DInfo(x.shape as Shape4, f.shape as Shape4, attrs['strides'] as number, (attrs['dilations'] ?? 1) as number,
      attrs['pad'] as 'same', attrs['dimRoundingMode'] as 'floor' | undefined, depthwise, dataFormat(attrs));
    return { shape: info.outShape, dtype: x.dtype };
  };
}

const pool: ShapeFn = (inputs, attrs) => {
  const x = inputs['x'];
  if (!x || x.shape.length !== 4) return undefined;
  const info = conv.computePool2DInfo(x.shape as Shape4, attrs['filterSize'] as number, attrs['strides'] as number, 1,
    attrs['pad'] as 'same', attrs['dimRoundingMode'] as 'floor' | undefined);
  return { shape: info.outShape, dtype: x.dtype };
};

const matmul: ShapeFn = (inputs, attrs) => {
  const a = inputs['a'], b = inputs['b'];
  if (!a || !b || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ra = a.shape.length, rb = b.shape.length;
  const m = attrs['transposeA'] ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const ka = attrs['transposeA'] ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = attrs['transposeB'] ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = attrs['transposeB'] ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (ka !== kb) return undefined;
  const batch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return { shape: [...batch, m, n], dtype: a.dtype };
};

/** Element-wise kernels whose output has their first input's shape and dtype (float32 only: int32 may be a shape read back). */
const sameAsInput = (name: string): ShapeFn => (inputs) => {
  const x = inputs[name];
  return float(x) ? { shape: [...x.shape], dtype: x.dtype } : undefined;
};

/** Broadcasting binary arithmetic (same dtype in and out); float32 only, as data movement below. */
const broadcast: ShapeFn = (inputs) => {
  const a = inputs['a'], b = inputs['b'];
  if (!float(a) || !float(b)) return undefined;
  return { shape: tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape), dtype: a.dtype };
};

/**
 * Data movement (slicing, splitting, stacking, transposing, padding). Cheap on wasm, but tfjs's
 * cpu backend slices element by element through a TensorBuffer: an RNN layer, which splits its
 * gates and unstacks its input at every time step, spent most of a trace there. float32 only:
 * int32 results are often shapes or indices that a function reads back (a graph model's
 * Shape → StridedSlice → Pack → Reshape), which a placeholder would break.
 */
const float = (x: tf.TensorInfo | undefined): x is tf.TensorInfo => x !== undefined && x !== null && x.dtype === 'float32';
/** Kernels that take a list of tensors (Pack, Concat) get it as the inputs object itself. */
const listOf = (inputs: tf.NamedTensorInfoMap): tf.TensorInfo[] => Object.values(inputs as Record<string, tf.TensorInfo>);

const slice: ShapeFn = (inputs, attrs) => {
  const x = inputs['x'];
  if (!float(x)) return undefined;
  const size = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, attrs['begin'] as number[], attrs['size'] as number[])[1];
  return size ? { shape: size, dtype: x.dtype } : undefined;
};

const splitV: ShapeFn = (inputs, attrs) => {
  const x = inputs['x'];
  if (!float(x)) return undefined;
  const axis = tf.util.parseAxisParam(attrs['axis'] as number, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs['numOrSizeSplits'] as number[] | number, axis);
  return sizes.map((n) => ({ shape: x.shape.map((d, i) => (i === axis ? n : d)), dtype: x.dtype }));
};

const unpack: ShapeFn = (inputs, attrs) => {
  const x = inputs['value'];
  if (!float(x)) return undefined;
  const axis = tf.util.parseAxisParam(attrs['axis'] as number, x.shape)[0]!;
  const shape = x.shape.filter((_, i) => i !== axis);
  return Array.from({ length: x.shape[axis]! }, () => ({ shape: [...shape], dtype: x.dtype }));
};

const pack: ShapeFn = (inputs, attrs) => {
  const xs = listOf(inputs);
  const first = xs[0];
  if (!float(first) || !xs.every((t) => float(t) && t.shape.length === first.shape.length && t.shape.every((d, i) => d === first.shape[i]))) return undefined;
  const axis = tf.util.parseAxisParam(attrs['axis'] as number, [...first.shape, 1])[0]!;
  const shape = [...first.shape];
  shape.splice(axis, 0, xs.length);
  return { shape, dtype: first.dtype };
};

const concat: ShapeFn = (inputs, attrs) => {
  const xs = listOf(inputs);
  const first = xs[0];
  if (!float(first) || !xs.every((t) => float(t) && t.shape.length === first.shape.length)) return undefined;
  const axis = tf.util.parseAxisParam(attrs['axis'] as number, first.shape)[0]!;
  tf.backend_util.assertParamsConsistent(xs.map((t) => t.shape), axis);
  return { shape: tf.backend_util.computeOutShape(xs.map((t) => t.shape), axis), dtype: first.dtype };
};

const transpose: ShapeFn = (inputs, attrs) => {
  const x = inputs['x'];
  const perm = attrs['perm'] as number[];
  if (!float(x) || perm.length !== x.shape.length) return undefined;
  return { shape: perm.map((p) => x.shape[p]!), dtype: x.dtype };
};

const tile: ShapeFn = (inputs, attrs) => {
  const x = inputs['x'];
  const reps = attrs['reps'] as number[];
  if (!float(x) || reps.length !== x.shape.length) return undefined;
  return { shape: x.shape.map((d, i) => d * reps[i]!), dtype: x.dtype };
};

const pad: ShapeFn = (inputs, attrs) => {
  const x = inputs['x'];
  const p = attrs['paddings'] as Array<[number, number]>;
  if (!float(x) || p.length !== x.shape.length) return undefined;
  return { shape: x.shape.map((d, i) => p[i]![0] + d + p[i]![1]), dtype: x.dtype };
};

/** Reductions: GlobalAveragePooling2D's Mean transposes and sums on cpu. */
const reduce = (kernel: string): ShapeFn => (inputs, attrs) => {
  const x = inputs['x'];
  if (!float(x)) return undefined;
  const axes = tf.util.parseAxisParam(attrs[REDUCTION_AXIS_ATTR[kernel]!] as number | number[], x.shape);
  return { shape: reducedShape(x.shape, axes, attrs['keepDims'] === true, 1), dtype: x.dtype };
};

const UNARY = ['Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softplus', 'ClipByValue', 'Exp', 'Neg', 'Square', 'Sqrt', 'Rsqrt', 'Abs'];
const BINARY = ['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference'];

export const SHAPE_ONLY: Readonly<Record<string, ShapeFn>> = {
  ...Object.fromEntries(UNARY.map((k) => [k, sameAsInput('x')])),
  ...Object.fromEntries(BINARY.map((k) => [k, broadcast])),
  FusedBatchNorm: sameAsInput('x'),
  Softmax: sameAsInput('logits'),
  Conv2D: convShape(false),
  FusedConv2D: convShape(false),
  DepthwiseConv2dNative: convShape(true),
  FusedDepthwiseConv2D: convShape(true),
  MaxPool: pool,
  AvgPool: pool,
  BatchMatMul: matmul,
  _FusedMatMul: matmul,
  Slice: slice,
  SplitV: splitV,
  Unpack: unpack,
  Pack: pack,
  Concat: concat,
  Transpose: transpose,
  Tile: tile,
  PadV2: pad,
  Mean: reduce('Mean'),
  Sum: reduce('Sum'),
  Max: reduce('Max'),
  Min: reduce('Min'),
};

/** Makes a placeholder of this shape on the backend's own storage, or undefined where it cannot. */
export type PlaceholderAlloc = (shape: number[], dtype: 'float32' | 'int32') => tf.TensorInfo | undefined;

/**
 * An output of the kernel's shape, or undefined when the shape is not derivable. Made by `alloc`
 * where given (the tracing backend: on the inner backend's storage, zeroed when a real kernel
 * reads it), else zeros allocated in JavaScript.
 */
export function shapeOnlyOutput(backend: tf.KernelBackend, kernel: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, alloc?: PlaceholderAlloc): tf.TensorInfo | tf.TensorInfo[] | undefined {
  const fn = SHAPE_ONLY[kernel];
  if (!fn) return undefined;
  let out: ReturnType<ShapeFn>;
  try {
    out = fn(inputs, attrs);
  } catch {
    return undefined; // let the real kernel report the problem
  }
  if (!out) return undefined;
  const outs = Array.isArray(out) ? out : [out];
  for (const o of outs) {
    if (o.dtype !== 'float32' && o.dtype !== 'int32') return undefined;
    if (!o.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return undefined;
    checkTraceTensor(o.shape, `kernel ${kernel}`, kernel);
  }
  const made = outs.map((o) => placeholder(backend, o, alloc));
  return Array.isArray(out) ? made : made[0]!;
}

function placeholder(backend: tf.KernelBackend, out: OutSpec, alloc?: PlaceholderAlloc): tf.TensorInfo {
  const made = alloc?.(out.shape, out.dtype as 'float32' | 'int32');
  if (made) return made;
  const size = out.shape.reduce((p, d) => p * d, 1);
  const values = out.dtype === 'float32' ? new Float32Array(size) : new Int32Array(size);
  return { dataId: backend.write(values, out.shape, out.dtype), shape: out.shape, dtype: out.dtype };
}
