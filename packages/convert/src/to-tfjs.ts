// The other direction, tensorflowjs_converter's job without Python: a SavedModel signature as a
// TensorFlow.js graph model. The runtime's freezer already turns any signature our loader can run
// into one function-free GraphDef with variables as Consts (freezeSignature); here it is written
// as model.json (the GraphDef in proto3 JSON, Const values as weights, the signature with its
// keys, dtypes and shapes) plus weight shards, optionally quantized as the converter does.
import { SavedModelError, fileMapSource, readSavedModel, tensorflow, type FileSink, type FileSource, type LoadedSavedModel } from '@savedmodel-js/core';
import { assertPathSupported } from '@savedmodel-js/core/internal';
import { SDK_MARKER } from '@savedmodel-js/export';
import { executorNodes, freezeSignature, toModelArtifacts, type FrozenGraph, type FrozenTensorInfo } from '@savedmodel-js/runtime';
import { checkOptions, sinkFor } from './convert-tfjs.js';
import { loadReflection, messageToJson } from './graph-json.js';
import { portableBatchMatMul } from './portable-batch-matmul.js';
import { checkStockOps } from './stock-ops.js';
import { portableEnsureShape } from './portable-ensure-shape.js';
import { portableOneHot } from './portable-one-hot.js';
import { quantizeWeights, type QuantizeDtype } from './quantize.js';

const DT = tensorflow.DataType;

export interface ToTfjsOptions {
  /** Signature to convert (default 'serving_default'). */
  signature?: string;
  /** Tag set of the MetaGraphDef (default ['serve']). */
  tags?: string[];
  /** Quantize float32 weights as tensorflowjs_converter's --quantize_* flags do. */
  quantize?: QuantizeDtype;
  /** Bytes per weight shard (default 4 MiB, tensorflowjs_converter's). */
  shardBytes?: number;
  overwrite?: boolean;
  onProgress?: (p: { file: string; bytesWritten: number; filesWritten: number }) => void;
  /**
   * Write the graph model even where it holds ops stock TensorFlow.js does not run (default false:
   * UNSUPPORTED naming them), for an app that registers them (tensorflowjs_converter's --skip_op_check).
   */
  skipOpCheck?: boolean;
}

export interface ToTfjsResult {
  location: string;
  files: string[];
  signature: { inputs: Record<string, string>; outputs: Record<string, string> };
  weights: number;
  weightBytes: number;
  opHistogram: Record<string, number>;
}

const OPTION_KEYS = new Set(['signature', 'tags', 'quantize', 'shardBytes', 'overwrite', 'onProgress', 'skipOpCheck']);
const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

interface CoreNode {
  readSavedModelDir(dir: string, options?: { checkpoint?: boolean }): Promise<LoadedSavedModel>;
}
const CORE_NODE = '@savedmodel-js/core/node';

export type SavedModelInput = string | FileSource | Map<string, Uint8Array>;

async function readInput(source: SavedModelInput): Promise<LoadedSavedModel> {
  if (typeof source === 'string') {
    assertPathSupported(source, 'convertSavedModelToTfjs');
    const mod = (await import(/* @vite-ignore */ CORE_NODE)) as CoreNode;
    return mod.readSavedModelDir(source, { checkpoint: true });
  }
  if (source instanceof Map) return readSavedModel(fileMapSource(source), { checkpoint: true });
  return readSavedModel(source, { checkpoint: true });
}

function dtypeName(t: number): string {
  return (DT as unknown as Record<number, string>)[t] ?? 'DT_INVALID';
}

function tensorInfoJson(t: FrozenTensorInfo): Record<string, unknown> {
  const shape = t.shape === null ? { unknownRank: true } : { dim: t.shape.map((d) => ({ size: String(d) })) };
  return { name: `${t.node}:0`, dtype: dtypeName(t.dtype), tensorShape: shape };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Byte length of each weight in tfjs' layout (strings: their length prefixes read). */
function weightSizes(specs: { shape: number[]; dtype: string }[], data: Uint8Array): number[] {
  const sizes: number[] = [];
  let o = 0;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    let size: number;
    if (s.dtype === 'string') {
      size = 0;
      for (let i = 0; i < n; i++) size += 4 + dv.getUint32(o + size, true);
    } else {
      size = n * (s.dtype === 'bool' ? 1 : s.dtype === 'complex64' ? 8 : 4);
    }
    sizes.push(size);
    o += size;
  }
  return sizes;
}

