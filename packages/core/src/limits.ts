/**
 * One memory budget for everything whose size comes from untrusted input (a Const's shape, a
 * checkpoint tensor's shape, a string length in a text proto, a zip entry's inflated size, the
 * number of nodes function inlining produces). Checked *before* allocating; exceeding it is
 * LIMIT_EXCEEDED naming the file / node and the size asked.
 */
import { SavedModelError, type SavedModelErrorDetails } from './errors.js';

export interface Limits {
  /** Largest single tensor / buffer / string materialized at once, in bytes (default 1 GiB). */
  maxTensorBytes: number;
  /** Total bytes materialized from one model (weights, constants, inflated entries; default 4 GiB). */
  maxTotalBytes: number;
  /** Largest number of nodes a graph may grow to (e.g. through function inlining; default 5,000,000). */
  maxNodes: number;
  /** Longest key (checkpoint key, node name, map key) read from a file, in bytes (default 64 KiB). */
  maxKeyBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxTensorBytes: 2 ** 30,
  maxTotalBytes: 2 ** 32,
  maxNodes: 5_000_000,
  maxKeyBytes: 64 * 1024,
});

/** Elements tfjs (and typed arrays) can hold in one tensor. */
/** Default longest text-format string literal (decoded bytes; adjacent literals together): 64 MiB. */
export const DEFAULT_MAX_STRING_BYTES = 64 * 2 ** 20;

export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** Defaults overridden by the given fields; rejects non-positive or non-finite values. */
export function resolveLimits(partial?: Partial<Limits>): Limits {
  const out: Limits = { ...DEFAULT_LIMITS };
  if (partial === undefined) return out;
  for (const [k, v] of Object.entries(partial)) {
    if (!(k in DEFAULT_LIMITS)) {
      throw new SavedModelError('INVALID_ARGUMENT', `unknown limit "${k}" (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`);
    }
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new SavedModelError('INVALID_ARGUMENT', `limit ${k} must be a positive finite number, got ${String(v)}`);
    }
    out[k as keyof Limits] = v;
  }
  return out;
}

/**
 * Number of elements of `shape`, checked: every dim a non-negative safe integer, the product
 * within 2^53 and within MAX_TENSOR_ELEMENTS. Throws LIMIT_EXCEEDED / INVALID_ARGUMENT otherwise.
 */
export function checkedElementCount(shape: readonly (number | bigint)[], details: SavedModelErrorDetails = {}): number {
  let n = 1;
  for (const d of shape) {
    const v = typeof d === 'bigint' ? Number(d) : d;
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new SavedModelError('INVALID_ARGUMENT', `impossible dimension ${String(d)} in shape [${shape.join(', ')}]`, details);
    }
    n *= v;
    if (n > Number.MAX_SAFE_INTEGER) {
      throw new SavedModelError('LIMIT_EXCEEDED', `shape [${shape.join(', ')}] has more than 2^53 elements`, details);
    }
  }
  if (n > MAX_TENSOR_ELEMENTS) {
    throw new SavedModelError('LIMIT_EXCEEDED', `shape [${shape.join(', ')}] has ${n} elements; tfjs holds at most ${MAX_TENSOR_ELEMENTS}`, details);
  }
  return n;
}

/**
 * A running total against a Limits budget: `take(bytes, what)` before each allocation.
 * One per load / read, so the total across many tensors is bounded too.
 */
export class MemoryBudget {
  private used = 0;
  constructor(readonly limits: Limits = { ...DEFAULT_LIMITS }) {}

  /** Reserve `bytes` for `what` (a name for the message); throws LIMIT_EXCEEDED before any allocation. */
  take(bytes: number, what: string, details: SavedModelErrorDetails = {}): void {
    if (!Number.isFinite(bytes) || bytes < 0) {
      throw new SavedModelError('INVALID_ARGUMENT', `impossible size ${bytes} for ${what}`, details);
    }
    if (bytes > this.limits.maxTensorBytes) {
      throw new SavedModelError('LIMIT_EXCEEDED', `${what} needs ${bytes} bytes, over the ${this.limits.maxTensorBytes}-byte limit for one tensor (limits.maxTensorBytes)`, details);
    }
    if (this.used + bytes > this.limits.maxTotalBytes) {
      throw new SavedModelError('LIMIT_EXCEEDED', `${what} needs ${bytes} bytes; with ${this.used} already used this is over the ${this.limits.maxTotalBytes}-byte total limit (limits.maxTotalBytes)`, details);
    }
    this.used += bytes;
  }

  /** Give back bytes reserved earlier (a tensor released). */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  get bytesUsed(): number {
    return this.used;
  }
}
