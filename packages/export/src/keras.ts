// Keras 3's export API for TensorFlow.js models: `exportModel` (Model.export(format="tf_saved_model"))
// and `ExportArchive` (keras.export.ExportArchive). The archive is an AutoTrackable whose
// attributes are the variable lists (`variables`, `trainable_variables`, `non_trainable_variables`,
// each variable collection, `_all_variables`) and the endpoints; every endpoint is a signature,
// and the first one is also `serving_default` unless an endpoint has that name.
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError, type FileSink } from '@savedmodel-js/core';
import { checkOptions } from '@savedmodel-js/core/internal';
import { TensorSpec, type Nested } from '@savedmodel-js/trace';
import { buildSavedModel } from './builder.js';
import { RESERVED_SIGNATURE_KEYS, type SignatureTarget } from './signatures.js';
import { withTraceableDropout } from './dropout.js';
import { dtypeNameOf, toDataType } from './dtypes.js';
import {
  FUNCTION_OPTION_KEYS, isExportableFunction, isTensorSpec, modelFunction, PolymorphicFunction, tfFunction, type ExportableFunction, type FunctionOptions,
} from './function.js';
import { graphModelFunction, isGraphModel, type GraphModelLike } from './graph-model.js';
import { weightLists } from './layer-weights.js';
import { isLayersModel, Module, TreeResolver, type ObjectNode } from './module.js';
import { buildAndWrite, buildOptionsOf, checkSaveOptions, summarize, type SaveOptions, type SaveSummary } from './save.js';
import { isVariable, variableInfo, variableKey, type AnyVariable } from './variables.js';

export interface WriteOutOptions {
  /** SaveOptions (functionAliases, overwrite, asText, onProgress, ...). */
  options?: SaveOptions;
  /**
   * Print the endpoints, their signatures and the variables they capture. Default false: a library
   * used in pages stays quiet (Keras prints by default; pass `verbose: true` for its listing).
   */
  verbose?: boolean;
  /** Where verbose output goes (default console.log). */
  logger?: (message: string) => void;
}

interface LayerLike {
  name: string;
  built?: boolean;
  weights: AnyVariable[];
  trainableWeights: AnyVariable[];
  nonTrainableWeights: AnyVariable[];
  getClassName(): string;
}

/**
 * Asked without reading `weights` / `trainableWeights`: on a tfjs Container those getters concatenate
 * every layer's lists anew (quadratic in the layer count: ~10 ms each for 2,000 layers).
 */
function isLayer(x: unknown): x is LayerLike {
  const l = x as Partial<LayerLike> | null;
  return !!l && typeof l === 'object' && typeof l.getClassName === 'function' && 'weights' in l && 'trainableWeights' in l;
}

/** Attribute names of the archive's own lists; endpoints and collections cannot take them. */
const ARCHIVE_ATTRIBUTES = ['variables', 'trainable_variables', 'non_trainable_variables', '_all_variables', '_misc_assets', 'signatures'];

function pySpec(s: TensorSpec): string {
  const shape = s.shape.map((d) => (d === null ? 'None' : String(d)));
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return `TensorSpec(shape=${shapeText}, dtype=tf.${dtypeNameOf(toDataType(s.dtype))}, name=${s.name ? `'${s.name}'` : 'None'})`;
}

function pyNested(x: Nested<TensorSpec> | null, unnamed = false): string {
  if (x === null) return 'None';
  if (isTensorSpec(x)) return pySpec(unnamed ? new TensorSpec(x.shape, x.dtype) : x);
  if (Array.isArray(x)) return `List[${(x as Nested<TensorSpec>[]).map((y) => pyNested(y, unnamed)).join(', ')}]`;
  return `Dict[${Object.keys(x).sort().map((k) => `['${k}', ${pyNested((x as Record<string, Nested<TensorSpec>>)[k]!, unnamed)}]`).join(', ')}]`;
}