function histogram(nodes: tensorflow.INodeDef[]): Record<string, number> {
  const h: Record<string, number> = {};
  for (const n of nodes) h[n.op ?? ''] = (h[n.op ?? ''] ?? 0) + 1;
  return Object.fromEntries(Object.entries(h).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** model.json + shards for a frozen signature. */
export async function frozenToTfjs(frozen: FrozenGraph, options: Pick<ToTfjsOptions, 'quantize' | 'shardBytes' | 'skipOpCheck'> = {}): Promise<{ files: Map<string, Uint8Array>; weights: number; weightBytes: number }> {
  await loadReflection();
  // ops stock tfjs gets wrong or cannot run, as ops it runs right (portable-one-hot.ts,
  // portable-ensure-shape.ts, portable-batch-matmul.ts)
  const g = portableBatchMatMul(portableEnsureShape(portableOneHot(frozen)));
  // Our runtime's host ops (state, tables, tf.Example, …) exist only inside loadSavedModel.
  const host = g.nodes.find((n) => n.op === '_SmjsHost');
  if (host) {
    throw new SavedModelError('UNSUPPORTED', `node ${JSON.stringify(host.name)} needs an op TensorFlow.js cannot run (it runs only inside loadSavedModel's host ops): a tfjs graph model cannot hold it`, { key: host.name ?? undefined });
  }
  if (!options.skipOpCheck) checkStockOps(g);
  const art = toModelArtifacts(g);
  const specs = (art.weightSpecs ?? []) as { name: string; shape: number[]; dtype: string; quantization?: object }[];
  const data = new Uint8Array(art.weightData as ArrayBuffer);
  const sizes = weightSizes(specs, data);
  const parts: Uint8Array[] = [];
  let o = 0;
  specs.forEach((s, i) => {
    const bytes = data.subarray(o, o + sizes[i]!);
    o += sizes[i]!;
    if (options.quantize && s.dtype === 'float32') {
      const f = new Float32Array(bytes.slice().buffer);
      const q = quantizeWeights(f, options.quantize);
      s.quantization = q.quantization;
      parts.push(q.bytes);
    } else {
      parts.push(bytes);
    }
  });
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  o = 0;
  for (const p of parts) { all.set(p, o); o += p.length; }

  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!(shardBytes > 0) || !Number.isSafeInteger(shardBytes)) throw new SavedModelError('INVALID_ARGUMENT', `shardBytes must be a positive integer, got ${shardBytes}`);
  const count = Math.max(1, Math.ceil(total / shardBytes));
  const files = new Map<string, Uint8Array>();
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `group1-shard${i + 1}of${count}.bin`;
    paths.push(name);
    files.set(name, all.subarray(i * shardBytes, Math.min(total, (i + 1) * shardBytes)));
  }

  // Const nodes carry dtype and shape (the values travel as weights), as the converter writes them.
  // Layers as tfjs's fused ops and forwarding Identities bypassed, as tfjs-converter's own
  // converter writes graph models (executor-graph.ts; convertTfjsModel splits them again).
  const nodes = executorNodes(g).map((n) => {
    if (n.op !== 'Const') return n;
    const t = g.constants.get(n.name ?? '');
    const dtype = n.attr?.dtype?.type ?? DT.DT_FLOAT;
    return { ...n, attr: { ...n.attr, value: { tensor: { dtype, tensor_shape: { dim: (t?.shape ?? []).map((d) => ({ size: d })) } } } } };
  });
  const topology = messageToJson('tensorflow.GraphDef', { node: nodes, versions: { producer: g.producer } });
  topology.library = {};
  const modelJson = {
    format: 'graph-model',
    generatedBy: SDK_MARKER,
    convertedBy: SDK_MARKER,
    modelTopology: topology,
    weightsManifest: [{ paths, weights: specs }],
    signature: {
      inputs: Object.fromEntries(g.inputs.map((t) => [t.key, tensorInfoJson(t)])),
      outputs: Object.fromEntries(g.outputs.map((t) => [t.key, tensorInfoJson(t)])),
    },
  };
  const out = new Map<string, Uint8Array>([['model.json', new TextEncoder().encode(JSON.stringify(modelJson))]]);
  for (const [k, v] of files) out.set(k, v);
  return { files: out, weights: specs.length, weightBytes: total };
}

/**
 * Writes a SavedModel's signature as a TensorFlow.js graph model (model.json + weight shards) to
 * a directory (Node) or a FileSink.
 */
export async function convertSavedModelToTfjs(source: SavedModelInput, out: string | FileSink, options: ToTfjsOptions = {}): Promise<ToTfjsResult> {
  checkOptions(options, OPTION_KEYS, 'convertSavedModelToTfjs');
  if (options.quantize !== undefined && !['uint8', 'uint16', 'float16'].includes(options.quantize)) {
    throw new SavedModelError('INVALID_ARGUMENT', `quantize must be uint8, uint16 or float16, got ${JSON.stringify(String(options.quantize))}`);
  }
  const loaded = await readInput(source);
  const tags = options.tags ?? ['serve'];
  const mg = (loaded.savedModel.meta_graphs ?? []).find((m) => sameSet(m.meta_info_def?.tags ?? [], tags));
  if (!mg) throw new SavedModelError('NOT_FOUND', `the SavedModel has no MetaGraphDef with tags [${tags.join(', ')}]`);
  // A tfjs graph model runs on tfjs-converter alone: no host ops of our runtime in it.
  const g = freezeSignature(mg, loaded.checkpoint, options.signature ?? 'serving_default', { checkedInt64: false });
  const { files, weights, weightBytes } = await frozenToTfjs(g, options);
  const sink = await sinkFor(out, options.overwrite === true);
  let written = 0, count = 0;
  try {
    for (const [name, bytes] of files) {
      await sink.write(name, bytes);
      written += bytes.length;
      options.onProgress?.({ file: name, bytesWritten: written, filesWritten: ++count });
    }
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return {
    location: sink.location,
    files: [...files.keys()],
    signature: {
      inputs: Object.fromEntries(g.inputs.map((t) => [t.key, `${t.node}:0`])),
      outputs: Object.fromEntries(g.outputs.map((t) => [t.key, `${t.node}:0`])),
    },
    weights, weightBytes,
    opHistogram: histogram(g.nodes),
  };
}
