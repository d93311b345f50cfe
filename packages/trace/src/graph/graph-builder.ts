// Accumulates the NodeDefs of one FunctionDef body. Ops are checked against TensorFlow's op
// registry as they are emitted: attrs are converted by their declared type, type attrs are
// inferred from the inputs, and outputs are addressed "node:out_arg:i" with the OpDef's output
// arg names (FunctionDef input syntax).
import { SavedModelError, allowedValuesOf, attr, getOpDef, tensorflow, tensorFromBytes, toNumber, valuesOutside, type AllowedValues } from '../core.js';
import { dtypeName, tfDtype, type TfDtype } from '../dtype.js';
import type { SymDim } from '../tape/sym.js';

const DT = tensorflow.DataType;

export interface GraphTensor {
  /** "arg" or "node:out_arg:i". */
  readonly ref: string;
  readonly dtype: TfDtype;
  /** Symbolic shape when known. */
  readonly shape: readonly SymDim[] | null;
  /** Values of small constants, so lowerings can fold them. */
  readonly constValue?: readonly number[];
}

/** An attr value in plain JS, converted according to the OpDef's attr type. */
export type AttrInput =
  | number | boolean | string | null
  | readonly number[] | readonly string[] | readonly boolean[]
  | tensorflow.ITensorProto
  | { attrValue: tensorflow.IAttrValue };

export interface EmitOptions {
  /** Node name under the current scope (default: the op name). */
  name?: string;
  /** Output shapes to attach to the returned tensors. */
  shapes?: readonly (readonly SymDim[] | null)[];
}

const NAME_OK = /^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$/;

/** Names sanitizeNodeName leaves as they are (checked first: nearly every name is one). */
const CLEAN_NAME = /^[A-Za-z0-9.][A-Za-z0-9_.\-]*(?:\/[A-Za-z0-9_.\-]+)*$/;

export function sanitizeNodeName(s: string): string {
  if (CLEAN_NAME.test(s)) return s;
  let n = s.replace(/[^A-Za-z0-9_.\-/]/g, '_').replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  if (!n || !/^[A-Za-z0-9.]/.test(n)) n = `n${n}`;
  return n;
}

function internal(message: string): SavedModelError {
  return new SavedModelError('INVALID_GRAPH', message);
}

function isTfjsDtypeName(s: string): boolean {
  return s === 'float32' || s === 'int32' || s === 'bool' || s === 'string' || s === 'complex64';
}

function typeValue(v: unknown, what: string): TfDtype {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && isTfjsDtypeName(v)) return tfDtype(v);
  throw internal(`${what}: ${String(v)} is not a dtype`);
}

/** Converts a plain value to an AttrValue of the declared type ("int", "list(type)", ...). */
// The attr values nearly every node repeats (T, transpose_a, data_format, …), one frozen object
// each, shared by the nodes that carry them: a 2,000-layer trace made ~10,000 of these objects
// (and an ArrayBuffer per string value). Nothing writes into an AttrValue after emit (the encoder
// only replaces map fields, which these have none of); frozen, a caller that tried would fail loudly.
const typeAttrs = new Map<TfDtype, tensorflow.IAttrValue>();
const BOOL_ATTRS = [Object.freeze(attr.bool(false)), Object.freeze(attr.bool(true))] as const;
const stringAttrs = new Map<string, tensorflow.IAttrValue>();
/** Strings this short (padding, data_format, …) are shared; at most this many distinct ones. */
const SHARED_STRING_MAX_LENGTH = 16;
const SHARED_STRINGS_MAX = 256;

function typeAttr(t: TfDtype): tensorflow.IAttrValue {
  let v = typeAttrs.get(t);
  if (!v) typeAttrs.set(t, (v = Object.freeze(attr.type(t))));
  return v;
}

