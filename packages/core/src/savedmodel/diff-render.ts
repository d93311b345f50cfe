// Text renderings used by diffSavedModels (diff.ts): one-line, deterministic, human-readable
// forms of shapes, dtypes, attr values, tensors and StructuredValues. Two values are
// "equal" for the diff when their renderings are equal, so these functions must print
// everything that matters and nothing that does not (for example function names go
// through a caller-supplied mapping so that `_<uid>` suffixes can be factored out).
import type Long from 'long';
import { tensorflow, toBigInt, toNumber } from '../proto/index.js';
import { dtypeLabel, pyDtypeName } from './dtype-names.js';

export const ABSENT = '<absent>';
export const PRESENT = '<present>';

/** Maps a function name for printing or comparison. */
export type FnName = (name: string) => string;
export const identityFn: FnName = (n) => n;

/** Longest rendering shown in a difference line; longer values are cut (comparison uses the full text). */
export const MAX_SHOWN = 240;

export function clip(s: string, max = MAX_SHOWN): string {
  return s.length <= max ? s : `${s.slice(0, max - 40)}…(${s.length} chars)`;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `()` for a scalar, `(2, -1)`, `unknown_rank` (saved_model_cli's layout); named dims as `size:name`. */
export function shapeText(shape: tensorflow.ITensorShapeProto | null | undefined): string {
  if (!shape) return '<none>';
  if (shape.unknown_rank) return 'unknown_rank';
  return '(' + (shape.dim ?? []).map((d) => String(toNumber(d.size)) + (d.name ? `:${d.name}` : '')).join(', ') + ')';
}

export function dimsText(dims: readonly number[]): string {
  return '(' + dims.join(', ') + ')';
}

export function dtypeText(dtype: number | null | undefined): string {
  return dtypeLabel(dtype ?? 0);
}

export function listText(items: readonly string[]): string {
  return '[' + items.join(', ') + ']';
}

export function boolText(b: boolean | null | undefined): string {
  return b ? 'true' : 'false';
}

export function enumText(e: Record<number, string>, v: number | null | undefined): string {
  return e[v ?? 0] ?? String(v ?? 0);
}

/** Random parts TensorFlow puts into otherwise deterministic strings (the save function's temp suffix). */
export function normalizeRandomParts(s: string): string {
  return s.replace(/_temp_[0-9a-f]{32}/g, '_temp_<uuid>');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Printable UTF-8 as a JSON string literal, anything else as hex. */
export function bytesText(b: Uint8Array | string | null | undefined): string {
  if (b === null || b === undefined) return '""';
  if (typeof b === 'string') return JSON.stringify(b);
  try {
    const s = utf8.decode(b);
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s)) return JSON.stringify(s);
  } catch {
    // not UTF-8: fall through to hex
  }
  let hex = '';
  for (const x of b) hex += x.toString(16).padStart(2, '0');
  return `0x${hex}`;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function int64Text(v: number | Long | null | undefined): string {
  return toBigInt(v).toString();
}

function floatText(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return String(x);
}

/** The shortest decimal that reads back as the same float32. */
export function float32Text(x: number): string {
  if (!Number.isFinite(x)) return floatText(x);
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

/** A TensorProto: dtype, shape, then every non-empty value field. */
export function tensorText(t: tensorflow.ITensorProto | null | undefined): string {
  if (!t) return '<none>';
  const parts: string[] = [`${dtypeText(t.dtype)} ${shapeText(t.tensor_shape)}`];
  if (t.tensor_content && t.tensor_content.length > 0) parts.push(`content=${bytesText(t.tensor_content)}`);
  const nums = (name: string, v: readonly (number | Long)[] | null | undefined, f: (x: number | Long) => string) => {
    if (v && v.length > 0) parts.push(`${name}=[${v.map(f).join(', ')}]`);
  };
  nums('half_val', t.half_val, (x) => String(x));
  nums('float_val', t.float_val, (x) => float32Text(x as number));
  nums('double_val', t.double_val, (x) => floatText(x as number));
  nums('int_val', t.int_val, (x) => String(x));
  nums('int64_val', t.int64_val, int64Text);
  nums('bool_val', t.bool_val as unknown as number[], (x) => String(Boolean(x)));
  nums('scomplex_val', t.scomplex_val, (x) => float32Text(x as number));
  nums('dcomplex_val', t.dcomplex_val, (x) => floatText(x as number));
  nums('uint32_val', t.uint32_val, (x) => String(x));
  nums('uint64_val', t.uint64_val, (x) => (typeof x === 'number' ? String(x) : BigInt.asUintN(64, toBigInt(x)).toString()));
  if (t.string_val && t.string_val.length > 0) {
    parts.push(`string_val=[${t.string_val.map((s) => normalizeRandomParts(bytesText(s))).join(', ')}]`);
  }
  if (t.resource_handle_val && t.resource_handle_val.length > 0) {
    parts.push(`resource_handle_val=${JSON.stringify(t.resource_handle_val.map((h) => [h.device ?? '', h.container ?? '', h.name ?? '', h.maybe_type_name ?? '']))}`);
  }
  if (t.variant_val && t.variant_val.length > 0) {
    parts.push(`variant_val=[${t.variant_val.map((v) => `${v.type_name ?? ''}:${bytesText(v.metadata)}:[${(v.tensors ?? []).map(tensorText).join(', ')}]`).join(', ')}]`);
  }
  return parts.join(' ');
}

function nameAttrListText(f: tensorflow.INameAttrList, fn: FnName): string {
  const attrs = Object.keys(f.attr ?? {}).sort(compareStrings);
  const name = fn(f.name ?? '');
  if (attrs.length === 0) return name;
  return `${name}{${attrs.map((k) => `${k}=${attrText(f.attr![k]!, fn)}`).join(', ')}}`;
}

/**
 * An AttrValue. Function names go through `fn`; strings are normalized for TF's random
 * temp-file suffix. A list with a single kind of element prints as `[a, b]`.
 */
export function attrText(v: tensorflow.IAttrValue | null | undefined, fn: FnName = identityFn): string {
  if (!v) return '<none>';
  if (v.list) {
    const l = v.list;
    const kinds: [string, string[]][] = [];
    const add = (k: string, xs: string[] | undefined) => { if (xs && xs.length > 0) kinds.push([k, xs]); };
    add('s', l.s?.map((x) => normalizeRandomParts(bytesText(x))));
    add('i', l.i?.map(int64Text));
    add('f', l.f?.map(float32Text));
    add('b', l.b?.map((x) => boolText(x)));
    add('type', l.type?.map((x) => dtypeText(x)));
    add('shape', l.shape?.map(shapeText));
    add('tensor', l.tensor?.map(tensorText));
    add('func', l.func?.map((x) => nameAttrListText(x, fn)));
    if (kinds.length === 0) return '[]';
    if (kinds.length === 1) return listText(kinds[0]![1]);
    return '[' + kinds.map(([k, xs]) => `${k}: ${listText(xs)}`).join('; ') + ']';
  }
  if (v.s !== null && v.s !== undefined) return normalizeRandomParts(bytesText(v.s));
  if (v.i !== null && v.i !== undefined) return int64Text(v.i);
  if (v.f !== null && v.f !== undefined) return float32Text(v.f);
  if (v.b !== null && v.b !== undefined) return boolText(v.b);
  if (v.type !== null && v.type !== undefined) return dtypeText(v.type);
  if (v.shape) return shapeText(v.shape);
  if (v.tensor) return tensorText(v.tensor);
  if (v.placeholder !== null && v.placeholder !== undefined) return `placeholder(${v.placeholder})`;
  if (v.func) return nameAttrListText(v.func, fn);
  return '<unset>';
}

/** Every function name an AttrValue refers to, in order (func and list.func, nested attrs included). */
export function attrFunctionNames(v: tensorflow.IAttrValue | null | undefined, out: string[] = []): string[] {
  if (!v) return out;
  const visit = (f: tensorflow.INameAttrList) => {
    out.push(f.name ?? '');
    for (const k of Object.keys(f.attr ?? {}).sort(compareStrings)) attrFunctionNames(f.attr![k], out);
  };
  if (v.func) visit(v.func);
  for (const f of v.list?.func ?? []) visit(f);
  return out;
}

// ---- StructuredValue ----

export type SvKind =
  | 'none' | 'float64' | 'int64' | 'string' | 'bool' | 'tensor_shape' | 'tensor_dtype' | 'tensor_spec' | 'type_spec'
  | 'bounded_tensor_spec' | 'list' | 'tuple' | 'dict' | 'named_tuple' | 'tensor' | 'numpy' | 'unset';

const isSet = (x: unknown) => x !== null && x !== undefined;

export function svKind(v: tensorflow.IStructuredValue | null | undefined): SvKind {
  if (!v) return 'unset';
  if (v.none_value) return 'none';
  if (isSet(v.float64_value)) return 'float64';
  if (isSet(v.int64_value)) return 'int64';
  if (isSet(v.string_value)) return 'string';
  if (isSet(v.bool_value)) return 'bool';
  if (v.tensor_shape_value) return 'tensor_shape';
  if (isSet(v.tensor_dtype_value)) return 'tensor_dtype';
  if (v.tensor_spec_value) return 'tensor_spec';
  if (v.type_spec_value) return 'type_spec';
  if (v.bounded_tensor_spec_value) return 'bounded_tensor_spec';
  if (v.list_value) return 'list';
  if (v.tuple_value) return 'tuple';
  if (v.dict_value) return 'dict';
  if (v.named_tuple_value) return 'named_tuple';
  if (v.tensor_value) return 'tensor';
  if (v.numpy_value) return 'numpy';
  return 'unset';
}

export function pyStr(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function typeSpecClassText(c: number | null | undefined): string {
  return enumText(tensorflow.TypeSpecProto.TypeSpecClass as unknown as Record<number, string>, c);
}

/** Python-like repr of a StructuredValue (TensorSpec(shape=(), dtype=tf.float32, name='x'), tuples, dicts…). */
export function svText(v: tensorflow.IStructuredValue | null | undefined): string {
  if (!v) return '<none>';
  switch (svKind(v)) {
    case 'none': return 'None';
    case 'float64': return floatText(v.float64_value!);
    case 'int64': return int64Text(v.int64_value);
    case 'string': return pyStr(v.string_value!);
    case 'bool': return v.bool_value ? 'True' : 'False';
    case 'tensor_shape': return `TensorShape(${shapeText(v.tensor_shape_value)})`;
    case 'tensor_dtype': return pyDtypeName(v.tensor_dtype_value);
    case 'tensor_spec': {
      const t = v.tensor_spec_value!;
      return `TensorSpec(shape=${shapeText(t.shape)}, dtype=${pyDtypeName(t.dtype)}, name=${t.name ? pyStr(t.name) : 'None'})`;
    }
    case 'bounded_tensor_spec': {
      const t = v.bounded_tensor_spec_value!;
      return `BoundedTensorSpec(shape=${shapeText(t.shape)}, dtype=${pyDtypeName(t.dtype)}, name=${t.name ? pyStr(t.name) : 'None'}, minimum=${tensorText(t.minimum)}, maximum=${tensorText(t.maximum)})`;
    }
    case 'type_spec': {
      const t = v.type_spec_value!;
      return `TypeSpec(${typeSpecClassText(t.type_spec_class)}${t.type_spec_class_name ? ` ${t.type_spec_class_name}` : ''}, ${svText(t.type_state)}, num_flat_components=${t.num_flat_components ?? 0})`;
    }
    case 'list': return '[' + (v.list_value!.values ?? []).map(svText).join(', ') + ']';
    case 'tuple': {
      const items = (v.tuple_value!.values ?? []).map(svText);
      return '(' + items.join(', ') + (items.length === 1 ? ',)' : ')');
    }
    case 'dict': {
      const f = v.dict_value!.fields ?? {};
      return '{' + Object.keys(f).sort(compareStrings).map((k) => `${pyStr(k)}: ${svText(f[k])}`).join(', ') + '}';
    }
    case 'named_tuple': {
      const n = v.named_tuple_value!;
      return `${n.name ?? ''}(${(n.values ?? []).map((p) => `${p.key ?? ''}=${svText(p.value)}`).join(', ')})`;
    }
    case 'tensor': return `Tensor(${tensorText(v.tensor_value)})`;
    case 'numpy': return `ndarray(${tensorText(v.numpy_value)})`;
    default: return '<unset>';
  }
}

// ---- Collecting differences ----

/** One difference: where (a stable, readable path), A's value, B's value, and what it means. */
export interface Difference {
  path: string;
  a: string;
  b: string;
  message: string;
}

export class Collector {
  readonly list: Difference[] = [];

  add(path: string, a: string, b: string, message: string): void {
    this.list.push({ path, a: clip(a), b: clip(b), message });
  }

  /** Adds a difference when the two renderings differ. */
  eq(path: string, a: string, b: string, message: string): void {
    if (a !== b) this.add(path, a, b, message);
  }

  /** Presence of a keyed item: `what` describes the present side. */
  presence(path: string, a: string | undefined, b: string | undefined, what: string): void {
    if (a === undefined && b === undefined) return;
    if (a !== undefined && b !== undefined) return;
    this.add(path, a ?? ABSENT, b ?? ABSENT, `${what} only in ${a !== undefined ? 'A' : 'B'}`);
  }

  /** Equal-length lists element by element (`path[i]`), otherwise the whole lists. */
  eqList(path: string, a: readonly string[], b: readonly string[], message: string): void {
    if (a.length === b.length) a.forEach((x, i) => this.eq(`${path}[${i}]`, x, b[i]!, message));
    else this.add(path, listText(a), listText(b), message);
  }
}

export function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort(compareStrings);
}

/** Path segment for a map key or name: `['key']`. */
export function key(k: string | number): string {
  return `['${k}']`;
}

/** An int64 field (number or Long) as decimal text. */
export function int64(v: number | Long | null | undefined): string {
  return toBigInt(v).toString();
}
