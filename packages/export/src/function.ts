// tf.function for TensorFlow.js: `PolymorphicFunction` holds a JS function (traced by
// @savedmodel-js/trace) or a graph-building callback (`graphFunction`, TensorFlow ops written
// directly, for what tfjs cannot express: int64/uint8 tensors, variable assignment), an optional
// input signature, and the concrete functions traced so far.
import * as tf from '@tensorflow/tfjs';
import { SavedModelError, type tensorflow } from '@savedmodel-js/core';
import { checkOptions } from '@savedmodel-js/core/internal';
import { flatten, modelInputNames, TensorSpec, traceFunction, traceModel, type Nested, type TraceOptions, type TensorSpecLike } from '@savedmodel-js/trace';
import { toDataType, type DTypeName } from './dtypes.js';

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

export type Tracer = (signature: Nested<TensorSpec>[], name: string) => Promise<ExportableFunction>;

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
  const names = modelInputNames(model);
  const specs = model.inputs.map((s, i) => new TensorSpec(s.shape, s.dtype, names[i]));
  const inputSignature = specs.length > 1 ? [specs] : [specs[0]!];
  const tracer: Tracer = (_sig, name) => traceModel(model, { ...options.trace, name, training: options.training ?? false });
  const fn = (x: tf.Tensor | tf.Tensor[]) => model.apply(x, { training: options.training ?? false });
  return new PolymorphicFunction(tracer, fn as (...a: never[]) => unknown, { argNames: ['inputs'], ...options, inputSignature });
}
