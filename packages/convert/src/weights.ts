// Decoding the weight bytes of a tfjs model exactly as tfjs-core's io.decodeWeights does:
// float32 / int32 / bool / complex64 little-endian as they are (float32 bit-exact), strings as
// uint32-length-prefixed bytes, and the quantized forms dequantized — uint8 / uint16 affine
// (q * scale + min, in double precision then rounded to float32; Math.round for int32 weights)
// and float16 (IEEE half → float32). Weights of one group are laid out back to back in the
// concatenation of the group's shard files, in manifest order.
import { SavedModelError, type MemoryBudget } from '@savedmodel-js/core';
import { checkedElementCount, halfToFloat, quoteSnippet } from '@savedmodel-js/core/internal';
import type { QuantizationSpec, WeightDtype, WeightGroup, WeightSpec } from './model-json.js';

export interface DecodedWeight {
  name: string;
  shape: number[];
  dtype: WeightDtype;
  /** float32 / complex64 → Float32Array (complex interleaved), int32 → Int32Array, bool → Uint8Array, string → byte strings. */
  values: Float32Array | Int32Array | Uint8Array | Uint8Array[];
  /** float16-quantized weights: the raw half bits (for keepFloat16). */
  half?: Uint16Array;
  quantization?: QuantizationSpec;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes a weight occupies in its group, or undefined for strings (their lengths are in the data). */
export function weightByteLength(spec: WeightSpec): number | undefined {
  const n = checkedElementCount(spec.shape, { key: spec.name });
  if (spec.quantization) return n * BYTES[spec.quantization.dtype]!;
  if (spec.dtype === 'string') return undefined;
  return n * BYTES[spec.dtype]!;
}


/** A copy of `length` bytes at `offset` of `bytes`, aligned for typed-array views. */
function slice(bytes: Uint8Array, offset: number, length: number): ArrayBuffer {
  const out = new Uint8Array(length);
  out.set(bytes.subarray(offset, offset + length));
  return out.buffer;
}

function decodeOne(spec: WeightSpec, bytes: Uint8Array, offset: number, where: string): { weight: DecodedWeight; size: number } {
  const n = checkedElementCount(spec.shape, { key: spec.name, file: where });
  const need = (len: number) => {
    if (offset + len > bytes.length) {
      throw new SavedModelError('INVALID_ARGUMENT', `weight ${JSON.stringify(quoteSnippet(spec.name))} needs ${len} bytes at offset ${offset}, but the weight files of its group hold ${bytes.length}`, { file: where, key: spec.name });
    }
  };
  const base = { name: spec.name, shape: spec.shape, dtype: spec.dtype };
  const q = spec.quantization;
  if (q) {
    const size = n * BYTES[q.dtype]!;
    need(size);
    const raw = slice(bytes, offset, size);
    if (q.dtype === 'float16') {
      const half = new Uint16Array(raw);
      return { weight: { ...base, values: Float32Array.from(half, halfToFloat), half, quantization: q }, size };
    }
    const qa = q.dtype === 'uint8' ? new Uint8Array(raw) : new Uint16Array(raw);
    const scale = q.scale!, min = q.min!;
    if (spec.dtype === 'int32') {
      const values = new Int32Array(n);
      for (let i = 0; i < n; i++) values[i] = Math.round(qa[i]! * scale + min);
      return { weight: { ...base, values, quantization: q }, size };
    }
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = qa[i]! * scale + min;
    return { weight: { ...base, values, quantization: q }, size };
  }
  if (spec.dtype === 'string') {
    const values: Uint8Array[] = [];
    let o = offset;
    for (let i = 0; i < n; i++) {
      need(o - offset + 4);
      const len = (bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)) >>> 0;
      o += 4;
      need(o - offset + len);
      values.push(bytes.slice(o, o + len));
      o += len;
    }
    return { weight: { ...base, values }, size: o - offset };
  }
  const size = n * BYTES[spec.dtype]!;
  need(size);
  const raw = slice(bytes, offset, size);
  const values = spec.dtype === 'int32' ? new Int32Array(raw) : spec.dtype === 'bool' ? new Uint8Array(raw) : new Float32Array(raw);
  return { weight: { ...base, values }, size };
}

/**
 * The weights of one manifest group from the concatenated bytes of its shards; the group's bytes
 * must be used exactly (a shorter or longer file is INVALID_ARGUMENT naming the group).
 */
export function decodeWeightGroup(group: WeightGroup, bytes: Uint8Array, where: string, budget?: MemoryBudget): DecodedWeight[] {
  const out: DecodedWeight[] = [];
  let offset = 0;
  for (const spec of group.weights) {
    const expect = weightByteLength(spec);
    // Dequantized weights grow to 4 bytes an element.
    if (budget && expect !== undefined) budget.take(checkedElementCount(spec.shape) * (spec.dtype === 'complex64' ? 8 : 4), `weight ${quoteSnippet(spec.name)}`, { file: where, key: spec.name });
    const { weight, size } = decodeOne(spec, bytes, offset, where);
    out.push(weight);
    offset += size;
  }
  if (offset !== bytes.length) {
    throw new SavedModelError('INVALID_ARGUMENT', `the weight files ${quoteSnippet(group.paths.join(', '))} hold ${bytes.length} bytes but their manifest entries describe ${offset}`, { file: where });
  }
  return out;
}

/** Total bytes the manifest says its files hold, where known (no string weights); undefined otherwise. */
export function manifestByteLength(groups: readonly WeightGroup[]): number | undefined {
  let total = 0;
  for (const g of groups) {
    for (const w of g.weights) {
      const n = weightByteLength(w);
      if (n === undefined) return undefined;
      total += n;
    }
  }
  return total;
}
