// A decoded tfjs weight as the TensorProto of the Const it feeds, in the dtype the graph declares
// for that Const: tfjs stores int64 / uint8 / int16 … weights as int32 and float64 / half as
// float32 (tfjs-converter's mapping), so the values are narrowed or widened back here. Values
// that the declared dtype cannot hold are refused, never wrapped.
import { SavedModelError, shapeProto, tensorflow } from '@savedmodel-js/core';
import { quoteSnippet } from '@savedmodel-js/core/internal';
import type { DecodedWeight } from './weights.js';

const DT = tensorflow.DataType;

/** float → IEEE half bits, rounding to nearest even (as numpy / TensorFlow cast). */
export function floatToHalf(x: number): number {
  const f32 = new Float32Array([x]);
  const b = new Uint32Array(f32.buffer)[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function intsIn(values: ArrayLike<number>, lo: number, hi: number, name: string, dtype: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo || v > hi) throw new SavedModelError('INVALID_ARGUMENT', `weight ${JSON.stringify(quoteSnippet(name))} holds ${v}, which ${dtype} cannot hold`, { key: name });
  }
}

/** TensorProto for a Const of `dtype` holding `w`. */
export function constTensor(dtype: number, w: DecodedWeight): tensorflow.ITensorProto {
  const tensor_shape = shapeProto(w.shape);
  const v = w.values;
  const name = w.name;
  if (dtype === DT.DT_STRING) {
    if (!Array.isArray(v)) throw new SavedModelError('INVALID_ARGUMENT', `weight ${JSON.stringify(quoteSnippet(name))} is ${w.dtype} but its Const is a string`, { key: name });
    return { dtype, tensor_shape, string_val: v };
  }
  if (Array.isArray(v)) throw new SavedModelError('INVALID_ARGUMENT', `weight ${JSON.stringify(quoteSnippet(name))} holds strings but its Const is not DT_STRING`, { key: name });
  const content = (bytes: Uint8Array): tensorflow.ITensorProto => ({ dtype, tensor_shape, tensor_content: bytes });
  switch (dtype) {
    case DT.DT_FLOAT: return content(bytesOf(v instanceof Float32Array ? v : Float32Array.from(v)));
    case DT.DT_DOUBLE: return content(bytesOf(Float64Array.from(v)));
    case DT.DT_HALF: return content(bytesOf(w.half ?? Uint16Array.from(v, floatToHalf)));
    case DT.DT_BFLOAT16: {
      const f = v instanceof Float32Array ? v : Float32Array.from(v);
      const bits = new Uint32Array(f.buffer, f.byteOffset, f.length);
      return content(bytesOf(Uint16Array.from(bits, (b) => b >>> 16)));
    }
    case DT.DT_COMPLEX64: return content(bytesOf(v instanceof Float32Array ? v : Float32Array.from(v)));
    case DT.DT_INT32: return content(bytesOf(v instanceof Int32Array ? v : Int32Array.from(v)));
    case DT.DT_INT64: case DT.DT_UINT64: {
      if (dtype === DT.DT_UINT64) intsIn(v, 0, 2 ** 32, name, 'DT_UINT64 (from int32)');
      return content(bytesOf(BigInt64Array.from(v, (x) => BigInt(Math.trunc(x)))));
    }
    case DT.DT_UINT32: intsIn(v, 0, 2 ** 31, name, 'DT_UINT32'); return content(bytesOf(Uint32Array.from(v)));
    case DT.DT_UINT8: intsIn(v, 0, 255, name, 'DT_UINT8'); return content(bytesOf(Uint8Array.from(v)));
    case DT.DT_INT8: intsIn(v, -128, 127, name, 'DT_INT8'); return content(bytesOf(Int8Array.from(v)));
    case DT.DT_UINT16: intsIn(v, 0, 65535, name, 'DT_UINT16'); return content(bytesOf(Uint16Array.from(v)));
    case DT.DT_INT16: intsIn(v, -32768, 32767, name, 'DT_INT16'); return content(bytesOf(Int16Array.from(v)));
    case DT.DT_BOOL: return content(Uint8Array.from(v, (x) => (x ? 1 : 0)));
    default: {
      const dn = (DT as unknown as Record<number, string>)[dtype] ?? String(dtype);
      throw new SavedModelError('UNSUPPORTED', `weight ${JSON.stringify(quoteSnippet(name))} feeds a Const of dtype ${dn}, which tfjs weights cannot carry`, { key: name });
    }
  }
}
