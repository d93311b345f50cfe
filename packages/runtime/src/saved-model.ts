// loadSavedModel with the surface of tfjs-node's, running on any
// TensorFlow.js backend instead of native TensorFlow: the chosen signature is frozen into a
// plain GraphDef (freeze.ts) and executed by tfjs-converter's GraphModel (tfjs-model.ts).
import { ensureCpuFallbackKernels } from './ops/cpu-fallback.js';
import { MemoryBudget, SavedModelError, ensureOpDefs, isSavedModelError, metaGraphFor, resolveLimits, tensorflow, type Limits, type LoadedSavedModel } from '@savedmodel-js/core';
import { checkOptions, isSyncReadbackFailure, syncReadbackError } from '@savedmodel-js/core/internal';
import { clone, engine, type InferenceModel, type ModelPredictConfig, type ModelTensorInfo, type NamedTensorMap, type Tensor } from '@tensorflow/tfjs-core';
import { freezeSignature, variableValue, type FrozenGraph, type FrozenTensorInfo } from './freeze.js';
import { hostReadsSynchronously, HostProgram, hostValueReader, runSynchronously, type ResourceStore } from './host-ops.js';
import { createStore, runInitOp } from './init-op.js';
import { checkExactness, exactOutput, planExactness, type ExactnessPlan } from './exactness.js';
import { resolveVariableKeys } from './variables.js';
import './ops/index.js';
import { dtypeName } from './host-tensor.js';
import { flattenNested, plainToTensor, tensorToPlain, type PlainTensor } from './plain.js';
import { readSource, type SavedModelSource } from './source.js';
import { signatureEntries, type SavedModelSignature } from './meta-graphs.js';
import { createGraphModel, tfjsDtype, type FrozenGraphModel } from './tfjs-model.js';

export interface LoadSavedModelOptions {
  /** Tag set of the MetaGraphDef to load (default ['serve']); matched as a set, like TensorFlow. */
  tags?: string[];
  /** Signature to run (default 'serving_default'). */
  signature?: string;
  /**
   * Memory budget for what the model's files ask to materialize (constants, variable values,
   * inlined nodes): defaults DEFAULT_LIMITS (1 GiB per tensor, 4 GiB in all, 5,000,000 nodes).
   * Exceeding it is LIMIT_EXCEEDED, raised before allocating.
   */
  limits?: Partial<Limits>;
  /**
   * Run ops that compute in float64 in float32, as TensorFlow.js does (its tensors have no
   * float64), instead of refusing them (UNSUPPORTED) because TensorFlow would compute them
   * exactly: for graphs whose float64 steps are known to be harmless, such as the image
   * preprocessing of TF1 Object Detection exports. Default false.
   */
  roundFloat64?: boolean;
}

const LOAD_OPTION_KEYS = ['tags', 'signature', 'limits', 'roundFloat64'] as const;
const DEFAULT_TAGS = ['serve'];
const DEFAULT_SIGNATURE = 'serving_default';

function isTensor(x: unknown): x is Tensor {
  const t = x as Partial<Tensor> | null;
  return !!t && typeof t === 'object' && typeof t.dtype === 'string' && Array.isArray(t.shape) && typeof t.dataSync === 'function';
}

function shapeText(s: readonly number[] | null | undefined): string {
  return s ? `[${s.join(', ')}]` : '<unknown rank>';
}

/**
 * One signature of a SavedModel, ready to run: the surface of tfjs-node's TFSavedModel
 * (`inputs`, `outputs`, `predict`, `execute`, `dispose`), plus `predictAsync` / `executeAsync`
 * for graphs with dynamic ops and the list of every signature of the MetaGraphDef.
 */
export class TFSavedModel implements InferenceModel {
  private model: FrozenGraphModel | null;

  /** @internal use loadSavedModel() */
  constructor(
    model: FrozenGraphModel,
    private readonly program: HostProgram,
    private readonly store: ResourceStore,
    /** The frozen GraphDef that runs (TensorFlow ops and dtypes; Const values in `constants`). */
    readonly graph: FrozenGraph,
    readonly tags: string[],
    /** Every runnable signature of the loaded MetaGraphDef (this one included). */
    readonly signatures: { [key: string]: SavedModelSignature },
    private readonly plan: ExactnessPlan = planExactness(graph),
  ) {
    this.model = model;
    this.hostReader = hostValueReader([...graph.nodes, ...graph.functions.flatMap((f) => f.node_def ?? [])], graph.hostNodes);
  }

