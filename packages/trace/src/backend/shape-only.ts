// Output shapes of the expensive kernels, so a trace can skip their arithmetic: the tracer
// needs every kernel's name, inputs, attrs and output shape, never the values in between.
// Only kernels whose output shape follows from input shapes and attrs are listed.
import * as tf from '@tensorflow/tfjs';

type Shape4 = [number, number, number, number];
type ShapeFn = (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => { shape: number[]; dtype: tf.DataType } | undefined;

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

/** Element-wise kernels whose output has their first input's shape and dtype. */
const sameAsInput = (name: string): ShapeFn => (inputs) => {
  const x = inputs[name];
  return x ? { shape: [...x.shape], dtype: x.dtype } : undefined;
};

/** Broadcasting binary arithmetic (same dtype in and out). */
const broadcast: ShapeFn = (inputs) => {
  const a = inputs['a'], b = inputs['b'];
  if (!a || !b || a.dtype !== b.dtype) return undefined;
  return { shape: tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape), dtype: a.dtype };
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
};

/** Makes a placeholder of this shape on the backend's own storage, or undefined where it cannot. */
export type PlaceholderAlloc = (shape: number[], dtype: 'float32' | 'int32') => tf.TensorInfo | undefined;

/**
 * An output of the kernel's shape, or undefined when the shape is not derivable. Made by `alloc`
 * where given (the tracing backend: on the inner backend's storage, zeroed when a real kernel
 * reads it), else zeros allocated in JavaScript.
 */
export function shapeOnlyOutput(backend: tf.KernelBackend, kernel: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, alloc?: PlaceholderAlloc): tf.TensorInfo | undefined {
  const fn = SHAPE_ONLY[kernel];
  if (!fn) return undefined;
  let out: ReturnType<ShapeFn>;
  try {
    out = fn(inputs, attrs);
  } catch {
    return undefined; // let the real kernel report the problem
  }
  if (!out || (out.dtype !== 'float32' && out.dtype !== 'int32')) return undefined;
  const made = alloc?.(out.shape, out.dtype);
  if (made) return made;
  const size = out.shape.reduce((p, d) => p * d, 1);
  const values = out.dtype === 'float32' ? new Float32Array(size) : new Int32Array(size);
  return { dataId: backend.write(values, out.shape, out.dtype), shape: out.shape, dtype: out.dtype };
}
