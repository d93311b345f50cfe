// tf.compat.v1.keras.experimental.export_saved_model and tf.contrib.saved_model.save_keras_model
// for a tfjs LayersModel: a TF1 SavedModel with a `serve` MetaGraph and, when the model is
// compiled, `train` and `eval` MetaGraphs (traced tfjs steps), one checkpoint shared by all
// three, and the model's JSON config in assets/saved_model.json (where TF1 Keras puts it).
import * as tf from '@tensorflow/tfjs';
import { SavedModelError, tensorflow, validateGraphDef, writeSavedModel, type CheckpointTensor, type FileSink } from '@savedmodel-js/core';
import { assertPathSupported } from '@savedmodel-js/core/internal';
import { isFileSink, weightLists, withTraceableDropout } from '@savedmodel-js/export';
import { tfDtype, type TensorSpecLike } from '@savedmodel-js/trace';
import { checkOptionKeys } from '../options.js';
import { modelConfigJson } from './model-config.js';
import { serveMetaGraph, traceServing, type GraphContext } from './serve-graph.js';
import { stepMetaGraph, stepVariables } from './train-graph.js';
import { traceStep, type TracedStep } from './trace-step.js';
import { VariableNames } from './variable-names.js';
import type { V1Variable } from './variables-v1.js';

export interface ExportSavedModelV1Options {
  /** Classes / functions the config names (checked to make the config loadable; see model-config.ts). */
  customObjects?: Record<string, unknown>;
  /** Write saved_model.pbtxt instead of saved_model.pb. */
  asText?: boolean;
  /** Input specs of the serving graph (default: the model's inputs with an unknown batch size). */
  inputSignature?: readonly TensorSpecLike[];
  /** Only the `serve` MetaGraph (required for a model whose config cannot be serialized). */
  servingOnly?: boolean;
  /** Called with each step: 'serve' | 'train' | 'eval' | 'write'. */
  onProgress?: (stage: string) => void;
}

export interface SaveKerasModelV1Options {
  customObjects?: Record<string, unknown>;
  asText?: boolean;
  onProgress?: (stage: string) => void;
}

export interface ExportV1Summary {
  /** Where the SavedModel was written. */
  location: string;
  /** Tag sets written, in MetaGraph order. */
  tagSets: string[][];
  /** tfjs kernels each traced step recorded (the lowered gradient / optimizer kernels). */
  kernels: { train?: string[]; eval?: string[] };
  /** Checkpoint keys (= variable node names), sorted. */
  variables: string[];
}

const EXPORT_KEYS = ['customObjects', 'asText', 'inputSignature', 'servingOnly', 'onProgress'] as const;
const SAVE_KEYS = ['customObjects', 'asText', 'onProgress'] as const;
const CORE_NODE = '@savedmodel-js/core/node';

function isLayersModel(m: unknown): m is tf.LayersModel {
  return m instanceof tf.LayersModel || (!!m && typeof m === 'object' && Array.isArray((m as tf.LayersModel).inputs) && typeof (m as tf.LayersModel).apply === 'function');
}

/** A hex id from the time and a counter (the saver's `_temp_<id>/part`, random in TF). */
let tempCounter = 0;
function tempId(): string {
  const t = Date.now().toString(16).padStart(16, '0');
  return (t + (tempCounter++).toString(16).padStart(16, '0')).slice(0, 32);
}

function checkGraph(mg: tensorflow.IMetaGraphDef): void {
  const tags = (mg.meta_info_def?.tags ?? []).join(',');
  const errors = validateGraphDef(mg.graph_def ?? {}, { strict: true }).filter((f) => f.severity === 'error');
  if (errors.length) {
    const f = errors[0]!;
    throw new SavedModelError('INVALID_GRAPH', `the ${tags} graph does not validate against the op registry: ${f.where}: ${f.message}`, { key: f.where });
  }
}

async function openSink(target: string | FileSink): Promise<FileSink> {
  if (typeof target === 'string') {
    assertPathSupported(target, 'the export target');
    const mod = (await import(/* @vite-ignore */ CORE_NODE)) as { dirSink(d: string, o?: { overwrite?: boolean }): Promise<FileSink> };
    return mod.dirSink(target, { overwrite: false });
  }
  if (isFileSink(target)) return target;
  throw new SavedModelError('INVALID_ARGUMENT', 'the export target is a directory path or a FileSink (fileMapSink() in the browser)');
}

/**
 * export_saved_model(model, path, custom_objects, as_text, input_signature, serving_only):
 * writes `target` (a directory path that must not exist or be empty, or a FileSink).
 */
export async function exportSavedModelV1(model: tf.LayersModel, target: string | FileSink, options: ExportSavedModelV1Options = {}): Promise<ExportV1Summary> {
  checkOptionKeys('exportSavedModelV1', options, EXPORT_KEYS);
  if (!isLayersModel(model)) throw new SavedModelError('INVALID_ARGUMENT', 'exportSavedModelV1 exports a tf.LayersModel');
  if (!model.inputs?.length) throw new SavedModelError('INVALID_ARGUMENT', 'Weights for the model have not yet been created: build the model before exporting it');
  const config = modelConfigJson(model, options.customObjects);
  if (!config.ok && !options.servingOnly) {
    throw new SavedModelError('UNSUPPORTED', `Subclassed models can only be exported for serving. Please set argument servingOnly: true (the model's config cannot be serialized: ${config.reason})`);
  }
  const sink = await openSink(target);
  try {
    return await exclusive(() => exportInto(model, sink, options, config));
  } catch (e) {
    await sink.abort().catch(() => undefined);
    throw e;
  }
}

