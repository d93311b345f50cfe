// saveModel: tf.saved_model.save for TensorFlow.js objects (a Module or a tf.LayersModel).
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError, writeSavedModel, type FileSink, type WriteOptions, type tensorflow } from '@savedmodel-js/core';
import { assertPathSupported, checkOptions } from '@savedmodel-js/core/internal';
import { buildSavedModel, type BuildOptions, type BuildResult } from './builder.js';
import { defaultSignature, type SignatureTarget } from './signatures.js';
import { withTraceableDropout } from './dropout.js';
import { buildDebugInfo } from './debug-info.js';
import { dtypeNameOf } from './dtypes.js';
import { isExportableFunction, modelFunction, PolymorphicFunction, type ExportableFunction } from './function.js';
import { graphModelFunction, isGraphModel, type GraphModelLike } from './graph-model.js';
import { isLayersModel, Module, TreeResolver, type FunctionAttr, type ObjectNode } from './module.js';
import { weightLists } from './layer-weights.js';
import { startReads } from './variables.js';

/** A function that can be a signature: a tf.function with an input signature, or a concrete function. */
export type SignatureFunction = PolymorphicFunction | ExportableFunction;

export type Signatures = SignatureFunction | Record<string, SignatureFunction> | ReadonlyMap<string, SignatureFunction>;

export interface SaveOptions {
  /** SaveOptions.function_aliases: alias -> function; written to meta_info_def.function_aliases. */
  functionAliases?: Record<string, FunctionAttr> | ReadonlyMap<string, FunctionAttr>;
  /** Replace a non-empty target directory (default: ALREADY_EXISTS error). */
  overwrite?: boolean;
  /** Write saved_model.pbtxt instead of saved_model.pb. */
  asText?: boolean;
  /** Called after each file written. */
  onProgress?: WriteOptions['onProgress'];
  /** Strip default-valued attrs (default true, as TensorFlow 2 always does). */
  stripDefaultAttrs?: boolean;
  /** SaveOptions.experimental_skip_saver: no save/restore functions and no saver_def (the checkpoint is still written). */
  experimentalSkipSaver?: boolean;
  /**
   * SaveOptions.experimental_io_device: accepted for parity with TensorFlow; it has no effect in
   * JavaScript (there is no device placement for file I/O here).
   */
  experimentalIoDevice?: string;
  /**
   * SaveOptions.namespace_whitelist: namespaces whose ops (`Namespace>Op`, custom ops) may be
   * saved. As in TensorFlow: absent, every op is allowed; given (even empty), a namespaced op
   * whose namespace is not listed is INVALID_ARGUMENT naming the ops and namespaces.
   */
  namespaceWhitelist?: readonly string[];
  /**
   * SaveOptions.save_debug_info: also write debug/saved_model_debug_info.pb (tensorflow.GraphDebugInfo),
   * a trace per node keyed "node@function" naming the tfjs layer path and kernel that produced it
   * (see debug-info.ts for the pseudo file names used as frames).
   */
  saveDebugInfo?: boolean;
}

/** Keys SaveOptions accepts (unknown keys are INVALID_ARGUMENT). */
export const SAVE_OPTION_KEYS = [
  'functionAliases', 'overwrite', 'asText', 'onProgress', 'stripDefaultAttrs', 'experimentalSkipSaver', 'experimentalIoDevice', 'namespaceWhitelist',
  'saveDebugInfo',
] as const;

/** SaveOptions checked: known keys, value types of the seeds TensorFlow validates. */
export function checkSaveOptions(options: SaveOptions | undefined, where = 'SaveOptions'): SaveOptions {
  const o = checkOptions(options, SAVE_OPTION_KEYS, where);
  if (o.experimentalIoDevice !== undefined && typeof o.experimentalIoDevice !== 'string') {
    throw new SavedModelError('INVALID_ARGUMENT', `${where}: experimentalIoDevice must be a device string such as '/job:localhost'`);
  }
  const ns = o.namespaceWhitelist as unknown;
  if (ns !== undefined && (!Array.isArray(ns) || ns.some((x) => typeof x !== 'string'))) {
    throw new SavedModelError('INVALID_ARGUMENT', `${where}: namespaceWhitelist must be a list of namespace strings`);
  }
  if (o.saveDebugInfo !== undefined && typeof o.saveDebugInfo !== 'boolean') {
    throw new SavedModelError('INVALID_ARGUMENT', `${where}: saveDebugInfo must be a boolean`);
  }
  return o;
}

