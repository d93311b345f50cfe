// TensorSpec and nested structures (TF's tf.nest): lists, dicts (flattened in sorted key order,
// as TF does) and leaves.
import type { DataType as TfjsDtype } from '@tensorflow/tfjs';
import { SavedModelError } from './core.js';

export class TensorSpec {
  readonly shape: readonly (number | null)[];
  readonly dtype: TfjsDtype;
  readonly name: string | undefined;

  constructor(shape: readonly (number | null)[], dtype: TfjsDtype = 'float32', name?: string) {
    // TensorFlow accepts TensorSpec(shape=None) (unknown rank) in input signatures; tracing with
    // TensorFlow.js needs the rank (each dimension may still be null)
    if ((shape as unknown) === null || shape === undefined) {
      throw new SavedModelError('UNSUPPORTED', `TensorSpec${name ? ` '${name}'` : ''} has unknown rank (shape null); TensorFlow.js traces with a known rank: give one null per dimension, e.g. [null, null]`);
    }
    if (!Array.isArray(shape)) throw new SavedModelError('INVALID_ARGUMENT', `TensorSpec shape must be an array of non-negative integers or null, got ${typeof shape}`);
    for (const d of shape) {
      if (d !== null && (!Number.isInteger(d) || d < 0)) throw new SavedModelError('INVALID_ARGUMENT', `TensorSpec dims must be non-negative integers or null, got ${JSON.stringify(shape)}`);
    }
    this.shape = [...shape];
    this.dtype = dtype;
    this.name = name;
  }

  toString(): string {
    return `TensorSpec(shape=[${this.shape.map((d) => (d === null ? 'None' : d)).join(', ')}], dtype=${this.dtype}${this.name ? `, name=${this.name}` : ''})`;
  }
}

export function tensorSpec(shape: readonly (number | null)[], dtype: TfjsDtype = 'float32', name?: string): TensorSpec {
  return new TensorSpec(shape, dtype, name);
}

export type Nested<T> = T | readonly Nested<T>[] | { readonly [key: string]: Nested<T> };

/** Leaves in TF order: lists in order, dicts by sorted key. */
export function flatten<T>(s: Nested<T>, isLeaf: (x: unknown) => x is T): T[] {
  const out: T[] = [];
  const walk = (x: Nested<T>) => {
    if (isLeaf(x)) out.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') for (const k of Object.keys(x).sort()) walk((x as Record<string, Nested<T>>)[k]!);
    else throw new SavedModelError('INVALID_ARGUMENT', `unexpected ${typeof x} in a nested structure`);
  };
  walk(s);
  return out;
}

/** The structure of `s` with its leaves replaced, in flatten order, by `leaves`. */
export function packLike<T, U>(s: Nested<T>, leaves: readonly U[], isLeaf: (x: unknown) => x is T): Nested<U> {
  let i = 0;
  const walk = (x: Nested<T>): Nested<U> => {
    if (isLeaf(x)) return leaves[i++]!;
    if (Array.isArray(x)) return x.map(walk);
    const out: Record<string, Nested<U>> = {};
    for (const k of Object.keys(x).sort()) out[k] = walk((x as Record<string, Nested<T>>)[k]!);
    // keep the caller's key order for readability; flatten sorts anyway
    const ordered: Record<string, Nested<U>> = {};
    for (const k of Object.keys(x)) ordered[k] = out[k]!;
    return ordered;
  };
  return walk(s);
}

/** Flat paths of the leaves ("0", "1/logits"), for naming. */
export function leafPaths<T>(s: Nested<T>, isLeaf: (x: unknown) => x is T): string[] {
  const out: string[] = [];
  const walk = (x: Nested<T>, p: string[]) => {
    if (isLeaf(x)) out.push(p.join('_'));
    else if (Array.isArray(x)) x.forEach((y, i) => walk(y, [...p, String(i)]));
    else for (const k of Object.keys(x).sort()) walk((x as Record<string, Nested<T>>)[k]!, [...p, k]);
  };
  walk(s, []);
  return out;
}

export function isTensorSpec(x: unknown): x is TensorSpec {
  return x instanceof TensorSpec;
}