function stringAttr(s: string): tensorflow.IAttrValue {
  if (s.length > SHARED_STRING_MAX_LENGTH) return attr.str(s);
  let v = stringAttrs.get(s);
  if (!v) {
    v = attr.str(s);
    if (stringAttrs.size < SHARED_STRINGS_MAX) stringAttrs.set(s, Object.freeze(v));
  }
  return v;
}

function toAttrValue(type: string, v: AttrInput, what: string): tensorflow.IAttrValue {
  if (v !== null && typeof v === 'object' && 'attrValue' in v) return v.attrValue;
  switch (type) {
    case 'int': if (typeof v === 'number' && Number.isInteger(v)) return attr.int(v); break;
    case 'float': if (typeof v === 'number') return attr.float(v); break;
    case 'bool': if (typeof v === 'boolean') return BOOL_ATTRS[v ? 1 : 0]; break;
    case 'string': if (typeof v === 'string') return stringAttr(v); break;
    case 'type': return typeAttr(typeValue(v, what));
    case 'shape': if (v === null || Array.isArray(v)) return attr.shape(v as (number | null)[] | null); break;
    case 'tensor': if (v && typeof v === 'object' && !Array.isArray(v)) return attr.tensor(v as tensorflow.ITensorProto); break;
    case 'list(int)': if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x))) return attr.ints(v as number[]); break;
    case 'list(float)': if (Array.isArray(v)) return { list: { f: [...(v as number[])] } }; break;
    case 'list(string)': if (Array.isArray(v)) return attr.strs(v as string[]); break;
    case 'list(bool)': if (Array.isArray(v)) return { list: { b: [...(v as boolean[])] } }; break;
    case 'list(type)': if (Array.isArray(v)) return attr.types((v as unknown[]).map((x) => typeValue(x, what))); break;
    case 'list(shape)': if (Array.isArray(v)) return attr.shapes(v as (number | null)[][]); break;
    default: break;
  }
  throw internal(`${what}: cannot make a ${type} attr from ${JSON.stringify(v)}`);
}

function rawBytes(dtype: TfDtype, values: ArrayLike<number> | readonly boolean[]): Uint8Array {
  switch (dtype) {
    case DT.DT_FLOAT: return new Uint8Array(Float32Array.from(values as ArrayLike<number>).buffer);
    case DT.DT_INT32: return new Uint8Array(Int32Array.from(values as ArrayLike<number>).buffer);
    case DT.DT_BOOL: return Uint8Array.from(Array.from(values as ArrayLike<number | boolean>, (x) => (x ? 1 : 0)));
    default: throw internal(`constants of ${dtypeName(dtype)} are not supported`);
  }
}

/** TensorProto for a constant, as TF writes them: scalars in *_val, others as tensor_content. */
export function tensorProto(dtype: TfDtype, dims: readonly number[], values: ArrayLike<number> | readonly boolean[] | readonly Uint8Array[]): tensorflow.ITensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw internal(`constant of shape [${dims}] needs ${n} values, got ${values.length}`);
  if (dtype === DT.DT_STRING) {
    return { dtype, tensor_shape: { dim: dims.map((size) => ({ size })) }, string_val: [...(values as readonly Uint8Array[])] };
  }
  if (dims.length === 0) {
    const x = values[0] as number | boolean;
    if (dtype === DT.DT_FLOAT) return { dtype, tensor_shape: {}, float_val: [Number(x)] };
    if (dtype === DT.DT_INT32) return { dtype, tensor_shape: {}, int_val: [Number(x)] };
    if (dtype === DT.DT_BOOL) return { dtype, tensor_shape: {}, bool_val: [Boolean(x)] };
  }
  return tensorFromBytes(dtype, dims, rawBytes(dtype, values as ArrayLike<number>));
}

/** What emit checks a node against, taken once per op from its registered OpDef. */
interface OpSignature {
  inputs: readonly tensorflow.OpDef.IArgDef[];
  outputs: readonly tensorflow.OpDef.IArgDef[];
  attrs: ReadonlyMap<string, tensorflow.OpDef.IAttrDef>;
  /** Attrs without a default: every node must set them (or have them inferred). */
  required: readonly string[];
  /** Attrs with allowed_values (TensorFlow rejects a node outside them). */
  allowed: readonly AllowedValues[];
}

