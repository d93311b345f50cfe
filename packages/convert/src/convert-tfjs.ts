// convertTfjsModel: any TensorFlow.js model (graph or layers, quantized weights included) to a
// SavedModel. Graph models are rebuilt faithfully (graph-savedmodel.ts); layers models go through
// tfjs-layers and the export package's tracing path, with their weights dequantized first.
import { decodeSavedModel, ensureOpDefs, getOpDef, isSavedModelError, loadNewestOpRegistry, loadOpRegistry, MemoryBudget, SavedModelError, resolveLimits, withFingerprint, writeSavedModel, type FileSink, type Limits } from '@savedmodel-js/core';
import { assertPathSupported, collectChunks, concatChunks } from '@savedmodel-js/core/internal';
import { modelFromUntrustedConfig, saveModel, weightBudgetFor, type GraphModelLike } from '@savedmodel-js/export';
import { graphModelToSavedModel, histogram, undeclaredAttrs, type GraphConvertReport } from './graph-savedmodel.js';
import { loadReflection } from './graph-json.js';
import type { ModelJson } from './model-json.js';
import { openModel, readGroupBytes, type OpenedModel, type TfjsModelSource } from './model-source.js';
import { decodeWeightGroup, manifestByteLength, type DecodedWeight } from './weights.js';
import { repairLayersTopology } from './layers-topology.js';

export interface ConvertProgress {
  /** 'trace': the faithful rebuild of a graph model failed; tfjs runs it under the tracer instead. */
  phase: 'read' | 'write' | 'trace';
  /** Bytes read (weight files) or written (SavedModel files) so far. */
  bytes: number;
  /** Total for the phase where known. */
  totalBytes?: number;
  /** Files read or written so far. */
  files: number;
  /** Phase 'trace': why the faithful rebuild could not be used. */
  reason?: string;
}

export interface ConvertTfjsOptions {
  /** Graph models: weights as variables in a checkpoint (TF1 VariableV2 + saver) instead of Consts. */
  variables?: boolean;
  /** Graph models: float16-quantized weights stay float16 (Const + Cast). */
  keepFloat16?: boolean;
  /**
   * Graph models the faithful rebuild cannot handle (ops neither in TensorFlow's registry nor a
   * fusion it can split, a graph that does not validate) are run by tfjs-converter under the
   * tracer instead (default true; false: the rebuild's error is thrown).
   */
  fallback?: boolean;
  /** Replace an existing output directory. */
  overwrite?: boolean;
  /** Memory budget for everything read (default core's DEFAULT_LIMITS). */
  limits?: Partial<Limits>;
  onProgress?: (p: ConvertProgress) => void;
}

export interface ConvertTfjsResult {
  format: 'graph-model' | 'layers-model';
  /** Where the SavedModel went. */
  location: string;
  /** Graph models: op histogram, split fused ops, signature, warnings. */
  graph?: GraphConvertReport;
  /**
   * Graph models converted by tracing tfjs-converter's execute instead of the faithful rebuild:
   * why, the op histogram of the traced graph, and what did not apply.
   */
  traced?: { reason: string; opHistogram: Record<string, number>; warnings: string[] };
  /** Layers models (and traced graph models): the signature keys written. */
  signatures?: Record<string, { inputs: string[]; outputs: string[] }>;
  weights: { count: number; quantized: Record<string, number>; bytesRead: number };
}

const OPTION_KEYS = new Set(['variables', 'keepFloat16', 'fallback', 'overwrite', 'limits', 'onProgress']);

export function checkOptions(options: object, known: ReadonlySet<string>, what: string): void {
  for (const k of Object.keys(options)) {
    if (!known.has(k)) throw new SavedModelError('INVALID_ARGUMENT', `unknown ${what} option "${k}" (known: ${[...known].join(', ')})`);
  }
}

interface CoreNode {
  dirSink(dir: string, options?: { overwrite?: boolean }): Promise<FileSink>;
}
const CORE_NODE = '@savedmodel-js/core/node';