// Tracing runs real train steps on the model's variables (then puts them back) and switches the
// global tfjs backend: one export at a time, and its checkpoint is read before the next starts.
let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn);
  queue = run.catch(() => undefined);
  return run;
}

async function exportInto(model: tf.LayersModel, sink: FileSink, options: ExportSavedModelV1Options, config: ReturnType<typeof modelConfigJson>): Promise<ExportV1Summary> {
  const progress = options.onProgress ?? (() => undefined);
  const names = new VariableNames();
  // a LayerVariable's read() is its tf.Variable
  const weights = weightLists(model).weights;
  const modelVars = weights.map((w) => w.read() as tf.Variable);
  weights.forEach((w, i) => names.add(modelVars[i]!, w.name));

  // trace first: the train step creates the optimizer's slot variables
  const steps: { kind: 'train' | 'eval'; step: TracedStep }[] = [];
  const compiled = !options.servingOnly && !!model.optimizer;
  if (compiled) {
    progress('train');
    // Dropout draws its mask in JS; traced as a RandomUniform kernel, a fresh mask per run
    steps.push({ kind: 'train', step: await withTraceableDropout([model], () => traceStep(model, 'train')) });
    progress('eval');
    steps.push({ kind: 'eval', step: await withTraceableDropout([model], () => traceStep(model, 'eval')) });
    await names.addOptimizer(model.optimizer);
  }
  progress('serve');
  const serveFn = await traceServing(model, options.inputSignature);

  const declared = (vars: readonly tf.Variable[]): V1Variable[] => vars.map((v) => ({ name: names.name(v), dtype: tfDtype(v.dtype), shape: [...v.shape], trainable: v.trainable }));
  const ctxFor = (vars: readonly tf.Variable[]): GraphContext => ({ variables: declared(vars), variableName: (v) => names.name(v), tempId: tempId() });
  const union = (...lists: (readonly tf.Variable[])[]) => [...new Set(lists.flat())];
  const graphs: tensorflow.IMetaGraphDef[] = [];
  const allVars = new Set<tf.Variable>(modelVars);
  for (const { kind, step } of steps) {
    const vars = union(modelVars, stepVariables(step));
    vars.forEach((v) => allVars.add(v));
    graphs.push(stepMetaGraph(model, step, kind, ctxFor(vars)));
  }
  const serveVars = union(modelVars, serveFn.captures.map((c) => c.variable));
  serveVars.forEach((v) => allVars.add(v));
  graphs.push(serveMetaGraph(model, serveFn, ctxFor(serveVars)));
  graphs.forEach(checkGraph);

  progress('write');
  // asynchronous reads (webgpu's synchronous read of a value on the GPU can answer zeros)
  const checkpoint: CheckpointTensor[] = (await Promise.all([...allVars].map(async (v) => {
    const d = (await v.data()) as Float32Array | Int32Array | Uint8Array;
    const data = v.dtype === 'bool' && !(d instanceof Uint8Array) ? Uint8Array.from(d, (b) => (b ? 1 : 0)) : d;
    return { key: names.name(v), dtype: tfDtype(v.dtype), shape: [...v.shape], data };
  }))).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const assets = new Map<string, Uint8Array>();
  if (config.ok) assets.set('saved_model.json', new TextEncoder().encode(config.json));
  await writeSavedModel(sink, { savedModel: { saved_model_schema_version: 1, meta_graphs: graphs }, checkpoint, assets }, options.asText ? { asText: true } : {});
  return {
    location: sink.location,
    tagSets: graphs.map((g) => [...(g.meta_info_def?.tags ?? [])]),
    kernels: Object.fromEntries(steps.map((s) => [s.kind, s.step.kernels])),
    variables: checkpoint.map((c) => c.key),
  };
}

const MAX_DIRECTORY_CREATION_ATTEMPTS = 10;
const NODE_FS = 'node:fs/promises';

interface NodeFs {
  mkdir(path: string, options?: { recursive?: boolean }): Promise<unknown>;
  rm(path: string, options: { recursive: boolean; force: boolean }): Promise<void>;
}

/**
 * save_keras_model(model, saved_model_path, custom_objects, as_text): exports into a new
 * `basePath/<unix timestamp>` folder and returns its path. The folder is reserved by creating
 * it; when that second's folder exists, it waits a second and tries again (10 attempts, as TF).
 */
export async function saveKerasModelV1(model: tf.LayersModel, basePath: string, options: SaveKerasModelV1Options = {}): Promise<string> {
  checkOptionKeys('saveKerasModelV1', options, SAVE_KEYS);
  if (typeof basePath !== 'string' || basePath === '') throw new SavedModelError('INVALID_ARGUMENT', 'saveKerasModelV1 needs a base directory path');
  assertPathSupported(basePath, 'the export base directory');
  // Node only, through specifiers bundlers do not follow (browser builds never load node:fs)
  const fs = (await import(/* @vite-ignore */ NODE_FS)) as NodeFs;
  await fs.mkdir(basePath, { recursive: true });
  for (let attempt = 0; attempt < MAX_DIRECTORY_CREATION_ATTEMPTS; attempt++) {
    const dir = `${basePath.replace(/\/+$/, '')}/${Math.floor(Date.now() / 1000)}`;
    try {
      await fs.mkdir(dir);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw new SavedModelError('IO_ERROR', `cannot create export directory ${dir}: ${(e as Error).message}`, { file: dir, cause: e });
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    try {
      await exportSavedModelV1(model, dir, options);
    } catch (e) {
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
    return dir;
  }
  throw new SavedModelError('ALREADY_EXISTS', `Failed to obtain a unique export directory name after ${MAX_DIRECTORY_CREATION_ATTEMPTS} attempts.`, { file: basePath });
}