// OpDefs are immutable and shared (getOpDef), so their indexed form is too: the lookups every
// node of an op repeats are done once; each node is still checked against it.
const signatures = new Map<string, OpSignature>();

function opSignature(op: string): OpSignature {
  let sig = signatures.get(op);
  if (sig) return sig;
  const def = getOpDef(op);
  if (!def) throw internal(`op ${op} is not in TensorFlow's op registry`);
  const attrs = new Map((def.attr ?? []).map((a) => [a.name ?? '', a]));
  sig = {
    inputs: def.input_arg ?? [],
    outputs: def.output_arg ?? [],
    attrs,
    required: [...attrs].filter(([, d]) => d.default_value == null).map(([name]) => name),
    allowed: [...attrs.values()].map(allowedValuesOf).filter((x): x is AllowedValues => x !== null),
  };
  signatures.set(op, sig);
  return sig;
}

/** Where a node came from in JS terms (for SaveOptions.saveDebugInfo). */
export interface NodeOrigin {
  /** tfjs kernel whose lowering emitted the node ("MatMul"), or "(input)" / "(output)" / "" when none. */
  kernel: string;
  /** Layer path of a LayersModel ("sequential/dense_Dense1"); "" outside layers. */
  layer: string;
}

/**
 * Node name → origin, kept as two arrays while nodes are emitted and put in the Map only when read
 * (debug info asks for it; most exports never do): a Map.set per node, hashing each fresh name,
 * was ~40 % of emit() on a 2,000-layer trace.
 */
class LazyOrigins extends Map<string, NodeOrigin> {
  private names: string[] = [];
  private list: NodeOrigin[] = [];

  add(name: string, origin: NodeOrigin): void {
    this.names.push(name);
    this.list.push(origin);
  }

  private flush(): void {
    const names = this.names;
    if (names.length === 0) return;
    for (let i = 0; i < names.length; i++) super.set(names[i]!, this.list[i]!);
    this.names = [];
    this.list = [];
  }

  override get size(): number { this.flush(); return super.size; }
  override get(name: string): NodeOrigin | undefined { this.flush(); return super.get(name); }
  override has(name: string): boolean { this.flush(); return super.has(name); }
  override set(name: string, origin: NodeOrigin): this { this.flush(); return super.set(name, origin); }
  override delete(name: string): boolean { this.flush(); return super.delete(name); }
  override clear(): void { this.names = []; this.list = []; super.clear(); }
  override forEach(fn: (value: NodeOrigin, key: string, map: Map<string, NodeOrigin>) => void, thisArg?: unknown): void { this.flush(); super.forEach(fn, thisArg); }
  override entries() { this.flush(); return super.entries(); }
  override keys() { this.flush(); return super.keys(); }
  override values() { this.flush(); return super.values(); }
  override [Symbol.iterator]() { this.flush(); return super[Symbol.iterator](); }
}

export class GraphBuilder {
  readonly nodes: tensorflow.INodeDef[] = [];
  /** Name prefix for new nodes ("model/dense"). */
  scope = '';
  /** tfjs kernel being lowered; recorded with every node emitted. */
  kernel = '';
  private readonly originLog = new LazyOrigins();
  /** Node name → origin (kernel and layer path at emission). */
  get origins(): ReadonlyMap<string, NodeOrigin> { return this.originLog; }
  private readonly used = new Set<string>();
  private readonly constCache = new Map<string, GraphTensor>();

  /** Reserves names (function args share the namespace of nodes). */
  reserve(name: string): void {
    this.used.add(name);
  }

  uniqueName(base: string): string {
    return this.uniqueClean(sanitizeNodeName(base));
  }