  /** A node that reads tensor values on the host (see host-ops.ts), if any. */
  private readonly hostReader: string | undefined;

  /** Key of the signature this model runs. */
  get signature(): string {
    return this.graph.signatureKey;
  }

  get methodName(): string {
    return this.graph.methodName;
  }

  /**
   * Current value of variable node `name` (a copy): as the signatures run so far left it (a TF1
   * train op assigns), else its checkpoint value.
   */
  readVariable(name: string): Tensor {
    if (!this.model) this.fail('this SavedModel has been disposed');
    return clone(this.store.readVariable(name));
  }

  private info(t: FrozenTensorInfo): ModelTensorInfo {
    const out: ModelTensorInfo = { name: t.tensorName.replace(/:0$/, ''), dtype: tfjsDtype(t.dtype)!, tfDtype: dtypeName(t.dtype) };
    if (t.shape) out.shape = [...t.shape];
    return out;
  }

  /** Signature inputs in key order; `name` is the graph tensor without ":0", as in tfjs-node. */
  get inputs(): ModelTensorInfo[] {
    return this.graph.inputs.map((t) => this.info(t));
  }

  get outputs(): ModelTensorInfo[] {
    return this.graph.outputs.map((t) => this.info(t));
  }

  get inputKeys(): string[] {
    return this.graph.inputs.map((t) => t.key);
  }

  get outputKeys(): string[] {
    return this.graph.outputs.map((t) => t.key);
  }

  get isDisposed(): boolean {
    return this.model === null;
  }

  private fail(msg: string): never {
    throw new SavedModelError('INVALID_ARGUMENT', `signature '${this.signature}': ${msg}`, { key: this.signature });
  }

  private live(): FrozenGraphModel {
    if (!this.model) this.fail('this SavedModel has been disposed');
    // kernels the active backend lacks (wasm: Einsum, …) run on the cpu backend's (ops/cpu-fallback.ts)
    ensureCpuFallbackKernels();
    return this.model;
  }

  /** Input tensors by placeholder node, after checking keys, dtypes and shapes against the signature. */
  private feeds(inputs: Tensor | Tensor[] | NamedTensorMap): NamedTensorMap {
    const ins = this.graph.inputs;
    const byKey = new Map<string, unknown>();
    if (isTensor(inputs)) {
      if (ins.length !== 1) this.fail(`a single tensor was given, but the signature has ${ins.length} inputs (${this.inputKeys.join(', ')}); pass a map keyed by input name`);
      byKey.set(ins[0]!.key, inputs);
    } else if (Array.isArray(inputs)) {
      if (inputs.length !== ins.length) this.fail(`${inputs.length} tensors were given, but the signature has ${ins.length} inputs (${this.inputKeys.join(', ')}, in this order)`);
      ins.forEach((t, i) => byKey.set(t.key, inputs[i]));
    } else if (inputs && typeof inputs === 'object') {
      for (const k of Object.keys(inputs)) {
        if (!ins.some((t) => t.key === k)) this.fail(`unknown input '${k}'; the signature's inputs are ${this.inputKeys.map((x) => `'${x}'`).join(', ') || '(none)'}`);
        byKey.set(k, (inputs as NamedTensorMap)[k]);
      }
    } else {
      this.fail('inputs must be a Tensor, an array of Tensors or a map of input name to Tensor');
    }
    const feeds: NamedTensorMap = {};
    for (const t of ins) {
      const x = byKey.get(t.key);
      if (x === undefined) this.fail(`missing input '${t.key}'`);
      if (!isTensor(x)) this.fail(`input '${t.key}' is not a Tensor`);
      if (x.isDisposed) this.fail(`input '${t.key}' has been disposed`);
      const want = tfjsDtype(t.dtype)!;
      if (x.dtype !== want) this.fail(`input '${t.key}' must be ${want} (${dtypeName(t.dtype)}), got ${x.dtype}`);
      if (t.shape) {
        const ok = t.shape.length === x.shape.length && t.shape.every((d, i) => d < 0 || d === x.shape[i]);
        if (!ok) this.fail(`input '${t.key}' must have shape ${shapeText(t.shape)} (-1 = any), got ${shapeText(x.shape)}`);
      }
      feeds[t.node] = x;
    }
    return feeds;
  }

