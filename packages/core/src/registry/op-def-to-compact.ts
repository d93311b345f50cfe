// OpDef -> compact registry entry (op-registry-format.ts): what scripts/gen-op-registry.mjs writes.
import { latin1 } from '../bytes.js';
import { Long } from '../proto/long.js';
import { tensorflow } from '../proto/index.js';
import { expandOp } from './op-def-from-compact.js';
import { b64, shortTypeName, type CompactAttr, type CompactOp, type CompactValue } from './op-registry-format.js';

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
        out.s = l.s.map((b) => latin1(b));
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
