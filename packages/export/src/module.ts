// `Module`, the analogue of tf.Module / AutoTrackable: named variables, sub-modules, lists and
// dicts of them (TF's ListWrapper / DictWrapper), and functions. What the SavedModel's object graph
// and checkpoint are made of.
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError } from '@savedmodel-js/core';
import { checkOptions } from '@savedmodel-js/core/internal';
import { FUNCTION_OPTION_KEYS, isExportableFunction, PolymorphicFunction, tfFunction, type ExportableFunction, type FunctionOptions } from './function.js';
import { weightLists } from './layer-weights.js';
import { isVariable, variableKey, variableInfo, type AnyVariable, type VariableInfo } from './variables.js';

/** A function attribute: a tf.function analogue or a bare concrete function. */
export type FunctionAttr = PolymorphicFunction | ExportableFunction;

/** Anything Module.track accepts. */
export type Trackable = AnyVariable | Module | tf.LayersModel | readonly Trackable[] | { readonly [key: string]: Trackable } | FunctionAttr;

export class Module {
  /** Optional name (informational; tf.Module's name). */
  readonly name: string | undefined;
  private readonly deps = new Map<string, unknown>();
  private readonly fns = new Map<string, FunctionAttr>();

  constructor(name?: string) {
    this.name = name;
  }

  /**
   * Tracks `value` as attribute `name` (like `self.name = value` on a tf.Module): a variable, a
   * Module, a tf.LayersModel (its weights, Keras-style `layer_with_weights-N/kernel`), a list or
   * dict of those, or a function. Assigning a name again replaces the value in place.
   */
  track<T extends Trackable>(name: string, value: T): T {
    if (typeof name !== 'string' || name.length === 0) throw new SavedModelError('INVALID_ARGUMENT', 'Module.track needs a non-empty attribute name');
    if (value instanceof PolymorphicFunction || isExportableFunction(value)) {
      this.deps.delete(name);
      this.fns.set(name, value as FunctionAttr);
    } else {
      checkTrackable(value, name);
      this.fns.delete(name);
      this.deps.set(name, value);
    }
    return value;
  }

  /**
   * Declares a traced method: `fn` (a JS function of tensors) becomes a tf.function with
   * `inputSignature` (one spec per positional argument; nested lists/dicts allowed), tracked as
   * `name`. Also takes an existing PolymorphicFunction (tfFunction / graphFunction) or a concrete
   * function. Returns the PolymorphicFunction (or the concrete function as given).
   */
  addFunction(name: string, fn: ((...args: never[]) => unknown) | PolymorphicFunction | ExportableFunction, inputSignature?: readonly unknown[] | null, options: FunctionOptions = {}): PolymorphicFunction {
    checkOptions(options, FUNCTION_OPTION_KEYS, `Module.addFunction(${name}) options`);
    let pf: FunctionAttr;
    if (fn instanceof PolymorphicFunction || isExportableFunction(fn)) {
      if (inputSignature) throw new SavedModelError('INVALID_ARGUMENT', `addFunction(${name}): the function already has its signature; pass no inputSignature`);
      pf = fn;
    } else {
      pf = tfFunction(fn, { isMethod: true, name, ...options, inputSignature: inputSignature ?? options.inputSignature ?? null });
    }
    if (pf instanceof PolymorphicFunction && pf.name === undefined) pf.name = name;
    this.track(name, pf);
    return pf as PolymorphicFunction;
  }

  /** Tracked attribute or function by name. */
  get(name: string): unknown {
    return this.deps.get(name) ?? this.fns.get(name);
  }

  /** @internal dependencies in assignment order */
  _dependencies(): [string, unknown][] {
    return [...this.deps];
  }

  /** @internal functions in assignment order */
  _functions(): [string, FunctionAttr][] {
    return [...this.fns];
  }

  /** Every variable reachable from this module (deduplicated, depth first), as tf.Module.variables. */
  get variables(): AnyVariable[] {
    const out: AnyVariable[] = [];
    const seenVars = new Set<object>();
    const seen = new Set<unknown>();
    const walk = (x: unknown) => {
      if (isVariable(x)) {
        const k = variableKey(x);
        if (!seenVars.has(k)) { seenVars.add(k); out.push(x); }
        return;
      }
      if (x === null || typeof x !== 'object' || seen.has(x)) return;
      seen.add(x);
      if (x instanceof Module) for (const [, v] of x.deps) walk(v);
      else if (isLayersModel(x)) for (const w of weightLists(x).weights) walk(w);
      else if (Array.isArray(x)) x.forEach(walk);
      else if (!(x instanceof PolymorphicFunction) && !isExportableFunction(x)) for (const v of Object.values(x)) walk(v);
    };
    walk(this);
    return out;
  }

  /** @internal tf.LayersModels reachable from this module (their Dropout layers are made traceable while saving). */
  _models(): tf.LayersModel[] {
    const out: tf.LayersModel[] = [];
    const seen = new Set<unknown>();
    const walk = (x: unknown) => {
      if (x === null || typeof x !== 'object' || seen.has(x) || isVariable(x)) return;
      seen.add(x);
      if (isLayersModel(x)) { out.push(x); return; }
      if (x instanceof Module) for (const [, v] of x.deps) walk(v);
      else if (Array.isArray(x)) x.forEach(walk);
      else if (!(x instanceof PolymorphicFunction) && !isExportableFunction(x)) for (const v of Object.values(x)) walk(v);
    };
    walk(this);
    return out;
  }

  get trainableVariables(): AnyVariable[] {
    return this.variables.filter((v) => variableInfo(v).trainable);
  }
}