  /** uniqueName of a name sanitizeNodeName leaves as it is. */
  private uniqueClean(b: string): string {
    if (!this.used.has(b)) { this.used.add(b); return b; }
    // every `${b}_${i}` below the remembered suffix is taken (names are never released)
    for (let i = this.nextSuffix.get(b) ?? 1; ; i++) {
      const n = `${b}_${i}`;
      if (!this.used.has(n)) { this.used.add(n); this.nextSuffix.set(b, i + 1); return n; }
    }
  }
  private readonly nextSuffix = new Map<string, number>();
  /** Per scope or base name: whether sanitizeNodeName keeps it (a layer's nodes share both). */
  private readonly cleanParts = new Map<string, boolean>();

  private isClean(part: string): boolean {
    let c = this.cleanParts.get(part);
    if (c === undefined) this.cleanParts.set(part, (c = CLEAN_NAME.test(part)));
    return c;
  }

  /** The unique name of a node `base` in the current scope ("scope/base" is clean when both parts are). */
  private scopedName(base: string): string {
    const scope = this.scope;
    if (!scope) return this.uniqueName(base);
    const full = `${scope}/${base}`;
    return this.isClean(scope) && this.isClean(base) ? this.uniqueClean(full) : this.uniqueName(full);
  }

  emit(op: string, inputs: readonly (GraphTensor | readonly GraphTensor[])[], attrs: Record<string, AttrInput | undefined> = {}, opts: EmitOptions = {}): GraphTensor[] {
    const sig = opSignature(op);
    const inArgs = sig.inputs;
    if (inputs.length !== inArgs.length) throw internal(`${op} takes ${inArgs.length} inputs, got ${inputs.length}`);
    const declared = sig.attrs;
    const values: Record<string, tensorflow.IAttrValue> = {};
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v === undefined) continue;
      const d = declared.get(k);
      if (!d) throw internal(`${op} has no attr ${k}`);
      values[k] = toAttrValue(d.type ?? '', v, `${op}.${k}`);
    }
    // infer type / number attrs from the inputs
    const setType = (name: string, t: TfDtype) => {
      const cur = values[name];
      if (cur?.type != null && cur.type !== t) throw internal(`${op}: attr ${name} is ${dtypeName(cur.type)} but an input is ${dtypeName(t)}`);
      values[name] = typeAttr(t);
    };
    const flat: string[] = [];
    for (let i = 0; i < inArgs.length; i++) {
      const arg = inArgs[i]!;
      const x = inputs[i]!;
      const isList = !!arg.number_attr || !!arg.type_list_attr;
      if (!isList) {
        if (Array.isArray(x)) throw internal(`${op} input ${arg.name} takes one tensor`);
        const t = x as GraphTensor;
        if (arg.type_attr) setType(arg.type_attr, t.dtype);
        else if (arg.type && t.dtype !== arg.type) throw internal(`${op} input ${arg.name} must be ${dtypeName(arg.type)}, got ${dtypeName(t.dtype)}`);
        flat.push(t.ref);
        continue;
      }
      const list = Array.isArray(x) ? (x as readonly GraphTensor[]) : [x as GraphTensor];
      if (arg.number_attr) values[arg.number_attr] = attr.int(list.length);
      if (arg.type_list_attr) values[arg.type_list_attr] = attr.types(list.map((t) => t.dtype));
      for (const t of list) {
        if (arg.type_attr) setType(arg.type_attr, t.dtype);
        else if (arg.type && !arg.type_list_attr && t.dtype !== arg.type) {
          throw internal(`${op} input ${arg.name} must be ${dtypeName(arg.type)}, got ${dtypeName(t.dtype)}`);
        }
        flat.push(t.ref);
      }
    }
    for (const name of sig.required) {
      if (!(name in values)) throw internal(`${op} needs attr ${name}`);
    }
    for (const rule of sig.allowed) {
      const v = values[rule.name];
      const outside = v ? valuesOutside(rule, v) : [];
      if (outside.length > 0) {
        const bad = rule.kind === 'type' ? dtypeName(outside[0] as TfDtype) : JSON.stringify(outside[0]);
        const kernel = this.kernel ? ` (lowering tfjs kernel ${this.kernel})` : '';
        throw new SavedModelError('UNSUPPORTED', `TensorFlow's ${op} does not take ${rule.name}=${bad}${kernel}: not in its allowed values`, { key: op });
      }
    }
    const nodeName = this.scopedName(opts.name ?? op);
    if (!NAME_OK.test(nodeName)) throw internal(`bad node name ${nodeName}`);
    this.nodes.push({ name: nodeName, op, input: flat, attr: values });
    this.originLog.add(nodeName, this.origin());

    // outputs
    const attrType = (name: string): TfDtype => {
      const v = values[name] ?? declared.get(name)?.default_value;
      if (v?.type == null) throw internal(`${op}: cannot tell the type of attr ${name}`);
      return v.type;
    };
    const outs: GraphTensor[] = [];
    for (const arg of sig.outputs) {
      if (!arg.type_list_attr && !arg.number_attr) {
        // one tensor (the common case)
        const t = arg.type_attr ? attrType(arg.type_attr) : (arg.type ?? DT.DT_INVALID);
        outs.push({ ref: `${nodeName}:${arg.name}:0`, dtype: t, shape: opts.shapes?.[outs.length] ?? null });
        continue;
      }
      let types: TfDtype[];
      if (arg.type_list_attr) {
        types = [...((values[arg.type_list_attr] ?? declared.get(arg.type_list_attr)?.default_value)?.list?.type ?? [])];
      } else {
        const t = arg.type_attr ? attrType(arg.type_attr) : (arg.type ?? DT.DT_INVALID);
        const n = toNumber((values[arg.number_attr!] ?? declared.get(arg.number_attr!)?.default_value)?.i ?? 0);
        types = Array.from({ length: n }, () => t);
      }
      types.forEach((t, k) => {
        const shape = opts.shapes?.[outs.length] ?? null;
        outs.push({ ref: `${nodeName}:${arg.name}:${k}`, dtype: t, shape });
      });
    }
    return outs;
  }

  /** The origin of a node emitted now; consecutive nodes of one kernel and layer share the object. */
  private origin(): NodeOrigin {
    const o = this.lastOrigin;
    if (o && o.kernel === this.kernel && o.layer === this.scope) return o;
    return (this.lastOrigin = { kernel: this.kernel, layer: this.scope });
  }
  private lastOrigin: NodeOrigin | undefined;

  emit1(op: string, inputs: readonly (GraphTensor | readonly GraphTensor[])[], attrs: Record<string, AttrInput | undefined> = {}, opts: EmitOptions = {}): GraphTensor {
    const outs = this.emit(op, inputs, attrs, opts);
    if (outs.length === 0) throw internal(`${op} has no outputs`);
    return outs[0]!;
  }

  /** A Const node; small constants are shared. */
  constant(dtype: TfDtype, dims: readonly number[], values: ArrayLike<number> | readonly boolean[] | readonly Uint8Array[], name = 'Const'): GraphTensor {
    const proto = tensorProto(dtype, dims, values);
    const small = dtype !== DT.DT_STRING && values.length <= 64;
    const key = small ? `${dtype}|${dims.join(',')}|${Array.from(values as ArrayLike<number>).join(',')}` : '';
    if (small) {
      const hit = this.constCache.get(key);
      if (hit) return hit;
    }
    const t = this.emit1('Const', [], { value: proto, dtype }, { name, shapes: [dims] });
    const out: GraphTensor = small && dtype !== DT.DT_FLOAT ? { ...t, constValue: Array.from(values as ArrayLike<number>, Number) } : t;
    if (small) this.constCache.set(key, out);
    return out;
  }
}

/** The same tensor with a (more precise) shape attached. */
export function withShape(t: GraphTensor, shape: readonly SymDim[] | null): GraphTensor {
  return { ...t, shape };
}
