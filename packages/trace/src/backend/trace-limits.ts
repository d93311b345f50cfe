// What one tensor made while tracing may take. A shape can come from an untrusted file (a layers
// config with a fixed batch of 10^12, a RepeatVector of 10^9): it is refused by name before the
// placeholder or sample input is allocated, instead of a RangeError from deep inside tfjs.
import { DEFAULT_LIMITS, SavedModelError } from '../core.js';

/** Throws LIMIT_EXCEEDED (key `key`) when a 4-byte-per-element tensor of `shape` is over limits.maxTensorBytes. */
export function checkTraceTensor(shape: readonly number[], what: string, key: string): void {
  let n = 1;
  for (const d of shape) n *= d;
  const bytes = n * 4;
  if (bytes > DEFAULT_LIMITS.maxTensorBytes) {
    throw new SavedModelError('LIMIT_EXCEEDED', `${what} would make a tensor of shape [${shape.join(', ')}] (${bytes} bytes) while tracing, over the ${DEFAULT_LIMITS.maxTensorBytes}-byte limit for one tensor`, { key });
  }
}
