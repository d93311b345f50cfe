// traceFunction: the analogue of tf.function(fn, input_signature).get_concrete_function().
import type * as tf from '@tensorflow/tfjs';
import type { ConcreteFunction } from './concrete-function.js';
import { SavedModelError } from './core.js';
import { normalizeSignature, traceFlat, type TraceOptions } from './trace-core.js';
import { flatten, isTensorSpec, packLike, type Nested, type TensorSpec } from './tensor-spec.js';

/** A spec as a TensorSpec or a plain object with the same fields. */
export type TensorSpecLike = TensorSpec | { shape: readonly (number | null)[]; dtype?: tf.DataType; name?: string };

/**
 * Traces `fn` once per size set (twice when the signature has unknown dims) and returns its
 * graph. `inputSignature` lists one (possibly nested) spec per positional argument of `fn`;
 * `fn` must be synchronous and return a tensor or a list/dict of tensors.
 */
export async function traceFunction(
  fn: (...args: never[]) => unknown,
  inputSignature: readonly Nested<TensorSpecLike>[],
  options: TraceOptions = {},
): Promise<ConcreteFunction> {
  return traceSignatureFunction(fn, inputSignature, options, false);
}

/** traceFunction, once for the batch dimension where `sizeIndependent` (see TraceRequest) holds. */
export async function traceSignatureFunction(
  fn: (...args: never[]) => unknown,
  inputSignature: readonly Nested<TensorSpecLike>[],
  options: TraceOptions,
  sizeIndependent: boolean,
): Promise<ConcreteFunction> {
  if (typeof fn !== 'function') throw new SavedModelError('INVALID_ARGUMENT', 'traceFunction needs a function');
  const signature = normalizeSignature(inputSignature);
  const run = (flat: tf.Tensor[]) => {
    const args = signature.map((s) => s);
    let i = 0;
    const rebuilt = args.map((a) => {
      const n = flatten(a, isTensorSpec).length;
      const part = flat.slice(i, i + n);
      i += n;
      return packLike(a, part, isTensorSpec);
    });
    const out = (fn as (...a: unknown[]) => unknown)(...rebuilt);
    if (out instanceof Promise) throw new SavedModelError('INVALID_ARGUMENT', 'traceFunction needs a synchronous function');
    return out as Nested<tf.Tensor>;
  };
  return traceFlat({ run, signature, name: options.name ?? (fn.name || 'function'), options, sizeIndependent });
}
