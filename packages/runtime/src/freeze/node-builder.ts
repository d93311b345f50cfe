// Helper nodes of a rewrite (tf-semantics.ts), named `<node>/<suffix>` in the frozen graph: an op
// node, or an int32 / float32 constant. The node that gives the rewritten op's output is emitted
// under the op's own name (`as`).
import type { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { DT } from './model.js';

export type Attrs = Record<string, tensorflow.IAttrValue>;

export interface NodeBuilder {
  /** Emits `op` on `input`; named `as` when given (the rewritten node's own name), else `<node>/<suffix>`. */
  add(suffix: string, op: string, input: string[], attr: Attrs, as?: string): string;
  /** An int32 constant of `shape` (a scalar for []). */
  ints(suffix: string, values: readonly number[], shape: readonly number[]): string;
  /** A float32 constant of `shape`. */
  floats(suffix: string, values: readonly number[], shape: readonly number[]): string;
}

export function nodeBuilder(fz: Freezer, name: string): NodeBuilder {
  const add = (suffix: string, op: string, input: string[], attr: Attrs, as?: string): string => {
    const n = as ?? fz.allocate(`${name}/${suffix}`, false);
    fz.emit({ name: n, op, input, attr });
    return n;
  };
  const constant = (suffix: string, dtype: number, values: Int32Array | Float32Array, shape: readonly number[]): string => {
    const n = fz.allocate(`${name}/${suffix}`, false);
    fz.addConst(n, { dtype, shape: [...shape], values });
    return n;
  };
  return {
    add,
    ints: (suffix, values, shape) => constant(suffix, DT.DT_INT32, Int32Array.from(values), shape),
    floats: (suffix, values, shape) => constant(suffix, DT.DT_FLOAT, Float32Array.from(values), shape),
  };
}