  private outputNodes(outputs: string | string[] | undefined): FrozenTensorInfo[] {
    if (outputs === undefined) return this.graph.outputs;
    const list = Array.isArray(outputs) ? outputs : [outputs];
    return list.map((name) => {
      const t = this.graph.outputs.find((o) => o.key === name || o.tensorName === name || o.tensorName === `${name}:0`);
      if (!t) this.fail(`unknown output '${name}'; the signature's outputs are ${this.outputKeys.map((x) => `'${x}'`).join(', ')}`);
      return t;
    });
  }

  private wrapRuntime(e: unknown): never {
    if (isSavedModelError(e)) throw e;
    if (isSyncReadbackFailure(e)) throw syncReadbackError(e, engine().backendName, `running signature '${this.signature}'`, 'predictAsync()/executeAsync()');
    const msg = e instanceof Error ? e.message : String(e);
    if (/executeAsync/.test(msg)) {
      throw new SavedModelError('UNSUPPORTED', `signature '${this.signature}' has dynamic ops; use predictAsync()/executeAsync(): ${msg}`, { key: this.signature, cause: e });
    }
    if (/not (yet )?(supported|implemented)|Unknown op/i.test(msg)) {
      throw new SavedModelError('UNSUPPORTED', `signature '${this.signature}': ${msg}`, { key: this.signature, cause: e });
    }
    throw new SavedModelError('INVALID_ARGUMENT', `signature '${this.signature}' failed to run: ${msg}`, { key: this.signature, cause: e });
  }

  /** float64 outputs whose float32 tensor would round a constant's values: only run() returns them exactly. */
  private checkTensorOutputs(outs: FrozenTensorInfo[]): void {
    for (const o of outs) {
      const c = this.plan.roundedConstant.get(o.key);
      if (c !== undefined) {
        throw new SavedModelError('UNSUPPORTED', `signature '${this.signature}': output '${o.key}' is float64 from constant ${c}, which a TensorFlow.js (float32) tensor would round; use run() for the exact values`, { key: c });
      }
    }
  }

  private runTensors(inputs: Tensor | Tensor[] | NamedTensorMap, outs: FrozenTensorInfo[], forTensors = true): Tensor[] {
    const model = this.live();
    if (forTensors) this.checkTensorOutputs(outs);
    const feeds = this.feeds(inputs);
    // decided before running: a graph stopped halfway would have run its side effects (assignments)
    if (this.hostReader && !hostReadsSynchronously()) {
      throw new SavedModelError(
        'UNSUPPORTED',
        `signature '${this.signature}' has dynamic ops: ${this.hostReader} reads tensor values on the host, which the TensorFlow.js '${engine().backendName}' backend cannot do synchronously; use predictAsync()/executeAsync()`,
        { key: this.signature },
      );
    }
    try {
      const r = runSynchronously(() => model.execute(feeds, outs.map((o) => o.node)));
      return Array.isArray(r) ? r : [r];
    } catch (e) {
      this.wrapRuntime(e);
    }
  }

  private async runTensorsAsync(inputs: Tensor | Tensor[] | NamedTensorMap, outs: FrozenTensorInfo[], forTensors = true): Promise<Tensor[]> {
    const model = this.live();
    if (forTensors) this.checkTensorOutputs(outs);
    const feeds = this.feeds(inputs);
    try {
      const r = await model.executeAsync(feeds, outs.map((o) => o.node));
      return Array.isArray(r) ? r : [r];
    } catch (e) {
      this.wrapRuntime(e);
    }
  }

  private shapeResult(tensors: Tensor[]): Tensor | NamedTensorMap {
    const outs = this.graph.outputs;
    if (outs.length === 1) return tensors[0]!;
    const map: NamedTensorMap = {};
    outs.forEach((o, i) => { map[o.key] = tensors[i]!; });
    return map;
  }

  /**
   * Run the signature. Inputs: one Tensor (single-input signatures), Tensors in input-key order,
   * or a map keyed by input name. Result: a Tensor when the signature has one output, else a
   * map keyed by output name (tfjs-node's conventions).
   */
  predict(inputs: Tensor | Tensor[] | NamedTensorMap, config?: ModelPredictConfig): Tensor | NamedTensorMap {
    void config;
    return this.shapeResult(this.runTensors(inputs, this.graph.outputs));
  }