/** Keras' printout of one endpoint (ConcreteFunction.pretty_printed_signature), variables by name. */
function describeEndpoint(name: string, cf: ExportableFunction, argNames: readonly string[], verbose: boolean, varName: (v: object) => string): string {
  const lines = [`* Endpoint '${name}'`];
  cf.inputSignature.forEach((arg, i) => lines.push(`  ${argNames[i] ?? `args_${i}`} (POSITIONAL_ONLY): ${pyNested(arg)}`));
  lines.push('Output Type:', `  ${pyNested(cf.structuredOutputs, true)}`);
  if (verbose && cf.captures.length) {
    lines.push('Captures:');
    for (const c of cf.captures) {
      const info = isVariable(c.variable) ? variableInfo(c.variable) : undefined;
      lines.push(`  ${varName(c.variable)}: ${info ? `Variable(shape=(${info.shape.join(', ')}${info.shape.length === 1 ? ',' : ''}), dtype=${dtypeNameOf(info.dtype)}, trainable=${info.trainable ? 'True' : 'False'})` : 'resource'}`);
    }
  }
  return lines.join('\n');
}

export interface AddEndpointOptions extends FunctionOptions {
  /** Models whose Dropout layers should draw masks in the graph when the endpoint runs them with training: true (default: the tracked models). */
  models?: readonly tf.LayersModel[];
}

const WRITE_OUT_KEYS = ['options', 'verbose', 'logger'] as const;
const ADD_ENDPOINT_KEYS = [...FUNCTION_OPTION_KEYS, 'models'] as const;
const EXPORT_MODEL_KEYS = [...WRITE_OUT_KEYS, 'trace', 'format', 'inputSignature'] as const;

/**
 * keras.export.ExportArchive: a SavedModel of chosen endpoints (functions with input signatures)
 * over tracked models / layers / modules and variable collections.
 */
export class ExportArchive {
  private readonly endpoints: { name: string; fn: PolymorphicFunction | ExportableFunction; declared: boolean; models?: readonly tf.LayersModel[] }[] = [];
  private readonly tracked: unknown[] = [];
  private readonly variables: AnyVariable[] = [];
  private readonly trainableVariables: AnyVariable[] = [];
  private readonly nonTrainableVariables: AnyVariable[] = [];
  private readonly collections = new Map<string, AnyVariable[]>();

  /** Names of the endpoints added so far. */
  get endpointNames(): string[] {
    return this.endpoints.map((e) => e.name);
  }

  /**
   * Tracks a resource: a tf.LayersModel or layer (its variables join the archive's variable
   * lists; it must be built), a Module or a variable (saved where an endpoint uses it).
   */
  track(resource: unknown): void {
    if (isLayer(resource)) {
      const inputs = (resource as unknown as { inputs?: unknown }).inputs;
      const hasInputs = Array.isArray(inputs) && inputs.length > 0;
      if (resource.built === false && !hasInputs) {
        throw new SavedModelError('INVALID_ARGUMENT', `The layer provided has not yet been built. It must be built before export.`, { key: resource.name });
      }
      const { weights, trainable, nonTrainable } = weightLists(resource);
      if (!Array.isArray(weights) || !Array.isArray(trainable) || !Array.isArray(nonTrainable)) {
        throw new SavedModelError('INVALID_ARGUMENT', `layer ${String(resource.name)} has no weight lists (weights, trainableWeights, nonTrainableWeights)`, { key: String(resource.name) });
      }
      this.tracked.push(resource);
      this.variables.push(...weights);
      this.trainableVariables.push(...trainable);
      this.nonTrainableVariables.push(...nonTrainable);
      return;
    }
    if (resource instanceof Module || isVariable(resource)) {
      this.tracked.push(resource);
      return;
    }
    throw new SavedModelError('INVALID_ARGUMENT',
      `Invalid resource type. Expected a tf.LayersModel, a layer, a Module or a variable. Received instead an object of type '${resource === null ? 'null' : typeof resource === 'object' ? resource.constructor?.name ?? 'object' : typeof resource}'.`);
  }

  private checkName(name: string, what: string): void {
    if (typeof name !== 'string' || !name) throw new SavedModelError('INVALID_ARGUMENT', `${what} name must be a non-empty string`);
    if (this.endpoints.some((e) => e.name === name)) throw new SavedModelError('INVALID_ARGUMENT', `Endpoint name '${name}' is already taken.`, { key: name });
    if (this.collections.has(name)) throw new SavedModelError('INVALID_ARGUMENT', `Name '${name}' is already taken by a variable collection.`, { key: name });
    if (ARCHIVE_ATTRIBUTES.includes(name) || RESERVED_SIGNATURE_KEYS.includes(name)) {
      throw new SavedModelError('INVALID_ARGUMENT', `${what} name '${name}' is reserved (the archive's own attributes and the SavedModel's init/train op keys: ${[...ARCHIVE_ATTRIBUTES, ...RESERVED_SIGNATURE_KEYS].join(', ')}).`, { key: name });
    }
  }

