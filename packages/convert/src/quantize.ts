// Weight quantization as tensorflowjs_converter's --quantize_uint8 / --quantize_uint16 /
// --quantize_float16 write it: affine uint8/uint16 over [min, max] (the range nudged so that 0 is
// exactly representable when it lies inside, as TF-Lite does), stored with `scale` and `min`;
// float16 as IEEE half. Rounding is half-to-even, like numpy's.
import { floatToHalf } from './tensor-values.js';

export type QuantizeDtype = 'uint8' | 'uint16' | 'float16';

export interface Quantized {
  bytes: Uint8Array;
  quantization: { dtype: QuantizeDtype; scale?: number; min?: number };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Quantizes float32 (or int32) values; dequantized by q * scale + min (tfjs' decodeWeights). */
export function quantizeWeights(values: Float32Array | Int32Array, dtype: QuantizeDtype): Quantized {
  if (dtype === 'float16') {
    const half = Uint16Array.from(values, floatToHalf);
    return { bytes: new Uint8Array(half.buffer), quantization: { dtype } };
  }
  const qmax = dtype === 'uint8' ? 255 : 65535;
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (values.length === 0) { lo = 0; hi = 0; }
  const q = dtype === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  if (lo === hi) return { bytes: new Uint8Array(q.buffer), quantization: { dtype, scale: 1, min: lo } };
  const scale = (hi - lo) / qmax;
  let min = lo, max = hi;
  if (lo <= 0 && 0 <= hi) {
    const zero = roundHalfEven((0 - lo) / scale);
    min = -zero * scale;
    max = qmax * scale + min;
  }
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(max, Math.max(min, values[i]!));
    q[i] = Math.min(qmax, Math.max(0, roundHalfEven((v - min) / scale)));
  }
  return { bytes: new Uint8Array(q.buffer), quantization: { dtype, scale, min } };
}