  async predictAsync(inputs: Tensor | Tensor[] | NamedTensorMap, config?: ModelPredictConfig): Promise<Tensor | NamedTensorMap> {
    void config;
    return this.shapeResult(await this.runTensorsAsync(inputs, this.graph.outputs));
  }

  /** The named outputs (signature output keys, or their graph tensor names): one Tensor for a string, an array for an array. */
  execute(inputs: Tensor | Tensor[] | NamedTensorMap, outputs?: string | string[]): Tensor | Tensor[] {
    const r = this.runTensors(inputs, this.outputNodes(outputs));
    return typeof outputs === 'string' ? r[0]! : r;
  }

  async executeAsync(inputs: Tensor | Tensor[] | NamedTensorMap, outputs?: string | string[]): Promise<Tensor | Tensor[]> {
    const r = await this.runTensorsAsync(inputs, this.outputNodes(outputs));
    return typeof outputs === 'string' ? r[0]! : r;
  }

  /**
   * Run with plain values — numbers, booleans, strings, bigints, nested arrays — keyed by input
   * name, each converted to the dtype the signature declares (integers range-checked); returns
   * every output (sorted by key) as { dtype, tfDtype, shape, flat values }. Tensors are disposed.
   */
  async run(inputs: Record<string, unknown>): Promise<Record<string, PlainTensor>> {
    this.live();
    for (const k of Object.keys(inputs)) {
      if (!this.graph.inputs.some((t) => t.key === k)) this.fail(`unknown input '${k}'; the signature's inputs are ${this.inputKeys.map((x) => `'${x}'`).join(', ') || '(none)'}`);
    }
    // float64 inputs that TensorFlow.js moves (float32) to a float64 output: only float32-exact values
    for (const [out, keys] of this.plan.doubleInputs) {
      for (const k of keys) {
        if (!(k in inputs)) continue;
        const bad = flattenNested(inputs[k], k).flat.find((v) => typeof v === 'number' && !Number.isNaN(v) && Math.fround(v) !== v);
        if (bad !== undefined) {
          throw new SavedModelError('UNSUPPORTED', `signature '${this.signature}': float64 input '${k}' holds ${String(bad)}, which TensorFlow.js (float32) would round on its way to output '${out}'`, { key: k });
        }
      }
    }
    const feeds: NamedTensorMap = {};
    try {
      for (const t of this.graph.inputs) {
        if (!(t.key in inputs)) this.fail(`missing input '${t.key}'`);
        feeds[t.key] = plainToTensor(t, inputs[t.key], `signature '${this.signature}' input '${t.key}'`);
      }
      let outs: Tensor[];
      try {
        outs = this.runTensors(feeds, this.graph.outputs, false);
      } catch (e) {
        // graphs with control flow / dynamic shapes only run asynchronously
        if (!isSavedModelError(e, 'UNSUPPORTED') || !e.message.includes('dynamic ops')) throw e;
        outs = await this.runTensorsAsync(feeds, this.graph.outputs, false);
      }
      try {
        const result: Record<string, PlainTensor> = {};
        for (let i = 0; i < outs.length; i++) {
          const info = this.graph.outputs[i]!;
          const plain = await tensorToPlain(outs[i]!, info);
          const exact = exactOutput(this.graph, info, inputs); // float64 constants / inputs, unrounded
          if (exact && exact.length === plain.values.length) plain.values = exact;
          result[info.key] = plain;
        }
        return result;
      } finally {
        for (const t of outs) t.dispose();
      }
    } finally {
      for (const t of Object.values(feeds)) t.dispose();
    }
  }

  /** Release the weights. */
  dispose(): void {
    if (!this.model) return;
    this.model.dispose();
    this.model = null;
    this.program.dispose();
    this.store.dispose();
  }
}

/** Make sure TensorFlow.js has a backend; the CPU backend is loaded if none is registered. */
async function ensureBackend(): Promise<void> {
  if (engine().backendNames().length > 0) return;
  try {
    await import('@tensorflow/tfjs-backend-cpu');
  } catch (e) {
    throw new SavedModelError('UNSUPPORTED', 'no TensorFlow.js backend is registered; import @tensorflow/tfjs-backend-cpu (or -wasm / -webgl) before loading', { cause: e });
  }
}

