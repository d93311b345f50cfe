// tf.function for TensorFlow.js: `PolymorphicFunction` holds a JS function (traced by
// @savedmodel-js/trace) or a graph-building callback (`graphFunction`, TensorFlow ops written
// directly, for what tfjs cannot express: int64/uint8 tensors, variable assignment), an optional
// input signature, and the concrete functions traced so far.
import * as tf from '@tensorflow/tfjs';
import { attr, getOpDef, SavedModelError, tensorflow } from '@savedmodel-js/core';
import { checkOptions } from '@savedmodel-js/core/internal';
import {
  flatten, GraphBuilder, TensorSpec, traceFunction, traceModel,
  type GraphTensor, type AttrInput, type Nested, type TraceOptions, type TensorSpecLike,
} from '@savedmodel-js/trace';
import { toDataType, type DTypeName } from './dtypes.js';
import { isVariable, variableKey, variableInfo, type AnyVariable } from './variables.js';

const DT = tensorflow.DataType;

/** A TensorSpec, or a plain object with the same fields; dtype may be any TensorFlow dtype name. */
export type SpecLike = TensorSpecLike | { shape: readonly (number | null)[]; dtype?: DTypeName | string; name?: string };

/**
 * What the exporter needs of a concrete function. `ConcreteFunction` from @savedmodel-js/trace
 * (traceFunction / traceModel) is one; `graphFunction` makes others.
 */
export interface ExportableFunction {
  /** FunctionDef name as built (`__inference_<name>_<uid>`; renumbered per export). */
  readonly name: string;
  readonly functionDef: tensorflow.IFunctionDef;
  /** Positional arguments, every leaf spec named (the names are the signature's input keys). */
  readonly inputSignature: readonly Nested<TensorSpec>[];
  /** Flat user inputs in FunctionDef order. */
  readonly inputs: readonly { readonly argName: string; readonly spec: TensorSpec }[];
  /** Trailing DT_RESOURCE inputs: the variables they stand for. */
  readonly captures: readonly { readonly argName: string; readonly variable: object }[];
  /** Flat outputs in FunctionDef order. */
  readonly outputs: readonly { readonly argName: string; readonly spec: TensorSpec }[];
  /** Return structure with specs as leaves; null when the function returns nothing. */
  readonly structuredOutputs: Nested<TensorSpec> | null;
  /** Node name → the tfjs kernel and layer path that emitted it, when known (SaveOptions.saveDebugInfo). */
  readonly nodeOrigins?: ReadonlyMap<string, { readonly kernel: string; readonly layer: string }>;
}

export function isExportableFunction(x: unknown): x is ExportableFunction {
  const f = x as Partial<ExportableFunction> | null;
  return !!f && typeof f === 'object' && typeof f.name === 'string' && !!f.functionDef && Array.isArray(f.inputs) && Array.isArray(f.captures);
}

export function isTensorSpec(x: unknown): x is TensorSpec {
  return x instanceof TensorSpec;
}

/** Specs as TensorSpec instances (plain {shape, dtype, name} objects converted; any dtype name kept). */
export function normalizeSpecs(sig: readonly unknown[]): Nested<TensorSpec>[] {
  const walk = (x: unknown): Nested<TensorSpec> => {
    if (x instanceof TensorSpec) {
      toDataType(x.dtype);
      return x;
    }
    if (x && typeof x === 'object' && !Array.isArray(x) && 'shape' in x && (Array.isArray(x.shape) || x.shape === null || 'dtype' in x)) {
      const o = x as { shape: (number | null)[]; dtype?: string; name?: string };
      const dtype = o.dtype ?? 'float32';
      toDataType(dtype);
      return new TensorSpec(o.shape, dtype as tf.DataType, o.name);
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') {
      const out: Record<string, Nested<TensorSpec>> = {};
      for (const [k, v] of Object.entries(x)) out[k] = walk(v);
      return out;
    }
    throw new SavedModelError('INVALID_ARGUMENT', `an input signature holds TensorSpecs, lists and dicts; got ${String(x)}`);
  };
  return sig.map(walk);
}

