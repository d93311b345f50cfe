// The interface every kernel lowering is written against.
import type { SavedModelError } from '../core.js';
import type { TfDtype } from '../dtype.js';
import type { AttrInput, EmitOptions, GraphTensor } from '../graph/graph-builder.js';
import type { SymDim } from '../tape/sym.js';

export type { GraphTensor, AttrInput, SymDim };

export interface RecordedOutput {
  readonly dtype: TfDtype;
  readonly shape: readonly SymDim[];
}

export interface LoweringContext {
  readonly kernel: string;
  /** Layer path ("" for plain functions), for messages. */
  readonly layer: string;
  /** The kernel's attrs; numbers that depend on input sizes are Syms. */
  readonly attrs: Readonly<Record<string, unknown>>;
  /** What the kernel produced: one entry per output. */
  readonly outputs: readonly RecordedOutput[];
  /** A named input; fails when absent. */
  input(name: string): GraphTensor;
  optionalInput(name: string): GraphTensor | undefined;
  /** All inputs in the order the kernel got them (Concat, Pack, AddN, Einsum). */
  inputList(): GraphTensor[];

  emit(op: string, inputs: readonly (GraphTensor | readonly GraphTensor[])[], attrs?: Record<string, AttrInput | undefined>, opts?: EmitOptions): GraphTensor[];
  emit1(op: string, inputs: readonly (GraphTensor | readonly GraphTensor[])[], attrs?: Record<string, AttrInput | undefined>, opts?: EmitOptions): GraphTensor;
  /** Const node. */
  constant(dtype: TfDtype, dims: readonly number[], values: ArrayLike<number> | readonly boolean[]): GraphTensor;
  /** Scalar Const. */
  scalar(value: number | boolean, dtype: TfDtype): GraphTensor;
  /** 1-D int32 tensor of sizes; symbolic entries are computed from the inputs' shapes. */
  intVector(dims: readonly SymDim[], opts?: { inferOne?: boolean }): GraphTensor;
  /** Like intVector; sizes no product of the input sizes may be affine in `t`'s same-axis dims. */
  affineIntVector(dims: readonly SymDim[], t: GraphTensor): GraphTensor;
  /** Scalar int32 of a size. */
  intScalar(d: SymDim): GraphTensor;

  /** Attr that must be a plain number (not input-size dependent). */
  num(name: string): number;
  /** Attr that must be a plain number or a list of them. */
  nums(name: string): number[];
  /** Attr that may contain Syms: a list of sizes. */
  dims(name: string): SymDim[];
  str(name: string): string;
  bool(name: string, fallback?: boolean): boolean;

  /** An UNSUPPORTED error naming the kernel and layer. */
  fail(message: string): SavedModelError;
}

export type LowerFn = (ctx: LoweringContext) => GraphTensor | readonly GraphTensor[];

/**
 * A one-to-one mapping: the TF op, which kernel inputs feed its inputs (in the OpDef's order),
 * and its attrs computed from the kernel's (type attrs are inferred from the inputs).
 */
export interface OpLowering {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly attrs?: (ctx: LoweringContext) => Record<string, AttrInput | undefined>;
}

export type Lowering = LowerFn | OpLowering;

export function isOpLowering(l: Lowering): l is OpLowering {
  return typeof l === 'object';
}
