// Simple TensorFlow ops tfjs-converter has no mapping for, frozen as the TF ops they are defined
// by (their documented formulas), so a model using them runs instead of being refused:
//   Softsign(x) = x / (1 + |x|) (a Keras activation), Inv = Reciprocal, Rint = Round (both round
//   half to even), Erfc = 1 - Erf, Xdivy / Xlogy / Xlog1py (0 where x is 0, else x / y, x · log y,
//   x · log1p y), L2Loss(t) = sum(t²) / 2, BiasAddV1 = BiasAdd (NHWC), AccumulateNV2 = AddN,
//   PreventGradient = Identity, ConjugateTranspose of a real tensor = Transpose.
// And one op tfjs-converter maps wrong: RandomUniformInt, whose minval / maxval are inputs that
// tfjs-converter reads as (absent) attrs, so tfjs drew from [0, 1) and answered only zeros. It is
// minval + min(floor(u · (maxval - minval)), maxval - minval - 1) for u = RandomUniform(shape) in
// [0, 1): uniform over [minval, maxval), as TensorFlow defines it (its values are TF's no more
// than any tfjs random op's are).
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

type Attrs = Record<string, tensorflow.IAttrValue>;
interface Builder {
  /** Emits a helper node (its name derived from the op's), or the result itself when `last`. */
  op(suffix: string, op: string, input: string[], attr?: Attrs, last?: boolean): string;
  /** A scalar constant of the op's T. */
  scalar(suffix: string, v: number): string;
  /** An int32 scalar constant. */
  intScalar(suffix: string, v: number): string;
  /** A float32 scalar constant. */
  floatScalar(suffix: string, v: number): string;
  T: Attrs;
}

type Build = (b: Builder, x: string[], node: tensorflow.INodeDef) => void;

const COMPLEX: ReadonlySet<number> = new Set([DT.DT_COMPLEX64, DT.DT_COMPLEX128]);

/** op → how it is built from its resolved data inputs (the last node built is named as the op's node). */
const DECOMPOSE: ReadonlyMap<string, Build> = new Map<string, Build>([
  ['Softsign', (b, [x]) => { b.op('', 'RealDiv', [x!, b.op('denominator', 'AddV2', [b.op('abs', 'Abs', [x!]), b.scalar('one', 1)])], b.T, true); }],
  ['Inv', (b, [x]) => { b.op('', 'Reciprocal', [x!], b.T, true); }],
  ['Rint', (b, [x]) => { b.op('', 'Round', [x!], b.T, true); }],
  ['Erfc', (b, [x]) => { b.op('', 'Sub', [b.scalar('one', 1), b.op('erf', 'Erf', [x!])], b.T, true); }],
  ['Xdivy', (b, [x, y]) => { zeroWhereXIsZero(b, x!, b.op('quotient', 'RealDiv', [x!, y!])); }],
  ['Xlogy', (b, [x, y]) => { zeroWhereXIsZero(b, x!, b.op('product', 'Mul', [x!, b.op('log', 'Log', [y!])])); }],
  ['Xlog1py', (b, [x, y]) => { zeroWhereXIsZero(b, x!, b.op('product', 'Mul', [x!, b.op('log1p', 'Log1p', [y!])])); }],
  ['L2Loss', (b, [t]) => {
    const i32 = { type: DT.DT_INT32 };
    const axes = b.op('axes', 'Range', [b.intScalar('zero', 0), b.op('rank', 'Rank', [t!]), b.intScalar('step', 1)], { Tidx: i32 });
    b.op('', 'Mul', [b.op('sum', 'Sum', [b.op('square', 'Square', [t!]), axes], { ...b.T, Tidx: i32, keep_dims: { b: false } }), b.scalar('half', 0.5)], b.T, true);
  }],
  ['BiasAddV1', (b, [x, bias]) => { b.op('', 'BiasAdd', [x!, bias!], { ...b.T, data_format: { s: new TextEncoder().encode('NHWC') } }, true); }],
  ['AccumulateNV2', (b, x) => { b.op('', 'AddN', x, { ...b.T, N: { i: x.length } }, true); }],
  ['PreventGradient', (b, [x]) => { b.op('', 'Identity', [x!], b.T, true); }],
  ['ConjugateTranspose', (b, [x, perm], node) => { b.op('', 'Transpose', [x!, perm!], { ...b.T, Tperm: node.attr?.Tperm ?? { type: DT.DT_INT32 } }, true); }],
  ['RandomUniformInt', (b, [shape, lo, hi], node) => {
    const F: Attrs = { T: { type: DT.DT_FLOAT } };
    const Tout: Attrs = { T: node.attr?.Tout ?? { type: DT.DT_INT64 } };
    const toFloat = (suffix: string, x: string) => b.op(suffix, 'Cast', [x], { SrcT: Tout.T!, DstT: { type: DT.DT_FLOAT }, Truncate: { b: false } });
    const u = b.op('uniform', 'RandomUniform', [shape!], { T: node.attr?.T ?? { type: DT.DT_INT32 }, dtype: { type: DT.DT_FLOAT }, seed: node.attr?.seed ?? { i: 0 }, seed2: node.attr?.seed2 ?? { i: 0 } });
    const width = toFloat('width', b.op('range', 'Sub', [hi!, lo!], Tout));
    // u < 1, but u · width can round up to width in float32: the top is kept to width - 1
    const offset = b.op('offset', 'Minimum', [b.op('floor', 'Floor', [b.op('scaled', 'Mul', [u, width], F)], F), b.op('top', 'Sub', [width, b.floatScalar('one', 1)], F)], F);
    b.op('', 'AddV2', [b.op('offset_int', 'Cast', [offset], { SrcT: { type: DT.DT_FLOAT }, DstT: Tout.T!, Truncate: { b: false } }), lo!], Tout, true);
  }],
]);

