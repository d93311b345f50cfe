// The compact JSON form of the op registry (op-registry.gen.json), shared by the generator
// (scripts/gen-op-registry.mjs: OpDef -> compact) and the runtime (compact -> OpDef).
//
// File layout:
//   { "format": "savedmodel-js/op-registry@1",
//     "source": "<where the OpDefs came from, with the sha256 of that file>",
//     "count":  <number of ops>,
//     "ops": [ <op>, ... ] }          one op per line, sorted by name (bytewise)
//
//   <op>   = { "n": name,
//              "i": [<arg>, ...]      input_arg      (omitted when empty)
//              "o": [<arg>, ...]      output_arg     (omitted when empty)
//              "a": [<attr>, ...]     attr           (omitted when empty)
//              "f": "<flags>"         letters: s = is_stateful, c = is_commutative,
//                                     g = is_aggregate, u = allows_uninitialized_input,
//                                     d = is_distributed_communication
//              "dep": [version, "explanation"]   deprecation
//              "co": [names]          control_output }
//          or { "n": name, "pb": "<base64 of the OpDef bytes>" } for an OpDef that the
//             short form cannot express exactly (none in the TF 2.2 registry).
//   <arg>  = "name:TYPE[&]"  TYPE = "T" (type_attr T) | "$float" (fixed type: DataType name
//            without DT_, lower case) | "N*T" / "N*$int32" (number_attr N times that type) |
//            "[L]" (type_list_attr L); a trailing "&" means is_ref.
//   <attr> = "name:type string" (e.g. "T:type", "N:int") when the attr has nothing else, or
//            { "n": "name:type string", "d": <value> default_value,
//              "v": <value> allowed_values, "m": minimum (present iff has_minimum) }
//   <value> (an AttrValue) = exactly one of
//            {"s": "text"} | {"i": n} | {"f": n (float32; or "inf", "-inf", "nan")} | {"b": bool} |
//            {"type": "float"} (DataType name without DT_, lower case) |
//            {"shape": "?" (unknown rank) or [dim sizes]} | {"func": "name"} |
//            {"placeholder": "x"} |
//            {"list": {"s": [...], "i": [...], "f": [...], "b": [...], "type": "float,int32,...", "shape": [...]}}
//            (an empty list is {"list": {}}) | {"pb": "<base64 of the AttrValue bytes>"}.
// Docs (summary, description, arg and attr descriptions) are not kept.
// The generator proves that every op expands back to exactly the OpDef it came from
// (identical encoded bytes) before it writes the file.
import { Long } from '../proto/long.js';
import protobuf from 'protobufjs/minimal.js';
import { tensorflow } from '../proto/index.js';

export const REGISTRY_FORMAT = 'savedmodel-js/op-registry@1';

export type CompactValue =
  | { s: string }
  | { i: number }
  | { f: number | 'inf' | '-inf' | 'nan' }
  | { b: boolean }
  | { type: string }
  | { shape: '?' | number[] }
  | { func: string }
  | { placeholder: string }
  | { list: { s?: string[]; i?: number[]; f?: (number | 'inf' | '-inf' | 'nan')[]; b?: boolean[]; type?: string; shape?: ('?' | number[])[] } }
  | { pb: string };

export type CompactAttr = string | {
  /** "name:type" */
  n: string;
  d?: CompactValue;
  v?: CompactValue;
  m?: number;
};

export interface CompactOp {
  n: string;
  i?: string[];
  o?: string[];
  a?: CompactAttr[];
  f?: string;
  dep?: [number, string];
  co?: string[];
  pb?: string;
}

export interface CompactRegistry {
  format: string;
  source: string;
  count: number;
  ops: CompactOp[];
}