/** Parameter names of a JS function from its source; null where one is not a plain identifier. */
export function parameterNames(fn: (...a: never[]) => unknown): (string | null)[] {
  let src = Function.prototype.toString.call(fn);
  src = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '').trim();
  let params: string;
  const arrow = /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (arrow) params = arrow[1]!;
  else {
    const open = src.indexOf('(');
    if (open < 0) return [];
    let depth = 0, end = -1;
    for (let i = open; i < src.length; i++) {
      const c = src[i];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        depth--;
        if (depth === 0) { end = i; break; }
      }
    }
    if (end < 0) return [];
    params = src.slice(open + 1, end);
  }
  const out: string[] = [];
  let depth = 0, cur = '';
  for (const c of params) {
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') depth--;
    if (c === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += c;
  }
  if (cur.trim()) out.push(cur);
  return out.map((p) => {
    const s = p.trim();
    return /^[A-Za-z_$][\w$]*$/.test(s) ? s : null;
  });
}

/** Names every unnamed leaf: a positional arg's own name, list items `name_1`..., dict values their key. */
export function nameSignature(sig: readonly Nested<TensorSpec>[], argNames: readonly string[]): Nested<TensorSpec>[] {
  const used = new Set<string>();
  for (const s of sig) for (const leaf of flatten(s, isTensorSpec)) if (leaf.name) used.add(leaf.name);
  const unique = (base: string) => {
    let n = base;
    for (let k = 1; used.has(n); k++) n = `${base}_${k}`;
    used.add(n);
    return n;
  };
  const walk = (x: Nested<TensorSpec>, base: string): Nested<TensorSpec> => {
    if (isTensorSpec(x)) return x.name ? x : new TensorSpec(x.shape, x.dtype, unique(base));
    if (Array.isArray(x)) return (x as Nested<TensorSpec>[]).map((y) => walk(y, base));
    const out: Record<string, Nested<TensorSpec>> = {};
    for (const [k, v] of Object.entries(x as Record<string, Nested<TensorSpec>>)) out[k] = walk(v, k);
    return out;
  };
  return sig.map((s, i) => walk(s, argNames[i] ?? `args_${i}`));
}

function signatureKey(sig: readonly Nested<TensorSpec>[], names = true): string {
  const walk = (x: Nested<TensorSpec>): unknown => {
    if (isTensorSpec(x)) return names ? [x.shape, x.dtype, x.name ?? null] : [x.shape, x.dtype];
    if (Array.isArray(x)) return { l: (x as Nested<TensorSpec>[]).map(walk) };
    return { d: Object.keys(x).sort().map((k) => [k, walk((x as Record<string, Nested<TensorSpec>>)[k]!)]) };
  };
  return JSON.stringify(sig.map(walk));
}

export interface FunctionOptions {
  /**
   * One (possibly nested) spec per positional argument. With it the function has exactly one
   * concrete function and can be a signature; without it, concrete functions come from
   * `getConcreteFunction(...)` / `call(...)`, as tf.function without an input_signature.
   */
  inputSignature?: readonly unknown[] | null;
  /** Name in FunctionDef names (`__inference_<name>_<n>`); default: the attribute it is tracked as. */
  name?: string;
  /** Parameter names (FunctionSpec args, default input names); default: parsed from the function's source. */
  argNames?: readonly string[];
  /** A method of its module: FullArgSpec gets `self` first and is_method is set (default false; Module.addFunction: true). */
  isMethod?: boolean;
  /** Options for @savedmodel-js/trace (backend, shapesOnly, traceSizes). */
  trace?: TraceOptions;
}

/** Keys FunctionOptions accepts (unknown keys are INVALID_ARGUMENT). */
export const FUNCTION_OPTION_KEYS = ['inputSignature', 'name', 'argNames', 'isMethod', 'trace'] as const;

type Tracer = (signature: Nested<TensorSpec>[], name: string) => Promise<ExportableFunction>;

/**
 * The analogue of a `tf.function` object: a Python-level function that is traced into concrete
 * functions (one per input signature). Saved as a `function` node of the object graph.
 */
