// Compact registry entry (op-registry-format.ts) -> OpDef, in two flavours made by one walk over
// the entry (walkOp), so they cannot drift apart:
//  - expandOp: plain objects (field names as in the .proto), what the generator encodes and
//    compares byte for byte with the OpDef it came from;
//  - buildOpDef: message instances as tensorflow.OpDef.decode would give them, built directly
//    (the registry lookups of `savedmodel verify` and of export: keep it cheap).
// Only the parts differ: how an op, arg, attr, deprecation and AttrValue are made.
import { Long } from '../proto/long.js';
import protobuf from 'protobufjs/minimal.js';
import { tensorflow } from '../proto/index.js';
import { typeFromShort, unb64, type CompactOp, type CompactValue } from './op-registry-format.js';

/** The fields of an <arg> string ("name:TYPE[&]", see op-registry-format.ts). */
function argFields(s: string): tensorflow.OpDef.IArgDef {
  const colon = s.indexOf(':');
  const arg: tensorflow.OpDef.IArgDef = { name: s.slice(0, colon) };
  let t = s.slice(colon + 1);
  if (t.endsWith('&')) {
    arg.is_ref = true;
    t = t.slice(0, -1);
  }
  if (t.startsWith('[')) {
    arg.type_list_attr = t.slice(1, -1);
    return arg;
  }
  const star = t.indexOf('*');
  if (star >= 0) {
    arg.number_attr = t.slice(0, star);
    t = t.slice(star + 1);
  }
  if (t.startsWith('$')) arg.type = typeFromShort(t.slice(1));
  else arg.type_attr = t;
  return arg;
}

/**
 * The one walk over a short-form entry (not `pb`), for both flavours: `messages` picks message
 * instances and buildValue (buildOpDef) or plain objects and expandValue (expandOp) at each part.
 * A flag, not a table of maker functions: no extra calls or functions to compile on the cold
 * path of getOpDef. The fields are set in the order expandOp always set them.
 */
function walkOp(c: CompactOp, messages: true): tensorflow.OpDef;
function walkOp(c: CompactOp, messages: false): tensorflow.IOpDef;
function walkOp(c: CompactOp, messages: boolean): tensorflow.IOpDef {
  const op: tensorflow.IOpDef = messages ? new tensorflow.OpDef({ name: c.n }) : { name: c.n };
  const arg = messages ? messageArg : argFields;
  const value = messages ? buildValue : expandValue;
  if (c.i) op.input_arg = c.i.map(arg);
  if (c.o) op.output_arg = c.o.map(arg);
  if (c.a) {
    op.attr = c.a.map((x) => {
      const a = typeof x === 'string' ? { n: x } : x;
      const colon = a.n.indexOf(':');
      const fields = { name: a.n.slice(0, colon), type: a.n.slice(colon + 1) };
      const d: tensorflow.OpDef.IAttrDef = messages ? new tensorflow.OpDef.AttrDef(fields) : fields;
      if (a.d) d.default_value = value(a.d);
      if (a.m !== undefined) {
        d.has_minimum = true;
        if (a.m !== 0) d.minimum = Long.fromNumber(a.m);
      }
      if (a.v) d.allowed_values = value(a.v);
      return d;
    });
  }
  if (c.dep) {
    const dep = { version: c.dep[0], ...(c.dep[1] ? { explanation: c.dep[1] } : {}) };
    op.deprecation = messages ? new tensorflow.OpDeprecation(dep) : dep;
  }
  const f = c.f ?? '';
  if (f.includes('g')) op.is_aggregate = true;
  if (f.includes('s')) op.is_stateful = true;
  if (f.includes('c')) op.is_commutative = true;
  if (f.includes('u')) op.allows_uninitialized_input = true;
  // a message gets its own array: the entry is kept by the op table
  if (c.co) op.control_output = messages ? [...c.co] : c.co;
  if (f.includes('d')) op.is_distributed_communication = true;
  return op;
}

function expandFloat(f: number | 'inf' | '-inf' | 'nan'): number {
  return f === 'inf' ? Infinity : f === '-inf' ? -Infinity : f === 'nan' ? NaN : f;
}

// ---------------------------------------------------------------- plain objects (expandOp)

function expandShape(s: '?' | number[]): tensorflow.ITensorShapeProto {
  if (s === '?') return { unknown_rank: true };
  return { dim: s.map((size) => ({ size })) };
}

