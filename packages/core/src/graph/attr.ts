// Small constructors for AttrValue / TensorProto / TensorShapeProto, so graph-building code
// reads like the graph it builds.
import { tensorflow } from '../proto/index.js';

export type Dims = readonly (number | null)[];

export function shapeProto(dims: Dims | null): tensorflow.ITensorShapeProto {
  if (dims === null) return { unknown_rank: true };
  return { dim: dims.map((d) => ({ size: d === null || d < 0 ? -1 : d })) };
}

const utf8 = new TextEncoder();
const EMPTY_BYTES = new Uint8Array(0);

/**
 * Each string's UTF-8 bytes, as views into one buffer ("" as one shared empty array): a saver's
 * key list is thousands of strings, and an ArrayBuffer each (TextEncoder.encode) was thousands of
 * native allocations per export.
 */
function utf8Each(values: readonly string[]): Uint8Array[] {
  let max = 0;
  for (const v of values) max += v.length * 3; // UTF-8 needs at most 3 bytes per UTF-16 unit
  const scratch = new Uint8Array(max);
  const ends = new Array<number>(values.length);
  let p = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v.length > 0) p += utf8.encodeInto(v, scratch.subarray(p)).written;
    ends[i] = p;
  }
  // the views keep their buffer alive: not one sized for the worst case (3× for ASCII)
  const buf = p === max ? scratch : scratch.slice(0, p);
  const out: Uint8Array[] = new Array(values.length);
  for (let i = 0, start = 0; i < values.length; i++) {
    const end = ends[i]!;
    out[i] = end === start ? EMPTY_BYTES : buf.subarray(start, end);
    start = end;
  }
  return out;
}

export const attr = {
  type: (t: tensorflow.DataType): tensorflow.IAttrValue => ({ type: t }),
  types: (ts: readonly tensorflow.DataType[]): tensorflow.IAttrValue => ({ list: { type: [...ts] } }),
  int: (i: number): tensorflow.IAttrValue => ({ i }),
  ints: (is: readonly number[]): tensorflow.IAttrValue => ({ list: { i: [...is] } }),
  float: (f: number): tensorflow.IAttrValue => ({ f }),
  bool: (b: boolean): tensorflow.IAttrValue => ({ b }),
  str: (s: string | Uint8Array): tensorflow.IAttrValue => ({ s: typeof s === 'string' ? utf8.encode(s) : s }),
  strs: (ss: readonly string[]): tensorflow.IAttrValue => ({ list: { s: utf8Each(ss) } }),
  shape: (dims: Dims | null): tensorflow.IAttrValue => ({ shape: shapeProto(dims) }),
  shapes: (list: readonly (Dims | null)[]): tensorflow.IAttrValue => ({ list: { shape: list.map(shapeProto) } }),
  tensor: (t: tensorflow.ITensorProto): tensorflow.IAttrValue => ({ tensor: t }),
  func: (name: string): tensorflow.IAttrValue => ({ func: { name } }),
  emptyList: (): tensorflow.IAttrValue => ({ list: {} }),
};

const DT = tensorflow.DataType;

/** TensorProto holding raw little-endian bytes (tensor_content), as TF writes non-scalar Consts. */
export function tensorFromBytes(dtype: tensorflow.DataType, dims: readonly number[], bytes: Uint8Array): tensorflow.ITensorProto {
  return { dtype, tensor_shape: shapeProto(dims), tensor_content: bytes };
}

export function floatTensor(values: readonly number[], dims: readonly number[] = values.length === 1 ? [] : [values.length]): tensorflow.ITensorProto {
  if (dims.length === 0) return { dtype: DT.DT_FLOAT, tensor_shape: {}, float_val: [...values] };
  const f = new Float32Array(values);
  return tensorFromBytes(DT.DT_FLOAT, dims, new Uint8Array(f.buffer));
}

export function int32Tensor(values: readonly number[], dims: readonly number[] = values.length === 1 ? [] : [values.length]): tensorflow.ITensorProto {
  if (dims.length === 0) return { dtype: DT.DT_INT32, tensor_shape: {}, int_val: [...values] };
  const a = new Int32Array(values);
  return tensorFromBytes(DT.DT_INT32, dims, new Uint8Array(a.buffer));
}

export function stringTensor(values: readonly string[], dims: readonly number[] = values.length === 1 ? [] : [values.length]): tensorflow.ITensorProto {
  return { dtype: DT.DT_STRING, tensor_shape: shapeProto(dims), string_val: utf8Each(values) };
}

export function node(name: string, op: string, inputs: readonly string[], attrs: Record<string, tensorflow.IAttrValue> = {}, device?: string): tensorflow.INodeDef {
  const n: tensorflow.INodeDef = { name, op, input: [...inputs], attr: { ...attrs } };
  if (device) n.device = device;
  return n;
}