  /**
   * Adds an endpoint: `fn` traced with `inputSignature` (one spec per positional argument; a
   * list or dict spec for list / dict inputs). Without an input signature `fn` must be a
   * tfFunction that has been called (or traced with getConcreteFunction) at least once, or a
   * concrete function. Returns the function.
   */
  addEndpoint(name: string, fn: ((...args: never[]) => unknown) | PolymorphicFunction | ExportableFunction, inputSignature?: readonly unknown[] | null, options: AddEndpointOptions = {}): PolymorphicFunction | ExportableFunction {
    checkOptions(options, ADD_ENDPOINT_KEYS, 'ExportArchive.addEndpoint options');
    this.checkName(name, 'Endpoint');
    let f: PolymorphicFunction | ExportableFunction;
    let declared = false;
    const { models, ...fnOptions } = options;
    if (inputSignature) {
      if (fn instanceof PolymorphicFunction) {
        if (!fn.fn) throw new SavedModelError('INVALID_ARGUMENT', `endpoint '${name}': a graph function carries its own signature; pass no inputSignature`, { key: name });
        f = tfFunction(fn.fn, { ...fnOptions, name, inputSignature });
      } else if (isExportableFunction(fn)) {
        throw new SavedModelError('INVALID_ARGUMENT', `endpoint '${name}': a concrete function has its signature already; pass no inputSignature`, { key: name });
      } else if (typeof fn === 'function') {
        f = tfFunction(fn, { ...fnOptions, name, inputSignature });
      } else {
        throw new SavedModelError('INVALID_ARGUMENT', `endpoint '${name}': fn must be a function`, { key: name });
      }
      declared = true;
    } else if (fn instanceof PolymorphicFunction) {
      if (!fn.inputSignature && fn.concreteFunctions.length === 0) {
        throw new SavedModelError('INVALID_ARGUMENT',
          `The provided tfFunction '${fn.name ?? name}' has never been called. To specify the expected shape and dtype of the function's arguments, ` +
          'you must either provide a function that has been called at least once, or alternatively pass an `inputSignature` argument in `addEndpoint()`.', { key: name });
      }
      f = fn;
      declared = fn.inputSignature !== null;
    } else if (isExportableFunction(fn)) {
      f = fn;
    } else {
      throw new SavedModelError('INVALID_ARGUMENT',
        'If the `fn` argument provided is not a `tfFunction`, you must provide an `inputSignature` argument to specify the shape and dtype of the function arguments. ' +
        "Example: archive.addEndpoint('serve', (x) => model.apply(x), [tensorSpec([null, 3], 'float32')])", { key: name });
    }
    if (f instanceof PolymorphicFunction && f.name === undefined) f.name = name;
    this.endpoints.push({ name, fn: f, declared, ...(models ? { models } : {}) });
    return f;
  }

  /**
   * Keras' track_and_add_endpoint: tracks `resource` (a built tf.LayersModel or layer) and adds
   * an endpoint calling it (`resource.apply(x)`, inference mode) traced with `inputSignature`.
   */
  trackAndAddEndpoint(name: string, resource: tf.LayersModel | LayerLike, inputSignature: readonly unknown[], options: AddEndpointOptions = {}): PolymorphicFunction | ExportableFunction {
    checkOptions(options, ADD_ENDPOINT_KEYS, 'ExportArchive.trackAndAddEndpoint options');
    if (this.endpoints.some((e) => e.name === name)) throw new SavedModelError('INVALID_ARGUMENT', `Endpoint name '${name}' is already taken.`, { key: name });
    if (!isLayer(resource)) {
      throw new SavedModelError('INVALID_ARGUMENT', 'trackAndAddEndpoint tracks a tf.LayersModel or a layer (it calls the resource); use track() and addEndpoint() for other resources', { key: name });
    }
    if (!Array.isArray(inputSignature) || inputSignature.length === 0) {
      throw new SavedModelError('INVALID_ARGUMENT', `endpoint '${name}': trackAndAddEndpoint needs an inputSignature (one spec per argument)`, { key: name });
    }
    this.track(resource);
    const layer = resource as unknown as { apply(x: unknown, kwargs?: Record<string, unknown>): unknown };
    const call = (x: tf.Tensor | tf.Tensor[]) => layer.apply(x, { training: false });
    const models = isLayersModel(resource) ? [resource] : [];
    return this.addEndpoint(name, call as (...a: never[]) => unknown, inputSignature, { argNames: ['inputs'], ...options, models: [...(options.models ?? []), ...models] });
  }