function zeroWhereXIsZero(b: Builder, x: string, value: string): void {
  const isZero = b.op('x_is_zero', 'Equal', [x, b.op('zeros', 'ZerosLike', [x])]);
  // SelectV2 broadcasts: where x is 0 the result is 0 whatever y is (NaN or Inf included)
  b.op('', 'SelectV2', [isZero, b.op('result_zeros', 'ZerosLike', [value]), value], b.T, true);
}

/** Whether `node` is an op this module builds from others (complex ConjugateTranspose excluded). */
export function isDecomposed(node: tensorflow.INodeDef): boolean {
  if (!DECOMPOSE.has(node.op ?? '')) return false;
  return !(node.op === 'ConjugateTranspose' && COMPLEX.has(node.attr?.T?.type ?? 0));
}

export function* emitDecomposed(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const { name, out, inputs: resolved } = yield* startRewrite(fz, scope, node, inputs, 'emitted');
  const t = node.attr?.T?.type ?? DT.DT_FLOAT;
  const T: Attrs = { T: { type: t } };
  const constant = (suffix: string, dtype: number, v: number): string => {
    const n = fz.allocate(`${name}/${suffix}`, false);
    if (dtype === DT.DT_INT32) fz.addConst(n, { dtype, shape: [], values: Int32Array.from([v]) });
    else if (dtype === DT.DT_DOUBLE) fz.addConst(n, { dtype, shape: [], values: Float64Array.from([v]) });
    else {
      fz.addConst(n, { dtype: DT.DT_FLOAT, shape: [], values: Float32Array.from([v]) });
      // half / bfloat16 ops take a constant of their own type (TensorFlow.js computes both as float32)
      if (dtype !== DT.DT_FLOAT) return b.op(`${suffix}_cast`, 'Cast', [n], { SrcT: { type: DT.DT_FLOAT }, DstT: { type: dtype }, Truncate: { b: false } });
    }
    return n;
  };
  const b: Builder = {
    T,
    op(suffix: string, op: string, input: string[], attr: Attrs = T, last = false): string {
      const n = last ? name : fz.allocate(`${name}/${suffix}`, false);
      fz.emit({ name: n, op, input, attr });
      return n;
    },
    scalar: (suffix: string, v: number) => constant(suffix, t, v),
    intScalar: (suffix: string, v: number) => constant(suffix, DT.DT_INT32, v),
    floatScalar: (suffix: string, v: number) => constant(suffix, DT.DT_FLOAT, v),
  };
  DECOMPOSE.get(node.op ?? '')!(b, resolved, node);
  return out;
}