function checkDtypes(g: FrozenGraph): void {
  for (const [kind, list] of [['input', g.inputs], ['output', g.outputs]] as const) {
    for (const t of list) {
      if (!tfjsDtype(t.dtype)) {
        throw new SavedModelError('UNSUPPORTED', `signature '${g.signatureKey}' ${kind} '${t.key}' has dtype ${dtypeName(t.dtype)}, which TensorFlow.js has no counterpart for`, { key: g.signatureKey });
      }
    }
  }
}

/** Load one signature from an already-read SavedModel (see loadSavedModel). */
/** Op names of a MetaGraph's graph and function library. */
function* graphOps(mg: tensorflow.IMetaGraphDef): Iterable<string> {
  for (const n of mg.graph_def?.node ?? []) if (n.op) yield n.op;
  for (const f of mg.graph_def?.library?.function ?? []) for (const n of f.node_def ?? []) if (n.op) yield n.op;
}

export async function loadSavedModelFrom(loaded: LoadedSavedModel, options: LoadSavedModelOptions = {}): Promise<TFSavedModel> {
  checkOptions(options, LOAD_OPTION_KEYS, 'loadSavedModel options');
  if (options.roundFloat64 !== undefined && typeof options.roundFloat64 !== 'boolean') {
    throw new SavedModelError('INVALID_ARGUMENT', `loadSavedModel option roundFloat64 must be a boolean, got ${typeof options.roundFloat64}`, { key: 'roundFloat64' });
  }
  const tags = options.tags ?? DEFAULT_TAGS;
  const signature = options.signature ?? DEFAULT_SIGNATURE;
  await ensureBackend();
  const budget = new MemoryBudget(resolveLimits(options.limits));
  const mg = metaGraphFor(loaded.savedModel, tags.join(','));
  // OpDefs outside the bundled common part of the registry are fetched only when this graph has such ops
  await ensureOpDefs(graphOps(mg));
  if (!mg.signature_def?.[signature]) freezeSignature(mg, loaded.checkpoint, signature); // NOT_FOUND naming the signatures, before any work
  const variableKeys = resolveVariableKeys(mg, loaded.checkpoint);
  const store = await createStore(loaded, mg, (v) => variableValue(mg, loaded.checkpoint, variableKeys, v, signature, budget), budget);
  let program: HostProgram | undefined;
  try {
    const init = await runInitOp(mg, loaded, store, variableKeys, budget);
    const frozen = freezeSignature(mg, loaded.checkpoint, signature, { variableKeys, budget, mutableVariables: init?.writtenVariables ?? [] });
    checkDtypes(frozen);
    if (options.roundFloat64 !== true) checkExactness(frozen);
    const plan = planExactness(frozen);
    program = new HostProgram(frozen.hostNodes, store);
    const model = createGraphModel(frozen, program.id);
    return new TFSavedModel(model, program, store, frozen, [...(mg.meta_info_def?.tags ?? tags)], signatureEntries(mg), plan);
  } catch (e) {
    program?.dispose();
    store.dispose();
    throw e;
  }
}

/**
 * Load a SavedModel signature for inference with TensorFlow.js — no Python, no native TensorFlow.
 * `source`: a directory path (Node), a FileSource, or a Map of relative paths to bytes.
 * Errors are SavedModelErrors: NOT_FOUND (tag set, signature, checkpoint key), UNSUPPORTED (an op
 * TensorFlow.js cannot run, such as ParseExampleV2, named with the signature), INVALID_GRAPH, ….
 */
export async function loadSavedModel(source: SavedModelSource, options: LoadSavedModelOptions = {}): Promise<TFSavedModel> {
  checkOptions(options, LOAD_OPTION_KEYS, 'loadSavedModel options');
  resolveLimits(options.limits);
  // The same limits bound the readers (checkpoint keys and tensors, text-format strings) and the loader.
  // Attrs named "_" are TensorFlow's bookkeeping (_output_shapes, …), which freezing drops: not decoded.
  const loaded = await readSource(source, { skipPrivateAttrs: true, ...(options.limits !== undefined ? { limits: options.limits } : {}) });
  return loadSavedModelFrom(loaded, options);
}