function expandValue(v: CompactValue): tensorflow.IAttrValue {
  if ('pb' in v) return tensorflow.AttrValue.decode(unb64(v.pb));
  if ('s' in v) return { s: Uint8Array.from(v.s, (c) => c.charCodeAt(0)) };
  if ('i' in v) return { i: Long.fromNumber(v.i) };
  if ('f' in v) return { f: expandFloat(v.f) };
  if ('b' in v) return { b: v.b };
  if ('type' in v) return { type: typeFromShort(v.type) };
  if ('shape' in v) return { shape: expandShape(v.shape) };
  if ('func' in v) return { func: { name: v.func } };
  if ('placeholder' in v) return { placeholder: v.placeholder };
  const l = v.list;
  const list: tensorflow.AttrValue.IListValue = {};
  if (l.s) list.s = l.s.map((x) => Uint8Array.from(x, (c) => c.charCodeAt(0)));
  if (l.i) list.i = l.i.map((x) => Long.fromNumber(x));
  if (l.f) list.f = l.f.map(expandFloat);
  if (l.b) list.b = l.b;
  if (l.type !== undefined) list.type = l.type === '' ? [] : l.type.split(',').map(typeFromShort);
  if (l.shape) list.shape = l.shape.map(expandShape);
  return { list };
}

/** The plain OpDef object a compact entry stands for (field names as in the .proto). */
export function expandOp(c: CompactOp): tensorflow.IOpDef {
  if (c.pb !== undefined) return tensorflow.OpDef.decode(unb64(c.pb));
  return walkOp(c, false);
}

// ---------------------------------------------------------------- messages (buildOpDef, direct)
// buildOpDef gives what tensorflow.OpDef.decode(tensorflow.OpDef.encode(expandOp(c)).finish())
// gives — message instances, int64 as Long, floats rounded to float32, bytes as protobufjs's
// reader makes them (a Buffer in Node) — without the trip through the wire format (~40 µs an
// op cold, most of what getOpDef cost `savedmodel verify`). packages/core/test/op-build.test.ts
// checks deep equality with that trip for every op of the three tables.

const NodeBuffer = (protobuf.util as unknown as { Buffer?: { allocUnsafe(n: number): Uint8Array } | null }).Buffer;
/** ASCII text as the bytes a decoded `bytes` field holds (filled by hand: Buffer.from's latin1 path is slow cold). */
function bytesOf(s: string): Uint8Array {
  const b = NodeBuffer ? NodeBuffer.allocUnsafe(s.length) : new Uint8Array(s.length);
  for (let k = 0; k < s.length; k++) b[k] = s.charCodeAt(k);
  return b;
}
const f32 = (f: number | 'inf' | '-inf' | 'nan'): number => Math.fround(expandFloat(f));

function buildShape(s: '?' | number[]): tensorflow.TensorShapeProto {
  if (s === '?') return new tensorflow.TensorShapeProto({ unknown_rank: true });
  return new tensorflow.TensorShapeProto({ dim: s.map((size) => new tensorflow.TensorShapeProto.Dim({ size: Long.fromNumber(size) })) });
}

/** Never given `pb`: buildOpDef takes the wire trip for entries that hold bytes (hasBytes). */
function buildValue(c: CompactValue): tensorflow.AttrValue {
  const v = c as Exclude<CompactValue, { pb: string }>;
  if ('s' in v) return new tensorflow.AttrValue({ s: bytesOf(v.s) });
  if ('i' in v) return new tensorflow.AttrValue({ i: Long.fromNumber(v.i) });
  if ('f' in v) return new tensorflow.AttrValue({ f: f32(v.f) });
  if ('b' in v) return new tensorflow.AttrValue({ b: v.b });
  if ('type' in v) return new tensorflow.AttrValue({ type: typeFromShort(v.type) });
  if ('shape' in v) return new tensorflow.AttrValue({ shape: buildShape(v.shape) });
  if ('func' in v) return new tensorflow.AttrValue({ func: new tensorflow.NameAttrList({ name: v.func }) });
  if ('placeholder' in v) return new tensorflow.AttrValue({ placeholder: v.placeholder });
  const l = v.list;
  const list = new tensorflow.AttrValue.ListValue();
  if (l.s) list.s = l.s.map(bytesOf);
  if (l.i) list.i = l.i.map((x) => Long.fromNumber(x));
  if (l.f) list.f = l.f.map(f32);
  if (l.b) list.b = [...l.b];
  if (l.type) list.type = l.type.split(',').map(typeFromShort);
  if (l.shape) list.shape = l.shape.map(buildShape);
  return new tensorflow.AttrValue({ list });
}

function messageArg(s: string): tensorflow.OpDef.ArgDef {
  return new tensorflow.OpDef.ArgDef(argFields(s));
}

/** Whether the entry holds base64 bytes (then only the wire format gives the decoded shape). */
const hasBytes = (c: CompactOp): boolean =>
  c.pb !== undefined || (c.a ?? []).some((a) => typeof a !== 'string' && ((a.d !== undefined && 'pb' in a.d) || (a.v !== undefined && 'pb' in a.v)));

/** The decoded tensorflow.OpDef a compact entry stands for (deep-equal to decode(encode(expandOp(c)))). */
export function buildOpDef(c: CompactOp): tensorflow.OpDef {
  if (hasBytes(c)) return tensorflow.OpDef.decode(tensorflow.OpDef.encode(expandOp(c)).finish());
  return walkOp(c, true);
}