/** TensorFlow's _verify_ops: namespaced ops (`Namespace>Op`) of the graph and its functions must be whitelisted. */
function verifyNamespaces(content: { savedModel: tensorflow.ISavedModel }, whitelist: readonly string[] | undefined): void {
  if (whitelist === undefined) return;
  const bad = new Set<string>();
  const namespaces = new Set<string>();
  for (const mg of content.savedModel.meta_graphs ?? []) {
    const nodes = [...(mg.graph_def?.node ?? []), ...(mg.graph_def?.library?.function ?? []).flatMap((f) => f.node_def ?? [])];
    for (const n of nodes) {
      const op = n.op ?? '';
      const i = op.indexOf('>');
      if (i < 0) continue;
      const namespace = op.slice(0, i);
      if (!whitelist.includes(namespace)) { bad.add(op); namespaces.add(namespace); }
    }
  }
  if (bad.size > 0) {
    throw new SavedModelError('INVALID_ARGUMENT',
      `Attempted to save ops from non-whitelisted namespaces to SavedModel: ${[...bad].sort().join(', ')}. They must be available where the SavedModel is loaded; ` +
      `once that is confirmed, add these namespaces to SaveOptions.namespaceWhitelist: ${[...namespaces].sort().join(', ')}`, { key: [...bad].sort()[0]! });
  }
}

export interface SaveModelArgs {
  /**
   * One function (→ `serving_default`), or a record / map of signature key → function. Without it:
   * the root's `_default_save_signature` function, else its only function with an input
   * signature that returns tensors; for a tf.LayersModel, its forward pass keyed by the model's
   * input and output names.
   */
  signatures?: Signatures;
  options?: SaveOptions;
}

interface CoreNode {
  dirSink(dir: string, options?: { overwrite?: boolean }): Promise<FileSink>;
}

const CORE_NODE = '@savedmodel-js/core/node';

/** What was written. */
export interface SaveSummary {
  /** Where: the directory path or the sink's location. */
  location: string;
  /** Signature keys (without __saved_model_init_op), sorted; per key its input and output keys. */
  signatures: Record<string, { inputs: string[]; outputs: string[] }>;
  /** Saved variables in object-graph order. */
  variables: { checkpointKey: string; name: string; dtype: string; shape: number[]; trainable: boolean }[];
}

export function isFileSink(x: unknown): x is FileSink {
  const s = x as Partial<FileSink> | null;
  return !!s && typeof s === 'object' && typeof s.write === 'function' && typeof s.commit === 'function' && typeof s.abort === 'function';
}

/** Adds which function failed to trace to a tracer error (code kept). */
export function traceFailure(label: string, e: unknown): unknown {
  if (e instanceof SavedModelError) return new SavedModelError(e.code, `cannot trace ${label}: ${e.message}`, { key: e.key ?? label, cause: e });
  return e;
}

function asConcrete(key: string, f: unknown): Promise<ExportableFunction> {
  if (isExportableFunction(f)) return Promise.resolve(f);
  if (f instanceof PolymorphicFunction && f.inputSignature) {
    return f.getConcreteFunction().catch((e: unknown) => { throw traceFailure(`function ${f.name ?? '<unnamed>'} (signature '${key}')`, e); });
  }
  const what = f instanceof PolymorphicFunction ? `function ${f.name ?? '<unnamed>'} (it has no input signature)` : typeof f === 'function' ? 'a plain JS function' : String(f);
  return Promise.reject(new SavedModelError('INVALID_ARGUMENT',
    `Expected a TensorFlow function to generate a signature for '${key}', but got ${what}. Only tf.functions with an input signature (tfFunction(fn, {inputSignature})) or concrete functions can be used as a signature.`, { key }));
}

/** signatures argument → key → target (traces where needed). */
export async function canonicalizeSignatures(signatures: Signatures): Promise<Map<string, SignatureTarget>> {
  const out = new Map<string, SignatureTarget>();
  let entries: [string, unknown][];
  if (signatures instanceof PolymorphicFunction || isExportableFunction(signatures) || typeof signatures === 'function') entries = [['serving_default', signatures]];
  else if (signatures instanceof Map) entries = [...signatures];
  else if (signatures && typeof signatures === 'object') entries = Object.entries(signatures);
  else throw new SavedModelError('INVALID_ARGUMENT', 'signatures must be a function, a concrete function, or a record of them');
  for (const [k, f] of entries) out.set(k, { fn: await asConcrete(k, f) });
  return out;
}

/** @internal the root object node and default signatures for a Module or a tf.LayersModel. */
export async function rootFor(obj: unknown): Promise<{ root: ObjectNode; defaults: () => Promise<Map<string, SignatureTarget>>; models: tf.LayersModel[] }> {
  const resolver = new TreeResolver();
  if (obj instanceof Module) {
    const root = resolver.resolve(obj) as ObjectNode;
    return {
      root, models: obj._models(),
      defaults: async () => {
        const d = await defaultSignature(root);
        return new Map(d ? [['serving_default', d]] : []);
      },
    };
  }
  if (isLayersModel(obj)) {
    const model = obj;
    if (!model.inputs?.length) throw new SavedModelError('INVALID_ARGUMENT', 'the model has no inputs: build it (or call it once) before saving');
    const call = modelFunction(model, { name: '__call__', isMethod: true });
    const root = resolver.layerNode(model as never, 'model', () => [['__call__', call]]);
    const outputNames = model.outputNames.length ? [...model.outputNames] : model.outputs.map((o) => o.sourceLayer.name);
    return {
      root, models: [model],
      defaults: async () => new Map([['serving_default', { fn: await call.getConcreteFunction(), outputKeys: uniqueNames(outputNames) }]]),
    };
  }
  if (isGraphModel(obj)) {
    // a tf.GraphModel: its execute traced as the root's `serve` method (weights frozen as Consts)
    const module = new Module();
    const serve = module.track('serve', graphModelFunction(obj, { isMethod: true }));
    return {
      root: resolver.resolve(module) as ObjectNode, models: [],
      defaults: async () => new Map([['serving_default', { fn: await serve.getConcreteFunction() }]]),
    };
  }
  throw new SavedModelError('INVALID_ARGUMENT', 'saveModel exports a Module, a tf.LayersModel or a tf.GraphModel');
}