export class PolymorphicFunction {
  name: string | undefined;
  isMethod: boolean;
  /** The declared input signature (specs as given; unnamed ones stay unnamed), or null. */
  readonly inputSignature: Nested<TensorSpec>[] | null;
  readonly argNames: readonly string[];
  private readonly tracer: Tracer;
  private readonly pending = new Map<string, Promise<ExportableFunction>>();
  private readonly traced: ExportableFunction[] = [];
  /** @internal JS function (for call()), when there is one. */
  readonly fn: ((...args: never[]) => unknown) | undefined;

  /** @internal use tfFunction() / graphFunction() / Module.addFunction() */
  constructor(tracer: Tracer, fn: ((...args: never[]) => unknown) | undefined, options: FunctionOptions = {}, paramsFrom?: (...a: never[]) => unknown) {
    this.tracer = tracer;
    this.fn = fn;
    this.name = options.name;
    this.isMethod = options.isMethod ?? false;
    this.inputSignature = options.inputSignature ? normalizeSpecs(options.inputSignature) : null;
    const parsed = paramsFrom ? parameterNames(paramsFrom) : [];
    const n = Math.max(this.inputSignature?.length ?? 0, parsed.length);
    this.argNames = options.argNames
      ? [...options.argNames]
      : Array.from({ length: n }, (_, i) => parsed[i] ?? `args_${i}`);
  }

  /** Concrete functions traced so far, in trace order. */
  get concreteFunctions(): readonly ExportableFunction[] {
    return this.traced;
  }

  /**
   * The concrete function for an input signature (traced once per distinct signature). With no
   * arguments, the declared input signature is used.
   */
  async getConcreteFunction(...signature: unknown[]): Promise<ExportableFunction> {
    let sig: Nested<TensorSpec>[];
    if (signature.length === 0) {
      if (!this.inputSignature) {
        throw new SavedModelError('INVALID_ARGUMENT', `function ${this.name ?? '<unnamed>'} has no input signature: pass the specs to getConcreteFunction(...)`);
      }
      sig = this.inputSignature;
    } else {
      sig = normalizeSpecs(signature);
      if (this.inputSignature) {
        if (signatureKey(sig, false) !== signatureKey(this.inputSignature, false)) {
          throw new SavedModelError('INVALID_ARGUMENT', `function ${this.name ?? '<unnamed>'} has an input signature; it cannot be traced with another one`);
        }
        sig = this.inputSignature;
      }
    }
    const named = nameSignature(sig, this.argNames);
    const key = signatureKey(named);
    let p = this.pending.get(key);
    if (!p) {
      p = this.tracer(named, this.name ?? 'function').then((cf) => {
        this.traced.push(cf);
        return cf;
      });
      this.pending.set(key, p);
      p.catch(() => this.pending.delete(key));
    }
    return await (p as Promise<ExportableFunction>);
  }

  /**
   * Runs the function on tensors (nested lists/dicts of them), tracing it first for their exact
   * shapes and dtypes, as calling a tf.function does.
   */
  async call(...args: unknown[]): Promise<unknown> {
    if (!this.fn) throw new SavedModelError('INVALID_ARGUMENT', 'a graph function cannot be called eagerly');
    const spec = (x: unknown): unknown => {
      if (x instanceof tf.Tensor) return new TensorSpec(x.shape, x.dtype);
      if (Array.isArray(x)) return x.map(spec);
      if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, spec(v)]));
      throw new SavedModelError('INVALID_ARGUMENT', `call() takes tensors (or lists/dicts of them), got ${String(x)}`);
    };
    // with an input signature, its concrete function serves every call (shapes are checked by fn itself)
    if (this.inputSignature) await this.getConcreteFunction();
    else await this.getConcreteFunction(...args.map(spec));
    return (this.fn as (...a: unknown[]) => unknown)(...args);
  }

  /** @internal every concrete function to save: the declared signature's (traced now if needed), then the rest. */
  async concreteFunctionsForSave(): Promise<ExportableFunction[]> {
    if (this.inputSignature) await this.getConcreteFunction();
    await Promise.all([...this.pending.values()]);
    return [...this.traced];
  }
}