const DataType = tensorflow.DataType as unknown as Record<string, number>;
/** "float" for DT_FLOAT (names of the DataType enum, DT_ removed, lower case). */
const shortTypeName = (v: number): string | undefined => {
  for (const [k, n] of Object.entries(DataType)) if (n === v && k.startsWith('DT_')) return k.slice(3).toLowerCase();
  return undefined;
};
const typeFromShort = (s: string): number => {
  const v = DataType['DT_' + s.toUpperCase()];
  if (v === undefined) throw new Error(`op registry: unknown data type "${s}"`);
  return v;
};

function b64(bytes: Uint8Array): string {
  return protobuf.util.base64.encode(bytes, 0, bytes.length);
}
function unb64(s: string): Uint8Array {
  const out = new Uint8Array(protobuf.util.base64.length(s));
  protobuf.util.base64.decode(s, out, 0);
  return out;
}

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);

// ---------------------------------------------------------------- expand (runtime)

function expandFloat(f: number | 'inf' | '-inf' | 'nan'): number {
  return f === 'inf' ? Infinity : f === '-inf' ? -Infinity : f === 'nan' ? NaN : f;
}

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

function expandArg(s: string): tensorflow.OpDef.IArgDef {
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

/** The plain OpDef object a compact entry stands for (field names as in the .proto). */
export function expandOp(c: CompactOp): tensorflow.IOpDef {
  if (c.pb !== undefined) return tensorflow.OpDef.decode(unb64(c.pb));
  const op: tensorflow.IOpDef = { name: c.n };
  if (c.i) op.input_arg = c.i.map(expandArg);
  if (c.o) op.output_arg = c.o.map(expandArg);
  if (c.a) {
    op.attr = c.a.map((x) => {
      const a = typeof x === 'string' ? { n: x } : x;
      const colon = a.n.indexOf(':');
      const d: tensorflow.OpDef.IAttrDef = { name: a.n.slice(0, colon), type: a.n.slice(colon + 1) };
      if (a.d) d.default_value = expandValue(a.d);
      if (a.m !== undefined) {
        d.has_minimum = true;
        if (a.m !== 0) d.minimum = Long.fromNumber(a.m);
      }
      if (a.v) d.allowed_values = expandValue(a.v);
      return d;
    });
  }
  if (c.dep) op.deprecation = { version: c.dep[0], ...(c.dep[1] ? { explanation: c.dep[1] } : {}) };
  const f = c.f ?? '';
  if (f.includes('g')) op.is_aggregate = true;
  if (f.includes('s')) op.is_stateful = true;
  if (f.includes('c')) op.is_commutative = true;
  if (f.includes('u')) op.allows_uninitialized_input = true;
  if (c.co) op.control_output = c.co;
  if (f.includes('d')) op.is_distributed_communication = true;
  return op;
}

// ---------------------------------------------------------------- build (runtime, direct)
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

function buildValue(v: Exclude<CompactValue, { pb: string }>): tensorflow.AttrValue {
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

function buildArg(s: string): tensorflow.OpDef.ArgDef {
  return new tensorflow.OpDef.ArgDef(expandArg(s));
}

/** Whether the entry holds base64 bytes (then only the wire format gives the decoded shape). */
const hasBytes = (c: CompactOp): boolean =>
  c.pb !== undefined || (c.a ?? []).some((a) => typeof a !== 'string' && ((a.d !== undefined && 'pb' in a.d) || (a.v !== undefined && 'pb' in a.v)));

/** The decoded tensorflow.OpDef a compact entry stands for (deep-equal to decode(encode(expandOp(c)))). */
export function buildOpDef(c: CompactOp): tensorflow.OpDef {
  if (hasBytes(c)) return tensorflow.OpDef.decode(tensorflow.OpDef.encode(expandOp(c)).finish());
  const op = new tensorflow.OpDef({ name: c.n });
  if (c.i) op.input_arg = c.i.map(buildArg);
  if (c.o) op.output_arg = c.o.map(buildArg);
  if (c.a) {
    op.attr = c.a.map((x) => {
      const a = typeof x === 'string' ? { n: x } : x;
      const colon = a.n.indexOf(':');
      const d = new tensorflow.OpDef.AttrDef({ name: a.n.slice(0, colon), type: a.n.slice(colon + 1) });
      if (a.d) d.default_value = buildValue(a.d as Exclude<CompactValue, { pb: string }>);
      if (a.m !== undefined) {
        d.has_minimum = true;
        if (a.m !== 0) d.minimum = Long.fromNumber(a.m);
      }
      if (a.v) d.allowed_values = buildValue(a.v as Exclude<CompactValue, { pb: string }>);
      return d;
    });
  }
  if (c.dep) op.deprecation = new tensorflow.OpDeprecation({ version: c.dep[0], ...(c.dep[1] ? { explanation: c.dep[1] } : {}) });
  const f = c.f ?? '';
  if (f.includes('g')) op.is_aggregate = true;
  if (f.includes('s')) op.is_stateful = true;
  if (f.includes('c')) op.is_commutative = true;
  if (f.includes('u')) op.allows_uninitialized_input = true;
  if (c.co) op.control_output = [...c.co];
  if (f.includes('d')) op.is_distributed_communication = true;
  return op;
}

// ---------------------------------------------------------------- compact (generator)

const isAscii = (b: Uint8Array) => b.every((c) => c >= 0x20 && c < 0x7f);
const num = (v: number | Long | null | undefined): number | null => {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = v.toNumber();
  return Number.isSafeInteger(n) && Long.fromNumber(n).equals(v) ? n : null;
};

/** Shortest decimal that converts back to the same float32 (JSON has no inf/nan: strings). */
function shortestFloat32(x: number): number | 'inf' | '-inf' | 'nan' {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

function compactShape(s: tensorflow.ITensorShapeProto): '?' | number[] | null {
  if (s.unknown_rank) return s.dim && s.dim.length ? null : '?';
  const out: number[] = [];
  for (const d of s.dim ?? []) {
    const n = num(d.size);
    if (n === null || d.name) return null;
    out.push(n);
  }
  return out;
}

function compactValue(v: tensorflow.IAttrValue): CompactValue {
  const fallback = (): CompactValue => ({ pb: b64(tensorflow.AttrValue.encode(v).finish()) });
  const set = ['list', 's', 'i', 'f', 'b', 'type', 'shape', 'tensor', 'placeholder', 'func'].filter((k) => (v as Record<string, unknown>)[k] != null);
  if (set.length !== 1) return fallback();
  const k = set[0]!;
  switch (k) {
    case 's': return isAscii(v.s!) ? { s: latin1(v.s!) } : fallback();
    case 'i': { const n = num(v.i); return n === null ? fallback() : { i: n }; }
    case 'f': return { f: shortestFloat32(v.f!) };
    case 'b': return { b: v.b! };
    case 'type': { const n = shortTypeName(v.type!); return n ? { type: n } : fallback(); }
    case 'shape': { const s = compactShape(v.shape!); return s === null ? fallback() : { shape: s }; }
    case 'placeholder': return { placeholder: v.placeholder! };
    case 'func': return v.func!.attr && Object.keys(v.func!.attr).length ? fallback() : { func: v.func!.name ?? '' };
    case 'list': {
      const l = v.list!;
      const out: NonNullable<Extract<CompactValue, { list: unknown }>['list']> = {};
      if ((l.tensor && l.tensor.length) || (l.func && l.func.length)) return fallback();
      if (l.s && l.s.length) {
        if (!l.s.every(isAscii)) return fallback();
        out.s = l.s.map(latin1);
      }
      if (l.i && l.i.length) {
        const xs = l.i.map(num);
        if (xs.some((x) => x === null)) return fallback();
        out.i = xs as number[];
      }
      if (l.f && l.f.length) out.f = l.f.map(shortestFloat32);
      if (l.b && l.b.length) out.b = l.b;
      if (l.type && l.type.length) {
        const xs = l.type.map(shortTypeName);
        if (xs.some((x) => x === undefined)) return fallback();
        out.type = xs.join(',');
      }
      if (l.shape && l.shape.length) {
        const xs = l.shape.map(compactShape);
        if (xs.some((x) => x === null)) return fallback();
        out.shape = xs as ('?' | number[])[];
      }
      return { list: out };
    }
    default:
      return fallback();
  }
}

function compactArg(a: tensorflow.OpDef.IArgDef): string | null {
  if (!a.name || a.name.includes(':') || a.description || (a.handle_data && a.handle_data.length) || a.experimental_full_type) return null;
  let t: string;
  const fixed = a.type ? shortTypeName(a.type) : undefined;
  if (a.type && !fixed) return null;
  const typeStr = a.type_attr ? a.type_attr : fixed ? '$' + fixed : null;
  if (a.type_list_attr) {
    if (a.type_attr || a.type || a.number_attr) return null;
    t = `[${a.type_list_attr}]`;
  } else {
    if (typeStr === null || (a.type_attr && a.type)) return null;
    t = a.number_attr ? `${a.number_attr}*${typeStr}` : typeStr;
  }
  return `${a.name}:${t}${a.is_ref ? '&' : ''}`;
}

/**
 * Compact form of one OpDef (docs must already be stripped). Falls back to base64 bytes
 * when the short form would not expand back to exactly the same OpDef.
 */
export function compactOp(op: tensorflow.IOpDef): CompactOp {
  const fallback = (): CompactOp => ({ n: op.name ?? '', pb: b64(tensorflow.OpDef.encode(op).finish()) });
  if (!op.name || op.summary || op.description) return fallback();
  const c: CompactOp = { n: op.name };
  const args = (xs: tensorflow.OpDef.IArgDef[] | null | undefined): string[] | null | undefined => {
    if (!xs || xs.length === 0) return undefined;
    const out = xs.map(compactArg);
    return out.some((x) => x === null) ? null : (out as string[]);
  };
  const i = args(op.input_arg), o = args(op.output_arg);
  if (i === null || o === null) return fallback();
  if (i) c.i = i;
  if (o) c.o = o;
  if (op.attr && op.attr.length) {
    const attrs: CompactAttr[] = [];
    for (const a of op.attr) {
      if (a.description || !a.name || a.name.includes(':')) return fallback();
      const ca: Exclude<CompactAttr, string> = { n: `${a.name}:${a.type ?? ''}` };
      if (a.default_value) ca.d = compactValue(a.default_value);
      if (a.allowed_values) ca.v = compactValue(a.allowed_values);
      if (a.has_minimum) {
        const m = num(a.minimum);
        if (m === null) return fallback();
        ca.m = m;
      } else if (num(a.minimum) !== 0) return fallback();
      attrs.push(Object.keys(ca).length === 1 ? ca.n : ca);
    }
    c.a = attrs;
  }
  let flags = '';
  if (op.is_stateful) flags += 's';
  if (op.is_commutative) flags += 'c';
  if (op.is_aggregate) flags += 'g';
  if (op.allows_uninitialized_input) flags += 'u';
  if (op.is_distributed_communication) flags += 'd';
  if (flags) c.f = flags;
  if (op.deprecation) c.dep = [op.deprecation.version ?? 0, op.deprecation.explanation ?? ''];
  if (op.control_output && op.control_output.length) c.co = [...op.control_output];
  // exactness check: same bytes after expansion
  const a = tensorflow.OpDef.encode(op).finish();
  const b = tensorflow.OpDef.encode(expandOp(c)).finish();
  if (a.length !== b.length || a.some((x, k) => x !== b[k])) return fallback();
  return c;
}

/** OpDef with docs removed: summary, description, arg and attr descriptions (in place). */
export function stripOpDocs(op: tensorflow.IOpDef): tensorflow.IOpDef {
  delete op.summary;
  delete op.description;
  for (const a of [...(op.input_arg ?? []), ...(op.output_arg ?? [])]) delete a.description;
  for (const a of op.attr ?? []) delete a.description;
  return op;
}