/** A directory path (Node) or a FileSink. */
export async function sinkFor(out: string | FileSink, overwrite: boolean): Promise<FileSink> {
  if (typeof out !== 'string') return out;
  assertPathSupported(out, 'the output');
  const mod = (await import(/* @vite-ignore */ CORE_NODE)) as CoreNode;
  return mod.dirSink(out, { overwrite });
}

/** Every weight of the manifest, decoded (dequantized), keyed by name. */
async function readWeights(model: OpenedModel, budget: MemoryBudget, onProgress?: (p: ConvertProgress) => void): Promise<{ weights: Map<string, DecodedWeight>; bytesRead: number }> {
  const weights = new Map<string, DecodedWeight>();
  const total = manifestByteLength(model.json.weightsManifest);
  let bytesRead = 0, files = 0;
  const report = (n: number) => {
    bytesRead += n;
    files++;
    onProgress?.({ phase: 'read', bytes: bytesRead, files, ...(total !== undefined ? { totalBytes: Math.max(total, bytesRead) } : {}) });
  };
  if (model.flat) {
    const group = { paths: [], weights: model.json.weightsManifest.flatMap((g) => g.weights) };
    report(model.flat.length);
    for (const w of decodeWeightGroup(group, model.flat, model.location, budget)) weights.set(w.name, w);
    return { weights, bytesRead };
  }
  for (const [i, group] of model.json.weightsManifest.entries()) {
    const bytes = await readGroupBytes(model, group, budget, report);
    for (const w of decodeWeightGroup(group, bytes, `${model.location} weightsManifest[${i}]`, budget)) weights.set(w.name, w);
  }
  return { weights, bytesRead };
}

function quantizedCounts(json: ModelJson): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of json.weightsManifest) for (const w of g.weights) if (w.quantization) out[w.quantization.dtype] = (out[w.quantization.dtype] ?? 0) + 1;
  return out;
}

/** tfjs weight data for tf.io.fromMemory: every weight as its dequantized dtype, in one buffer. */
function dequantizedArtifacts(json: ModelJson, weights: Map<string, DecodedWeight>) {
  const specs: { name: string; shape: number[]; dtype: string }[] = [];
  const parts: Uint8Array[] = [];
  for (const g of json.weightsManifest) {
    for (const s of g.weights) {
      const w = weights.get(s.name)!;
      specs.push({ name: s.name, shape: s.shape, dtype: s.dtype });
      const v = w.values;
      if (Array.isArray(v)) {
        for (const str of v) {
          const len = new Uint8Array(4);
          new DataView(len.buffer).setUint32(0, str.length, true);
          parts.push(len, str);
        }
      } else {
        parts.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      }
    }
  }
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { data.set(p, o); o += p.length; }
  return {
    modelTopology: repairLayersTopology(json.modelTopology, specs), weightSpecs: specs, weightData: data.buffer, format: json.format,
    ...(json.trainingConfig !== undefined ? { trainingConfig: json.trainingConfig } : {}),
    ...(json.signature ? { signature: json.signature } : {}),
    ...(json.modelInitializer ? { modelInitializer: json.modelInitializer } : {}),
    ...(json.initializerSignature ? { initializerSignature: json.initializerSignature } : {}),
    ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
  };
}

type Tfjs = typeof import('@tensorflow/tfjs');

/** Nodes of model.json's graph, its library functions and its initializer (proto3 JSON names). */
function* topologyNodes(json: ModelJson): Iterable<{ op?: unknown; attr?: unknown }> {
  type N = { op?: unknown; attr?: unknown };
  type J = { node?: N[]; library?: { function?: { nodeDef?: N[]; node_def?: N[] }[] } };
  for (const g of [json.modelTopology as J, json.modelInitializer as J | undefined]) {
    if (!g || typeof g !== 'object') continue;
    for (const n of Array.isArray(g.node) ? g.node : []) if (n && typeof n === 'object') yield n;
    const fns = Array.isArray(g.library?.function) ? g.library!.function! : [];
    for (const f of fns) {
      const nodes = f?.nodeDef ?? f?.node_def;
      for (const n of Array.isArray(nodes) ? nodes : []) if (n && typeof n === 'object') yield n;
    }
  }
}