/**
 * `tf.function(fn, input_signature)`: a function of tensors, traced with @savedmodel-js/trace.
 * `fn` must be synchronous and return a tensor, a list or a dict of tensors.
 */
export function tfFunction(fn: (...args: never[]) => unknown, options: FunctionOptions = {}): PolymorphicFunction {
  if (typeof fn !== 'function') throw new SavedModelError('INVALID_ARGUMENT', 'tfFunction needs a function');
  checkOptions(options, FUNCTION_OPTION_KEYS, 'tfFunction options');
  const tracer: Tracer = async (sig, name) => {
    const cf = await traceFunction(fn, sig, { ...options.trace, name });
    return cf;
  };
  return new PolymorphicFunction(tracer, fn, options, fn);
}

/** @internal a model's forward pass (model.apply) traced with traceModel, for Keras-style exports. */
export function modelFunction(model: tf.LayersModel, options: FunctionOptions & { training?: boolean } = {}): PolymorphicFunction {
  const specs = model.inputs.map((s) => new TensorSpec(s.shape, s.dtype, s.name));
  const inputSignature = specs.length > 1 ? [specs] : [specs[0]!];
  const tracer: Tracer = (_sig, name) => traceModel(model, { ...options.trace, name, training: options.training ?? false });
  const fn = (x: tf.Tensor | tf.Tensor[]) => model.apply(x, { training: options.training ?? false });
  return new PolymorphicFunction(tracer, fn as (...a: never[]) => unknown, { argNames: ['inputs'], ...options, inputSignature });
}

// ---- graph functions: TensorFlow ops written directly ----

/** A tensor inside a graph function. */
export type GraphValue = GraphTensor;

/** Builds the body of a graph function: ops by name (checked against TensorFlow's op registry). */
export class FunctionBuilder {
  /** @internal */
  readonly captures: { argName: string; variable: object; info: ReturnType<typeof variableInfo> }[] = [];
  /** @internal nodes with side effects (assignments), for control outputs */
  readonly sideEffects: string[] = [];
  private readonly resources = new Map<object, GraphTensor>();

  /** @internal */
  constructor(readonly graph: GraphBuilder) {}

  /** Emits `op` on the variable's resource arg; the arg is named after the first node using it, as TF does. */
  private onResource(v: AnyVariable, op: string, inputs: readonly GraphTensor[], attrs: Record<string, AttrInput>, shapes?: (readonly number[])[]): GraphTensor[] {
    if (!isVariable(v)) throw new SavedModelError('INVALID_ARGUMENT', `${op} needs a tf.Variable or RawVariable`);
    const key = variableKey(v);
    let res = this.resources.get(key);
    const fresh = !res;
    if (!res) res = { ref: '__resource__', dtype: DT.DT_RESOURCE, shape: [] };
    const at = this.graph.nodes.length;
    const outs = this.graph.emit(op, [res, ...inputs], attrs, { name: op, ...(shapes ? { shapes } : {}) });
    const node = this.graph.nodes[at]!;
    if (fresh) {
      const argName = this.graph.uniqueName(`${(node.name ?? op).toLowerCase().replace(/[^a-z0-9_]/g, '_')}_resource`);
      node.input![0] = argName;
      res = { ref: argName, dtype: DT.DT_RESOURCE, shape: [] };
      this.resources.set(key, res);
      this.captures.push({ argName, variable: key, info: variableInfo(v) });
    }
    if (op === 'AssignVariableOp') this.sideEffects.push(node.name ?? op);
    return outs;
  }

  /** ReadVariableOp: the variable's current value. */
  read(v: AnyVariable): GraphTensor {
    const info = variableInfo(v);
    return this.onResource(v, 'ReadVariableOp', [], { dtype: info.dtype }, [info.shape])[0]!;
  }

  /** AssignVariableOp (a side effect: the function's outputs and control outputs depend on it). */
  assign(v: AnyVariable, value: GraphTensor): void {
    const info = variableInfo(v);
    if (value.dtype !== info.dtype) throw new SavedModelError('INVALID_ARGUMENT', `assign: ${info.label} has DataType ${info.dtype}, the value ${value.dtype}`);
    this.onResource(v, 'AssignVariableOp', [value], { dtype: info.dtype });
  }

