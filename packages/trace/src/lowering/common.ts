// Building blocks shared by the lowering tables.
import { tensorflow } from '../core.js';
import { isSym } from '../tape/sym.js';
import type { GraphTensor, Lowering, LoweringContext, OpLowering } from './types.js';

export const DT = tensorflow.DataType;

/** Kernel input 'x' -> op with one input. */
export function unary(op: string): OpLowering {
  return { op, inputs: ['x'] };
}

/** Kernel inputs 'a', 'b' -> op with two inputs. */
export function binary(op: string): OpLowering {
  return { op, inputs: ['a', 'b'] };
}

/** Same lowering under another kernel name. */
export function alias(l: Lowering): Lowering {
  return l;
}

/** A number or an [h, w] pair as a pair. */
export function pair(v: unknown, what: string, ctx: LoweringContext): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  if (v == null) return [1, 1];
  throw ctx.fail(`${what} must be static numbers, got ${JSON.stringify(v)}`);
}

export function triple(v: unknown, what: string, ctx: LoweringContext): [number, number, number] {
  if (typeof v === 'number') return [v, v, v];
  if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number')) return [v[0], v[1], v[2]] as [number, number, number];
  if (v == null) return [1, 1, 1];
  throw ctx.fail(`${what} must be static numbers, got ${JSON.stringify(v)}`);
}

export function rankOf(t: GraphTensor, ctx: LoweringContext): number {
  if (!t.shape) throw ctx.fail('input rank unknown');
  return t.shape.length;
}

/** Static size of dim `axis` (negative counts from the end), or undefined when symbolic. */
export function staticDim(t: GraphTensor, axis: number): number | undefined {
  if (!t.shape) return undefined;
  const d = t.shape[axis < 0 ? t.shape.length + axis : axis];
  return d === undefined || isSym(d) ? undefined : d;
}

export type PaddingAttrs = { padding: 'SAME' | 'VALID' } | { padding: 'EXPLICIT'; explicit: number[][] };

/**
 * tfjs `pad` ('same' | 'valid' | number | [[0,0],[t,b],[l,r],[0,0]]) for a 2-D window op on
 * NHWC/NCHW input. Explicit paddings are returned per input dim.
 */
export function padding2d(pad: unknown, dataFormat: string, ctx: LoweringContext): PaddingAttrs {
  if (pad === 'same') return { padding: 'SAME' };
  if (pad === 'valid') return { padding: 'VALID' };
  const nchw = dataFormat === 'NCHW';
  if (typeof pad === 'number') {
    if (pad === 0) return { padding: 'VALID' };
    const p = [pad, pad];
    return { padding: 'EXPLICIT', explicit: nchw ? [[0, 0], [0, 0], p, p] : [[0, 0], p, p, [0, 0]] };
  }
  if (Array.isArray(pad) && pad.length === 4 && pad.every((x) => Array.isArray(x) && x.length === 2 && x.every((y: unknown) => typeof y === 'number'))) {
    return { padding: 'EXPLICIT', explicit: pad as number[][] };
  }
  throw ctx.fail(`unsupported pad ${JSON.stringify(pad)}`);
}

/** NHWC / NCHW 4-vector from a spatial [h, w] pair. */
export function spatial4(hw: [number, number], dataFormat: string, fill = 1): number[] {
  return dataFormat === 'NCHW' ? [fill, fill, hw[0], hw[1]] : [fill, hw[0], hw[1], fill];
}

/** Cast to `dtype` unless already of it. */
export function castTo(ctx: LoweringContext, t: GraphTensor, dtype: tensorflow.DataType): GraphTensor {
  if (t.dtype === dtype) return t;
  return ctx.emit1('Cast', [t], { DstT: dtype }, { name: 'Cast', shapes: [t.shape] });
}

/** Explicit zero padding as a Pad node (for ops whose TF form has no EXPLICIT padding). */
export function padExplicit(ctx: LoweringContext, x: GraphTensor, explicit: number[][]): GraphTensor {
  const flat = explicit.flat();
  return ctx.emit1('Pad', [x, ctx.constant(DT.DT_INT32, [explicit.length, 2], flat)]);
}

/** Applies a tfjs fused activation. */
export function activation(ctx: LoweringContext, x: GraphTensor, name: unknown, alpha: unknown, preluWeights: GraphTensor | undefined): GraphTensor {
  switch (name ?? 'linear') {
    case 'linear': return x;
    case 'relu': return ctx.emit1('Relu', [x]);
    case 'relu6': return ctx.emit1('Relu6', [x]);
    case 'elu': return ctx.emit1('Elu', [x]);
    case 'selu': return ctx.emit1('Selu', [x]);
    case 'sigmoid': return ctx.emit1('Sigmoid', [x]);
    case 'tanh': return ctx.emit1('Tanh', [x]);
    case 'leakyrelu': return ctx.emit1('LeakyRelu', [x], { alpha: typeof alpha === 'number' ? alpha : 0.2 });
    case 'prelu': {
      if (!preluWeights) throw ctx.fail('prelu activation without weights');
      return prelu(ctx, x, preluWeights);
    }
    default: throw ctx.fail(`unsupported fused activation ${String(name)}`);
  }
}

/** prelu(x) = relu(x) + alpha * min(x, 0) (TensorFlow has no Prelu op). */
export function prelu(ctx: LoweringContext, x: GraphTensor, alpha: GraphTensor): GraphTensor {
  const pos = ctx.emit1('Relu', [x]);
  const neg = ctx.emit1('Minimum', [x, ctx.scalar(0, x.dtype)]);
  return ctx.emit1('AddV2', [pos, ctx.emit1('Mul', [alpha, neg])]);
}

/** Adds a bias: BiasAdd when it is a vector over the last axis, AddV2 (broadcasting) otherwise. */
export function addBias(ctx: LoweringContext, x: GraphTensor, bias: GraphTensor | undefined, dataFormat = 'NHWC'): GraphTensor {
  if (!bias) return x;
  const xr = x.shape?.length ?? 0;
  const channels = dataFormat === 'NCHW' ? staticDim(x, 1) : staticDim(x, -1);
  if (bias.shape?.length === 1 && xr >= 2 && channels !== undefined && staticDim(bias, 0) === channels) {
    return ctx.emit1('BiasAdd', [x, bias], dataFormat === 'NCHW' ? { data_format: 'NCHW' } : {});
  }
  return ctx.emit1('AddV2', [x, bias]);
}

/** Reduction axes attr (number | number[]) as a list. */
export function axesOf(v: unknown, ctx: LoweringContext): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  throw ctx.fail(`axis must be static numbers, got ${JSON.stringify(v)}`);
}