  /** Saves `variables` as the list attribute `name` of the archive (keras' add_variable_collection). */
  addVariableCollection(name: string, variables: readonly AnyVariable[]): void {
    if (!Array.isArray(variables)) {
      throw new SavedModelError('INVALID_ARGUMENT', `Expected \`variables\` to be a list. Received instead object of type '${typeof variables}'.`, { key: name });
    }
    const bad = variables.filter((v) => !isVariable(v));
    if (bad.length) throw new SavedModelError('INVALID_ARGUMENT', `Expected all elements in \`variables\` to be variables (tf.Variable, LayerVariable, RawVariable). Found ${bad.length} other values.`, { key: name });
    this.checkName(name, 'Variable collection');
    this.collections.set(name, [...variables]);
  }

  private models(): tf.LayersModel[] {
    return [
      ...this.tracked.filter(isLayersModel),
      ...this.tracked.filter((t): t is Module => t instanceof Module).flatMap((m) => m._models()),
      ...this.endpoints.flatMap((e) => e.models ?? []),
    ];
  }

  /** The concrete function of each endpoint (traces now). */
  private async concreteFunctions(): Promise<ExportableFunction[]> {
    const out: ExportableFunction[] = [];
    for (const e of this.endpoints) {
      try {
        if (isExportableFunction(e.fn)) out.push(e.fn);
        else if (e.declared) out.push(await e.fn.getConcreteFunction());
        else out.push(e.fn.concreteFunctions[0]!);
      } catch (err) {
        if (err instanceof SavedModelError) throw new SavedModelError(err.code, `endpoint '${e.name}': ${err.message}`, { key: err.key ?? e.name, cause: err });
        throw err;
      }
    }
    return out;
  }

  /**
   * Writes the SavedModel: a directory (Node) or a FileSink. Every endpoint becomes a signature
   * and a function of the root object; the first endpoint is also `serving_default` unless one
   * is named so. Nothing is written when anything fails.
   */
  async writeOut(path: string | FileSink, args: WriteOutOptions = {}): Promise<SaveSummary> {
    checkOptions(args, WRITE_OUT_KEYS, 'ExportArchive.writeOut options');
    if (this.endpoints.length === 0) throw new SavedModelError('INVALID_ARGUMENT', 'No endpoints have been set yet. Call addEndpoint().');
    const options = checkSaveOptions(args.options, 'ExportArchive.writeOut SaveOptions');
    let cfs: ExportableFunction[] = [];
    const { result, location } = await buildAndWrite(path, options, () => withTraceableDropout(this.models(), async () => {
      cfs = await this.concreteFunctions();
      const used: AnyVariable[] = [];
      const seen = new Set<object>();
      const trainableFirst: AnyVariable[][] = [[], []];
      for (const cf of cfs) {
        for (const c of cf.captures) {
          if (seen.has(c.variable) || !isVariable(c.variable)) continue;
          seen.add(c.variable);
          // variableInfo's `trainable` is the variable's own flag (every kind): read it without the rest
          trainableFirst[(c.variable as { trainable: boolean }).trainable ? 0 : 1]!.push(c.variable);
        }
      }
      used.push(...trainableFirst[0]!, ...trainableFirst[1]!);
      const resolver = new TreeResolver();
      const dedupe = (vs: AnyVariable[]) => {
        const s = new Set<object>();
        return vs.filter((v) => { const k = variableKey(v); if (s.has(k)) return false; s.add(k); return true; });
      };
      const lists: [string, AnyVariable[]][] = [
        ['variables', dedupe(this.variables)],
        ['trainable_variables', dedupe(this.trainableVariables)],
        ['non_trainable_variables', dedupe(this.nonTrainableVariables)],
        ...[...this.collections],
        ['_all_variables', used],
        // Keras tracks lookup-table layers here; tfjs has none to save, so the list stays empty
        ['_misc_assets', []],
      ];
      const endpoints = this.endpoints;
      const root: ObjectNode = {
        kind: 'object', key: this, identifier: '_generic_user_object',
        deps: () => lists.map(([k, v]) => [k, resolver.resolve(v, k)]),
        functions: () => endpoints.map((e) => [e.name, e.fn]),
      };
      const targets = new Map<string, SignatureTarget>();
      endpoints.forEach((e, i) => targets.set(e.name, { fn: cfs[i]! }));
      if (!targets.has('serving_default')) targets.set('serving_default', { fn: cfs[0]! });
      return buildSavedModel(root, targets, buildOptionsOf(options));
    }), this.models().flatMap((m) => weightLists(m).weights));
    if (args.verbose ?? false) {
      const log = args.logger ?? ((m: string) => console.log(m));
      const names = new Map<object, string>();
      for (const v of result.variables) names.set(v.info.key, `${v.info.name} (${v.key.replace(/\/\.ATTRIBUTES\/VARIABLE_VALUE$/, '')})`);
      const text = this.endpoints.map((e, i) => {
        const cf = cfs[i]!;
        const argNames = e.fn instanceof PolymorphicFunction ? e.fn.argNames : cf.inputSignature.map((_, k) => `args_${k}`);
        return describeEndpoint(e.name, cf, argNames, true, (v) => names.get(v) ?? 'variable');
      }).join('\n\n');
      log(`Saved artifact at '${location}'. The following endpoints are available:\n\n${text}`);
    }
    return summarize(location, result);
  }
}