  /**
   * Any registered op; returns its outputs (`node:out_arg:i`). Type attrs are inferred from the
   * inputs; `shapes` gives the outputs' static shapes where they matter (function outputs).
   */
  op(op: string, inputs: readonly (GraphTensor | readonly GraphTensor[])[], attrs: Record<string, AttrInput | undefined> = {}, opts: { name?: string; shapes?: readonly (readonly (number | null)[] | null)[] } = {}): GraphTensor[] {
    const shapes = opts.shapes?.map((s) => (s ? s.map((d) => (d === null ? -1 : d)) : null));
    return this.graph.emit(op, inputs, attrs, { ...(opts.name ? { name: opts.name } : {}), ...(shapes ? { shapes } : {}) });
  }

  op1(op: string, inputs: readonly (GraphTensor | readonly GraphTensor[])[], attrs: Record<string, AttrInput | undefined> = {}, opts: { name?: string; shape?: readonly (number | null)[] | null } = {}): GraphTensor {
    const o = this.op(op, inputs, attrs, { ...(opts.name ? { name: opts.name } : {}), ...(opts.shape !== undefined ? { shapes: [opts.shape] } : {}) });
    if (!o[0]) throw new SavedModelError('INVALID_GRAPH', `${op} has no outputs`);
    return o[0];
  }

  /** Const of float32/int32/bool (GraphBuilder) or int64/uint8/float64 values. */
  constant(values: number | bigint | boolean | readonly (number | bigint | boolean)[], dtype: DTypeName = 'float32', shape?: readonly number[]): GraphTensor {
    const list = Array.isArray(values) ? [...values] : [values as number | bigint | boolean];
    const dims = shape ? [...shape] : Array.isArray(values) ? [list.length] : [];
    const t = toDataType(dtype);
    if (t === DT.DT_FLOAT || t === DT.DT_INT32 || t === DT.DT_BOOL) {
      return this.graph.constant(t, dims, list.map((x) => (typeof x === 'bigint' ? Number(x) : x)) as number[]);
    }
    const tensor: tensorflow.ITensorProto = { dtype: t, tensor_shape: { dim: dims.map((size) => ({ size })) } };
    if (t === DT.DT_INT64) tensor.int64_val = list.map((x) => Number(x));
    else if (t === DT.DT_DOUBLE) tensor.double_val = list.map((x) => Number(x));
    else if (t === DT.DT_UINT8 || t === DT.DT_INT8 || t === DT.DT_INT16 || t === DT.DT_UINT16) tensor.int_val = list.map((x) => Number(x));
    else throw new SavedModelError('UNSUPPORTED', `constants of ${dtype} are not supported in graph functions`);
    return this.graph.emit1('Const', [], { value: tensor, dtype: t }, { name: 'Const', shapes: [dims] });
  }

  private binary(op: string, name: string, a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.graph.emit1(op, [a, b], {}, { name, shapes: [broadcast(a.shape, b.shape)] });
  }

  mul(a: GraphTensor, b: GraphTensor): GraphTensor { return this.binary('Mul', 'mul', a, b); }
  add(a: GraphTensor, b: GraphTensor): GraphTensor { return this.binary('AddV2', 'add', a, b); }
  sub(a: GraphTensor, b: GraphTensor): GraphTensor { return this.binary('Sub', 'sub', a, b); }
  cast(x: GraphTensor, dtype: DTypeName): GraphTensor { return this.graph.emit1('Cast', [x], { DstT: toDataType(dtype) }, { name: 'Cast', shapes: [x.shape] }); }
  identity(x: GraphTensor): GraphTensor { return this.graph.emit1('Identity', [x], {}, { name: 'Identity', shapes: [x.shape] }); }
}