function* topologyOps(json: ModelJson): Iterable<string> {
  for (const n of topologyNodes(json)) if (typeof n.op === 'string') yield n.op;
}

/** Whether a node of a registered op carries a public attr TF 2.2 does not declare (call after ensureOpDefs). */
function hasUndeclaredAttrs(json: ModelJson): boolean {
  for (const n of topologyNodes(json)) {
    const def = typeof n.op === 'string' ? getOpDef(n.op) : undefined;
    if (!def || !n.attr || typeof n.attr !== 'object') continue;
    if (!undeclaredAttrs(def, Object.keys(n.attr)).next().done) return true;
  }
  return false;
}

/** Faithful-rebuild failures the tracer may get past: unknown ops, unsplittable fusions, a graph that does not validate. */
function canFallBack(e: unknown): boolean {
  return e instanceof SavedModelError && (e.code === 'UNSUPPORTED' || e.code === 'INVALID_GRAPH');
}

/** A FileSink that keeps a copy of saved_model.pb as it passes (for the op histogram). */
function tapSink(sink: FileSink, seen: { pb?: Uint8Array }): FileSink {
  return {
    location: sink.location,
    write: async (path, data) => {
      if (path === 'saved_model.pb') {
        const all = concatChunks(await collectChunks(data));
        seen.pb = all;
        return sink.write(path, all);
      }
      return sink.write(path, data);
    },
    commit: () => sink.commit(),
    abort: () => sink.abort(),
  };
}

/** The fallback: tfjs-converter loads the (dequantized) graph model and saveModel traces its execute. */
async function traceGraphModel(json: ModelJson, weights: Map<string, DecodedWeight>, out: string | FileSink,
  options: ConvertTfjsOptions, reason: string, weightsInfo: ConvertTfjsResult['weights'], location: string): Promise<ConvertTfjsResult> {
  const tf = (await import('@tensorflow/tfjs')) as Tfjs;
  // the traced graph's ops are known only once traced: make the whole registry available
  await loadOpRegistry();
  let gm;
  try {
    gm = await tf.loadGraphModel(tf.io.fromMemory(dequantizedArtifacts(json, weights) as Parameters<typeof tf.io.fromMemory>[0]));
  } catch (e) {
    throw new SavedModelError('UNSUPPORTED', `the graph model cannot be rebuilt (${reason}) and tfjs-converter cannot load it to trace: ${(e as Error).message}`, { file: location, cause: e });
  }
  const warnings: string[] = [];
  if (options.variables) warnings.push('variables: the traced graph keeps the weights as Consts');
  if (options.keepFloat16) warnings.push('keepFloat16: the traced graph keeps the weights dequantized (float32)');
  const seen: { pb?: Uint8Array } = {};
  const sink = tapSink(await sinkFor(out, options.overwrite === true), seen);
  const onWrite = (p: { bytesWritten: number; filesWritten: number }) => options.onProgress?.({ phase: 'write', bytes: p.bytesWritten, files: p.filesWritten });
  try {
    const summary = await saveModel(gm as unknown as GraphModelLike, sink, { options: { onProgress: onWrite } });
    const graph = seen.pb ? decodeSavedModel(seen.pb).meta_graphs[0]?.graph_def ?? {} : {};
    return {
      format: 'graph-model', location: summary.location, signatures: summary.signatures, weights: weightsInfo,
      traced: { reason, opHistogram: histogram(graph), warnings },
    };
  } catch (e) {
    if (e instanceof SavedModelError) {
      throw new SavedModelError(e.code, `the graph model cannot be rebuilt (${reason}) nor traced: ${e.message}`, { file: location, cause: e });
    }
    throw e;
  } finally {
    gm.dispose();
  }
}