export interface ExportModelOptions extends WriteOutOptions {
  /** Trace options (backend, shapesOnly). */
  trace?: FunctionOptions['trace'];
  /** Keras' `format`: only 'tf_saved_model' (the default); anything else is INVALID_ARGUMENT. */
  format?: string;
  /**
   * Keras' `input_signature`: specs for the `serve` endpoint's argument (one per positional
   * argument: a spec, or a list of specs for a multi-input model); default: the model's inputs.
   */
  inputSignature?: readonly unknown[];
}

/**
 * Keras 3 `model.export(path, format="tf_saved_model")`: one endpoint `serve` (the model's
 * forward pass in inference mode, batch dimension None, inputs named as the model's inputs),
 * also available as `serving_default`.
 */
export async function exportModel(model: tf.LayersModel | GraphModelLike, path: string | FileSink, args: ExportModelOptions = {}): Promise<SaveSummary> {
  checkOptions(args, EXPORT_MODEL_KEYS, 'exportModel options');
  const { trace, format, inputSignature, ...writeOut } = args;
  if (format !== undefined && format !== 'tf_saved_model') {
    throw new SavedModelError('INVALID_ARGUMENT', `Unrecognized format=${JSON.stringify(String(format).slice(0, 100))}. Supported formats are: 'tf_saved_model' (Keras' 'onnx' and 'openvino' have no JavaScript counterpart).`);
  }
  if (isGraphModel(model)) {
    // a tf.GraphModel has no variables: one endpoint, its execute traced with the model's input shapes
    if (inputSignature !== undefined) throw new SavedModelError('INVALID_ARGUMENT', 'exportModel: a tf.GraphModel is traced with its own input shapes; inputSignature applies to tf.LayersModels');
    const archive = new ExportArchive();
    archive.addEndpoint('serve', graphModelFunction(model, { name: 'serve', ...(trace ? { trace } : {}) }));
    return archive.writeOut(path, writeOut);
  }
  if (!isLayersModel(model)) throw new SavedModelError('INVALID_ARGUMENT', 'exportModel needs a tf.LayersModel or a tf.GraphModel');
  if (!model.inputs?.length) throw new SavedModelError('INVALID_ARGUMENT', 'The model provided has never been called. It must be built (have inputs) before export.');
  const archive = new ExportArchive();
  if (inputSignature !== undefined) {
    archive.trackAndAddEndpoint('serve', model, inputSignature, trace ? { trace } : {});
  } else {
    archive.track(model);
    archive.addEndpoint('serve', modelFunction(model, { name: 'serve', argNames: ['inputs'], ...(trace ? { trace } : {}) }));
  }
  return archive.writeOut(path, writeOut);
}