/** Broadcast shape of two static shapes (-1 = unknown dim); null when either is unknown. */
function broadcast(a: GraphTensor['shape'], b: GraphTensor['shape']): number[] | null {
  if (!a || !b || a.some((d) => typeof d !== 'number') || b.some((d) => typeof d !== 'number')) return null;
  const x = a as readonly number[], y = b as readonly number[];
  const n = Math.max(x.length, y.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = x[x.length - n + i] ?? 1, q = y[y.length - n + i] ?? 1;
    if (p === 1) out.push(q);
    else if (q === 1 || p === q) out.push(p);
    else if (p === -1 || q === -1) out.push(p === -1 ? q : p);
    else throw new SavedModelError('INVALID_ARGUMENT', `shapes [${x}] and [${y}] do not broadcast`);
  }
  return out;
}

/** Body of a graph function: gets the builder and one GraphTensor (or nested list/dict) per argument. */
export type GraphFunctionBody = (g: FunctionBuilder, ...args: never[]) => Nested<GraphTensor> | void | undefined | null;

function isGraphTensor(x: unknown): x is GraphTensor {
  const t = x as Partial<GraphTensor> | null;
  return !!t && typeof t === 'object' && typeof t.ref === 'string' && typeof t.dtype === 'number';
}

let graphUid = 1;

/** Builds one concrete function from a graph body for a named signature. */
export function buildGraphFunction(body: GraphFunctionBody, sig: readonly Nested<TensorSpec>[], name: string): ExportableFunction {
  const leaves = sig.flatMap((s) => flatten(s, isTensorSpec));
  const b = new GraphBuilder();
  const used = new Set<string>();
  const inputs = leaves.map((spec, i) => {
    let arg = (spec.name ?? `args_${i}`).toLowerCase().replace(/[^a-z0-9_]/g, '_');
    if (!/^[a-z]/.test(arg)) arg = `arg_${arg}`;
    const base = arg;
    for (let k = 1; used.has(arg); k++) arg = `${base}_${k}`;
    used.add(arg);
    b.reserve(arg);
    return { argName: arg, spec };
  });
  const g = new FunctionBuilder(b);
  let k = 0;
  const args = sig.map((s) => {
    const pack = (x: Nested<TensorSpec>): unknown => {
      if (isTensorSpec(x)) {
        const inp = inputs[k++]!;
        return { ref: inp.argName, dtype: toDataType(x.dtype), shape: x.shape.map((d) => (d === null ? -1 : d)) } as unknown as GraphTensor;
      }
      if (Array.isArray(x)) return (x as Nested<TensorSpec>[]).map(pack);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(x).sort()) out[key] = pack((x as Record<string, Nested<TensorSpec>>)[key]!);
      return out;
    };
    return pack(s);
  });
  const result = (body as (g: FunctionBuilder, ...a: unknown[]) => unknown)(g, ...args);
  if (result instanceof Promise) throw new SavedModelError('INVALID_ARGUMENT', 'a graph function body must be synchronous');
  const structure = result === undefined || result === null ? null : (result as Nested<GraphTensor>);
  const flat = structure === null ? [] : flatten(structure, isGraphTensor);
  const control = g.sideEffects.map((n) => `^${n}`);
  const outputs = flat.map((t) => {
    const o = b.emit1('Identity', [t], {}, { name: 'Identity', shapes: [t.shape] });
    b.nodes[b.nodes.length - 1]!.input!.push(...control);
    return o;
  });
  const fnName = `__inference_${name.replace(/[^A-Za-z0-9_<>.-]/g, '_')}_g${graphUid++}`;
  const outArgs = outputs.map((_, i) => (i === 0 ? 'identity' : `identity_${i}`));
  const functionDef: tensorflow.IFunctionDef = {
    signature: {
      name: fnName,
      input_arg: [
        ...inputs.map((inp) => ({ name: inp.argName, type: toDataType(inp.spec.dtype) })),
        ...g.captures.map((c) => ({ name: c.argName, type: DT.DT_RESOURCE })),
      ],
      output_arg: outputs.map((t, i) => ({ name: outArgs[i]!, type: t.dtype })),
    },
    node_def: b.nodes,
    ret: Object.fromEntries(outputs.map((t, i) => [outArgs[i]!, t.ref])),
    arg_attr: Object.fromEntries(inputs.map((inp, i) => [String(i), { attr: { _user_specified_name: attr.str(inp.spec.name ?? inp.argName) } }])),
  };
  if (b.nodes.some((n) => getOpDef(n.op ?? '')?.is_stateful)) functionDef.signature!.is_stateful = true;
  if (g.sideEffects.length) {
    functionDef.signature!.control_output = [...g.sideEffects];
    functionDef.control_ret = Object.fromEntries(g.sideEffects.map((n) => [n, n]));
    functionDef.signature!.is_stateful = true;
  }
  const outSpecs = flat.map((t, i) => {
    if (!t.shape || t.shape.some((d) => typeof d !== 'number')) {
      throw new SavedModelError('INVALID_ARGUMENT', `graph function ${name}: the shape of output ${i} is unknown; pass it as g.op(..., {shapes}) / g.op1(..., {shape})`);
    }
    return {
      argName: i === 0 ? 'identity' : `identity_${i}`,
      spec: new TensorSpec((t.shape as number[]).map((d) => (d >= 0 ? d : null)), dtypeName(t.dtype) as tf.DataType, `output_${i}`),
    };
  });
  let j = 0;
  const repack = (x: Nested<GraphTensor>): Nested<TensorSpec> => {
    if (isGraphTensor(x)) return outSpecs[j++]!.spec;
    if (Array.isArray(x)) return (x as Nested<GraphTensor>[]).map(repack);
    const out: Record<string, Nested<TensorSpec>> = {};
    for (const key of Object.keys(x).sort()) out[key] = repack((x as Record<string, Nested<GraphTensor>>)[key]!);
    return out;
  };
  return {
    name: fnName,
    functionDef,
    inputSignature: [...sig],
    inputs,
    captures: g.captures.map((c) => ({ argName: c.argName, variable: c.variable })),
    outputs: outSpecs,
    structuredOutputs: structure === null ? null : repack(structure),
  };
}