/** Names made distinct as TensorFlow's object graph needs them: later duplicates get `_1`, `_2`, … */
export function uniqueNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    let m = n;
    for (let i = 1; used.has(m); i++) m = `${n}_${i}`;
    used.add(m);
    return m;
  });
}

/**
 * @internal builds the content, then writes it to a directory (Node) or a FileSink; nothing is
 * left behind on failure. `weights`: variables known before the build (the models'), whose reads
 * from an asynchronous device start first (variables.ts startReads).
 */
export async function buildAndWrite(
  target: string | FileSink,
  options: SaveOptions,
  build: () => Promise<BuildResult>,
  weights: readonly unknown[] = [],
): Promise<{ result: BuildResult; location: string }> {
  checkSaveOptions(options);
  let sink: FileSink;
  if (typeof target === 'string') {
    assertPathSupported(target, 'the export target');
    // Node only, imported lazily through a specifier bundlers do not follow: browser builds never load node:fs
    const mod = (await import(/* @vite-ignore */ CORE_NODE)) as CoreNode;
    sink = await mod.dirSink(target, { overwrite: options.overwrite === true });
  } else if (isFileSink(target)) {
    sink = target;
  } else {
    throw new SavedModelError('INVALID_ARGUMENT', 'the export target is a directory path or a FileSink (fileMapSink() in the browser)');
  }
  let result: BuildResult;
  const forgetReads = startReads(weights);
  try {
    result = await build();
    verifyNamespaces(result.content, options.namespaceWhitelist);
    if (options.saveDebugInfo) {
      const graph = result.content.savedModel.meta_graphs?.[0]?.graph_def ?? {};
      result.content = { ...result.content, debugInfo: buildDebugInfo(graph, result.nodeOrigins) };
    }
  } catch (e) {
    forgetReads();
    await sink.abort();
    throw e;
  }
  // fingerprint.pb as TF >= 2.12 writes it, before saved_model.pb (none beside a .pbtxt: TF has
  // none there), computed by the writer once the weights are streamed out
  const writeOptions: WriteOptions = { fingerprint: true };
  if (options.asText) writeOptions.asText = true;
  if (options.onProgress) writeOptions.onProgress = options.onProgress;
  try {
    await writeSavedModel(sink, result.content, writeOptions);
  } finally {
    forgetReads();
  }
  return { result, location: sink.location };
}

export function summarize(location: string, r: BuildResult): SaveSummary {
  const signatures: SaveSummary['signatures'] = {};
  for (const [k, s] of r.signatures) signatures[k] = { inputs: s.inputs, outputs: s.outputs };
  return {
    location,
    signatures,
    variables: r.variables.map((v) => ({ checkpointKey: v.key, name: v.info.name, dtype: dtypeNameOf(v.info.dtype), shape: [...v.info.shape], trainable: v.info.trainable })),
  };
}

export function buildOptionsOf(o: SaveOptions): BuildOptions {
  const b: BuildOptions = {};
  if (o.functionAliases) b.functionAliases = o.functionAliases;
  if (o.stripDefaultAttrs === false) b.stripDefaultAttrs = false;
  if (o.experimentalSkipSaver) b.skipSaver = true;
  return b;
}

/**
 * tf.saved_model.save: writes `obj` (a Module, a tf.LayersModel or a tf.GraphModel) as a TF2
 * SavedModel into `exportDir` — a directory path (Node) or a FileSink (`fileMapSink()` in the
 * browser). Functions are traced now; variables are saved with their current values. A
 * tf.GraphModel's `execute` is traced (its weights become Consts); it needs no control flow.
 */
export async function saveModel(obj: Module | tf.LayersModel | GraphModelLike, exportDir: string | FileSink, args: SaveModelArgs = {}): Promise<SaveSummary> {
  checkOptions(args, ['signatures', 'options'], 'saveModel arguments');
  const options = checkSaveOptions(args.options, 'saveModel options');
  const { root, defaults, models } = await rootFor(obj);
  const { result, location } = await buildAndWrite(exportDir, options, () => withTraceableDropout(models, async () => {
    const targets = args.signatures !== undefined ? await canonicalizeSignatures(args.signatures) : await defaults();
    if (targets.size === 0 && root.deps().length === 0 && root.functions().length === 0) {
      throw new SavedModelError('INVALID_ARGUMENT', 'nothing to export: the object has no variables, functions or signatures');
    }
    return buildSavedModel(root, targets, buildOptionsOf(options));
  }), models.flatMap((m) => weightLists(m).weights));
  return summarize(location, result);
}