export function isLayersModel(x: unknown): x is tf.LayersModel {
  const m = x as Partial<tf.LayersModel> | null;
  return !!m && typeof m === 'object' && Array.isArray(m.layers) && Array.isArray(m.inputs) && typeof m.apply === 'function' && typeof m.getClassName === 'function';
}

interface LayerLike {
  name: string;
  weights: AnyVariable[];
  layers?: LayerLike[];
  getClassName(): string;
}

function isLayer(x: unknown): x is LayerLike {
  const l = x as Partial<LayerLike> | null;
  return !!l && typeof l === 'object' && Array.isArray(l.weights) && typeof l.getClassName === 'function' && typeof l.name === 'string';
}

function checkTrackable(value: unknown, path: string, seen = new Set<unknown>()): void {
  if (isVariable(value) || value instanceof Module || isLayersModel(value) || isLayer(value)) return;
  if (value instanceof PolymorphicFunction || isExportableFunction(value)) return;
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    if (seen.has(value)) return;
    seen.add(value);
    const proto = Object.getPrototypeOf(value);
    if (Array.isArray(value)) { value.forEach((v, i) => checkTrackable(v, `${path}[${i}]`, seen)); return; }
    if (proto === Object.prototype || proto === null) {
      for (const [k, v] of Object.entries(value)) checkTrackable(v, `${path}.${k}`, seen);
      return;
    }
  }
  const what = value && typeof value === 'object' && 'dtype' in value && 'shape' in value
    ? 'a tensor (only variables are saved: use tf.variable(t, false) for a constant)'
    : value === null ? 'null' : typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  throw new SavedModelError('INVALID_ARGUMENT', `cannot track ${path}: ${what} is not a variable, Module, model, list or dict`, { key: path });
}

// ---- the object tree the exporter walks ----

/** A user object of the SavedObjectGraph (module, list wrapper, dict wrapper, model, layer). */
export interface ObjectNode {
  readonly kind: 'object';
  /** Identity (the Module, array, dict, layer). */
  readonly key: object;
  /** SavedUserObject.identifier. */
  readonly identifier: string;
  /** SavedUserObject.version (default producer 1, min_consumer 1). */
  readonly version?: { producer: number; min_consumer: number };
  /** Checkpoint dependencies in order. */
  readonly deps: () => [string, TreeNode][];
  /** Functions (sorted by name when listed, as TF's dir()). */
  readonly functions: () => [string, FunctionAttr][];
}

export interface VariableNode {
  readonly kind: 'variable';
  readonly key: object;
  readonly info: VariableInfo;
}

export type TreeNode = ObjectNode | VariableNode;

/** Resolves tracked values into tree nodes, one node per object identity. */
export class TreeResolver {
  private readonly cache = new Map<object, TreeNode>();

  resolve(value: unknown, path = 'root'): TreeNode {
    if (isVariable(value)) {
      const key = variableKey(value);
      let n = this.cache.get(key);
      if (!n) { n = { kind: 'variable', key, info: variableInfo(value) }; this.cache.set(key, n); }
      return n;
    }
    if (value === null || typeof value !== 'object') throw new SavedModelError('INVALID_ARGUMENT', `cannot save ${path}: not a trackable object`, { key: path });
    const hit = this.cache.get(value);
    if (hit) return hit;
    let node: ObjectNode;
    if (value instanceof Module) {
      const m = value;
      node = {
        kind: 'object', key: m, identifier: '_generic_user_object',
        deps: () => m._dependencies().map(([k, v]) => [k, this.resolve(v, `${path}.${k}`)]),
        functions: () => m._functions(),
      };
    } else if (isLayersModel(value) || isLayer(value)) {
      node = this.layerNode(value as LayerLike, path);
    } else if (Array.isArray(value)) {
      const arr = value as unknown[];
      node = {
        kind: 'object', key: arr, identifier: 'trackable_list_wrapper',
        deps: () => arr.map((v, i) => [String(i), this.resolve(v, `${path}[${i}]`)] as [string, TreeNode]),
        functions: () => [],
      };
    } else {
      const rec = value as Record<string, unknown>;
      node = {
        kind: 'object', key: rec, identifier: 'trackable_dict_wrapper',
        deps: () => Object.entries(rec).map(([k, v]) => [k, this.resolve(v, `${path}.${k}`)] as [string, TreeNode]),
        functions: () => [],
      };
    }
    this.cache.set(value, node);
    return node;
  }

  /**
   * A Keras-style layer object: sub-layers with weights as `layer_with_weights-N` (nested models
   * recursively), a plain layer's weights by their own names (`kernel`, `bias`, ...), as tf.keras
   * names them in checkpoints.
   */
  layerNode(layer: LayerLike, path: string, functions: () => [string, FunctionAttr][] = () => []): ObjectNode {
    return {
      kind: 'object', key: layer, identifier: '_generic_user_object',
      deps: () => {
        const out: [string, TreeNode][] = [];
        if (layer.layers) {
          let k = 0;
          for (const sub of layer.layers) {
            if (sub.weights.length === 0) continue;
            const name = `layer_with_weights-${k++}`;
            let node = this.cache.get(sub);
            if (!node) {
              node = this.layerNode(sub, `${path}/${sub.name}`);
              this.cache.set(sub, node);
            }
            out.push([name, node]);
          }
          return out;
        }
        const used = new Set<string>();
        for (const w of layer.weights) {
          const full = (w as { originalName?: string; name?: string }).originalName ?? (w as { name: string }).name;
          const base = full.split('/').pop() || 'variable';
          let n = base;
          for (let i = 1; used.has(n); i++) n = `${base}_${i}`;
          used.add(n);
          out.push([n, this.resolve(w, `${path}/${n}`)]);
        }
        return out;
      },
      functions,
    };
  }
}