function dtypeName(t: tensorflow.DataType): string {
  const names: Record<number, string> = {
    [DT.DT_FLOAT]: 'float32', [DT.DT_INT32]: 'int32', [DT.DT_BOOL]: 'bool', [DT.DT_STRING]: 'string', [DT.DT_INT64]: 'int64',
    [DT.DT_UINT8]: 'uint8', [DT.DT_DOUBLE]: 'float64', [DT.DT_INT8]: 'int8', [DT.DT_INT16]: 'int16', [DT.DT_UINT16]: 'uint16',
    [DT.DT_UINT32]: 'uint32', [DT.DT_UINT64]: 'uint64', [DT.DT_HALF]: 'float16', [DT.DT_COMPLEX64]: 'complex64',
  };
  const n = names[t];
  if (!n) throw new SavedModelError('UNSUPPORTED', `graph function output of DataType ${t}`);
  return n;
}

/**
 * A function written directly as TensorFlow ops: `body(g, ...inputs)` emits nodes with
 * `g.read(variable)`, `g.assign(variable, value)`, `g.op(name, inputs, attrs)`, `g.mul`, `g.cast`, ...
 * and returns the outputs (a GraphTensor, a list/dict of them, or nothing). For what tfjs cannot
 * trace: int64/uint8/float64 tensors, variable updates.
 */
export function graphFunction(body: GraphFunctionBody, options: FunctionOptions = {}): PolymorphicFunction {
  if (typeof body !== 'function') throw new SavedModelError('INVALID_ARGUMENT', 'graphFunction needs a body function');
  checkOptions(options, FUNCTION_OPTION_KEYS, 'graphFunction options');
  const tracer: Tracer = async (sig, name) => buildGraphFunction(body, sig, name);
  // parameter names come after the builder argument
  const params = parameterNames(body).slice(1);
  const opts: FunctionOptions = { ...options };
  if (!opts.argNames) {
    const n = Math.max(options.inputSignature?.length ?? 0, params.length);
    opts.argNames = Array.from({ length: n }, (_, i) => params[i] ?? `args_${i}`);
  }
  return new PolymorphicFunction(tracer, undefined, opts);
}
