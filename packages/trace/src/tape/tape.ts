// What one traced run leaves behind: the values it saw and the kernel calls between them.
// A "value" is one tensor as the graph will see it (tfjs tensors that share a dataId but differ
// in shape, as a Reshape output does, are different values).
import type { DataType as TfjsDtype, Variable } from '@tensorflow/tfjs';
import type { SymDim } from './sym.js';

export type BackendValues = Float32Array | Int32Array | Uint8Array | Uint8Array[];

export type ValueSource =
  /** The i-th flat input of the traced function. */
  | { kind: 'input'; index: number }
  /** A tf.Variable: a captured DT_RESOURCE argument read with ReadVariableOp. */
  | { kind: 'variable'; variable: Variable }
  /** A tensor created outside any kernel (before the trace or by tensor()/scalar() during it). */
  | { kind: 'constant'; values: BackendValues }
  /** Output `output` of kernel call `call`. */
  | { kind: 'kernel'; call: number; output: number };

export interface TapeValue {
  id: number;
  dtype: TfjsDtype;
  shape: number[];
  source: ValueSource;
}

/** A kernel input: one value, a list of values (Concat, Pack, AddN, ...) or absent (optional input). */
export type InputRef = number | readonly number[] | null;

export interface KernelCall {
  index: number;
  kernel: string;
  /** Inputs in the order the kernel received them, by input name ('0', '1', ... for list kernels). */
  inputs: readonly (readonly [string, InputRef])[];
  attrs: Record<string, unknown>;
  outputs: number[];
  /** Layer path for layers models ("sequential/dense_Dense1"); "" for plain functions. */
  layer: string;
}

export interface Tape {
  values: TapeValue[];
  calls: KernelCall[];
  /** Value id of each flat input. */
  inputs: number[];
  /** Value id of each flat output. */
  outputs: number[];
}

// ---- the symbolic tape: two traces merged, sizes that vary with the inputs as SymDims ----

export type SymValueSource =
  | { kind: 'input'; index: number }
  | { kind: 'variable'; variable: Variable }
  | { kind: 'constant'; values: BackendValues }
  /** An int constant whose elements depend on input sizes (a shape computed in JS). */
  | { kind: 'symbolic-constant'; elements: SymDim[] }
  /** A constant of input-dependent shape holding one value everywhere (tf.zeros([batch, n])). */
  | { kind: 'fill'; value: number | boolean }
  /**
   * A constant whose leading dims depend on input sizes, every slice along them the same `row`
   * of fixed shape `rowShape` (the value's trailing dims): tfjs's CenterCrop, one box per image.
   */
  | { kind: 'tiled'; row: Float32Array | Int32Array | Uint8Array; rowShape: number[] }
  | { kind: 'kernel'; call: number; output: number };

export interface SymValue {
  id: number;
  dtype: TfjsDtype;
  shape: SymDim[];
  source: SymValueSource;
}

export interface SymCall {
  index: number;
  kernel: string;
  inputs: readonly (readonly [string, InputRef])[];
  /** Attrs with every input-dependent number replaced by a Sym. */
  attrs: Record<string, unknown>;
  outputs: number[];
  layer: string;
}

export interface SymbolInfo {
  /** Flat input and axis the symbol is read from in the graph (Shape(input)[axis]). */
  input: number;
  axis: number;
  /** Size used for the symbol in each trace. */
  sizes: number[];
}

export interface SymTape {
  values: SymValue[];
  calls: SymCall[];
  inputs: number[];
  outputs: number[];
  symbols: SymbolInfo[];
}