/**
 * Converts a TensorFlow.js model to a SavedModel. `source`: a model.json path (Node) or URL, a
 * tf.io.IOHandler, or dropped files; `out`: a directory path (Node) or a FileSink.
 */
export async function convertTfjsModel(source: TfjsModelSource, out: string | FileSink, options: ConvertTfjsOptions = {}): Promise<ConvertTfjsResult> {
  checkOptions(options, OPTION_KEYS, 'convertTfjsModel');
  const budget = new MemoryBudget(resolveLimits(options.limits));
  const model = await openModel(source, budget);
  const json = model.json;
  if (json.format === 'layers-model' && (options.variables || options.keepFloat16)) {
    throw new SavedModelError('INVALID_ARGUMENT', 'variables and keepFloat16 apply to graph models; a layers model is saved with its weights as variables already', { file: model.location });
  }
  const { weights, bytesRead } = await readWeights(model, budget, options.onProgress);
  const weightsInfo = { count: weights.size, quantized: quantizedCounts(json), bytesRead };
  const onWrite = (p: { bytesWritten: number; filesWritten: number }) => options.onProgress?.({ phase: 'write', bytes: p.bytesWritten, files: p.filesWritten });

  if (json.format === 'graph-model') {
    // browsers bundle only the common part of the op registry: fetch the rest when this graph needs it
    await ensureOpDefs(topologyOps(json));
    let rebuilt;
    try {
      await loadReflection();
      // TF 2.21's table only when an attr needs it (browsers fetch it as a chunk of its own)
      const newestOpDefs = hasUndeclaredAttrs(json) ? await loadNewestOpRegistry() : undefined;
      rebuilt = graphModelToSavedModel(json, weights, { variables: options.variables === true, keepFloat16: options.keepFloat16 === true, newestOpDefs }, model.location);
    } catch (e) {
      if (!canFallBack(e) || options.fallback === false) throw e;
      const reason = (e as SavedModelError).message;
      options.onProgress?.({ phase: 'trace', bytes: 0, files: 0, reason });
      return traceGraphModel(json, weights, out, options, reason, weightsInfo, model.location);
    }
    const { content, report } = rebuilt;
    const sink = await sinkFor(out, options.overwrite === true);
    await writeSavedModel(sink, withFingerprint(content), { onProgress: onWrite });
    return { format: json.format, location: sink.location, graph: report, weights: weightsInfo };
  }

  // the tracer checks every op it emits against the registry: all of it, in browsers too
  await loadOpRegistry();
  const tf = (await import('@tensorflow/tfjs')) as Tfjs;
  let layers;
  const artifacts = dequantizedArtifacts(json, weights);
  // built within the weights the manifest declares (and the files held), then given them
  const stored = artifacts.weightSpecs.reduce((n, w) => n + w.shape.reduce((a, d) => a * d, 1), 0);
  try {
    const topology = artifacts.modelTopology as { model_config?: unknown };
    layers = await modelFromUntrustedConfig(topology.model_config ?? topology, weightBudgetFor(stored), `the ${stored} weight values of the weights manifest`, model.location);
    layers.loadWeights(tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs as Parameters<typeof tf.io.decodeWeights>[1]), true);
  } catch (e) {
    layers?.dispose();
    if (isSavedModelError(e)) throw e;
    throw new SavedModelError('INVALID_ARGUMENT', `tfjs could not load the layers model: ${(e as Error).message}`, { file: model.location, cause: e });
  }
  try {
    const summary = await saveModel(layers, out, { options: { overwrite: options.overwrite === true, onProgress: onWrite } });
    return { format: json.format, location: summary.location, signatures: summary.signatures, weights: weightsInfo };
  } finally {
    layers.dispose();
  }
}
