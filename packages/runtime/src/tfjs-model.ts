// A frozen signature (freeze.ts) as a TensorFlow.js GraphModel: the GraphDef as the JSON
// `modelTopology` tfjs-converter reads (camelCase fields, DataType numbers, string attrs as byte
// arrays, int64 as numbers), every Const's value as a weight (tfjs-converter takes Const values
// from the weight map, never from the `value` attr), loaded with loadGraphModelSync.
//
// TensorFlow.js has fewer dtypes than TensorFlow; as tfjs-converter and tfjs-node do, int64 /
// uint8 / int16 / … run as int32, float64 / half / bfloat16 as float32. Constants that do not fit
// int32 are refused rather than wrapped.
import { SavedModelError, tensorflow } from '@savedmodel-js/core';
import { halfToFloat, toNumber } from '@savedmodel-js/core/internal';
import { GraphModel, type loadGraphModelSync } from '@tensorflow/tfjs-converter';
import { dispose, io, tensor, type DataType, type NamedTensorMap } from '@tensorflow/tfjs-core';
import { dtypeName, numElements, type HostTensor } from './host-tensor.js';
import type { FrozenGraph } from './freeze.js';
import { HOST_OP, ensureHostOpRegistered } from './host-ops.js';
import { executorNodes, withRuntimeOps } from './executor-graph.js';

const DT = tensorflow.DataType;

/** The TensorFlow.js dtype a TensorFlow dtype runs as (tfjs-converter's and tfjs-node's mapping), or undefined. */
export function tfjsDtype(dtype: number | null | undefined): DataType | undefined {
  // TF1 reference dtypes (DT_FLOAT_REF = 101, …) hold values of their base dtype
  switch (dtype !== null && dtype !== undefined && dtype > 100 ? dtype - 100 : dtype) {
    case DT.DT_FLOAT: case DT.DT_DOUBLE: case DT.DT_HALF: case DT.DT_BFLOAT16:
      return 'float32';
    case DT.DT_INT32: case DT.DT_INT64: case DT.DT_UINT8: case DT.DT_INT8: case DT.DT_INT16: case DT.DT_UINT16: case DT.DT_UINT32: case DT.DT_UINT64:
      return 'int32';
    case DT.DT_BOOL:
      return 'bool';
    case DT.DT_STRING:
      return 'string';
    case DT.DT_COMPLEX64: case DT.DT_COMPLEX128:
      return 'complex64';
    default:
      return undefined;
  }
}

// ---- GraphDef → tfjs-converter JSON ----

type Json = Record<string, unknown>;

function shapeJson(s: tensorflow.ITensorShapeProto | null | undefined): Json {
  if (!s) return {};
  if (s.unknown_rank) return { unknownRank: true };
  return { dim: (s.dim ?? []).map((d) => ({ size: toNumber(d.size) })) };
}

function funcJson(f: tensorflow.INameAttrList): Json {
  const attr: Json = {};
  for (const [k, v] of Object.entries(f.attr ?? {})) if (v) attr[k] = attrJson(v);
  return { name: f.name ?? '', attr };
}

const ATTR_CASES = ['list', 's', 'i', 'f', 'b', 'type', 'shape', 'tensor', 'placeholder', 'func'] as const;

/** Which member of AttrValue's `value` oneof is set (decoded messages say so; plain objects by presence). */
function attrCase(a: tensorflow.IAttrValue): string | undefined {
  const which = (a as { value?: unknown }).value;
  if (typeof which === 'string') return which;
  return ATTR_CASES.find((k) => a[k] !== undefined && a[k] !== null);
}

function attrJson(a: tensorflow.IAttrValue): Json {
  switch (attrCase(a)) {
    case 's': return { s: Array.from(a.s ?? []) };
    case 'i': return { i: toNumber(a.i) };
    case 'f': return { f: a.f ?? 0 };
    case 'b': return { b: !!a.b };
    case 'type': return { type: a.type ?? 0 };
    case 'shape': return { shape: shapeJson(a.shape) };
    case 'func': return { func: funcJson(a.func ?? {}) };
    case 'placeholder': return { placeholder: a.placeholder ?? '' };
    case 'tensor': return {}; // Const values travel as weights
    case 'list': {
      const l = a.list ?? {};
      const out: Json = {};
      if (l.s?.length) out.s = l.s.map((b) => Array.from(b));
      if (l.i?.length) out.i = l.i.map((x) => toNumber(x));
      if (l.f?.length) out.f = [...l.f];
      if (l.b?.length) out.b = [...l.b];
      if (l.type?.length) out.type = [...l.type];
      if (l.shape?.length) out.shape = l.shape.map(shapeJson);
      if (l.func?.length) out.func = l.func.map(funcJson);
      return { list: out };
    }
    default: return {};
  }
}

function nodeJson(n: tensorflow.INodeDef, program: number): Json {
  const attr: Json = {};
  if (n.op === HOST_OP) return { name: n.name ?? '', op: HOST_OP, input: [...(n.input ?? [])], attr: { program: { i: program } } };
  for (const [k, v] of Object.entries(n.attr ?? {})) if (v) attr[k] = attrJson(v);
  return { name: n.name ?? '', op: n.op ?? '', input: [...(n.input ?? [])], attr };
}

/** A frozen function in tfjs-converter's JSON (camelCase; graph-style references). */
function functionJson(f: tensorflow.IFunctionDef, program: number): Json {
  const arg = (a: tensorflow.OpDef.IArgDef) => ({ name: a.name ?? '', type: a.type ?? 0 });
  return {
    signature: { name: f.signature?.name ?? '', inputArg: (f.signature?.input_arg ?? []).map(arg), outputArg: (f.signature?.output_arg ?? []).map(arg) },
    nodeDef: (f.node_def ?? []).map((n) => nodeJson(n, program)),
    ret: { ...(f.ret ?? {}) },
  };
}

// ---- constants → weights ----

function checkedInt32(values: ArrayLike<number | bigint>, what: string): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (n > 2147483647 || n < -2147483648 || (typeof v === 'bigint' && BigInt(n) !== v)) {
      throw new SavedModelError('UNSUPPORTED', `constant ${what} holds ${String(v)}, which does not fit TensorFlow.js int32`, { key: what });
    }
    out[i] = n;
  }
  return out;
}


/** A constant's values as the typed array a TensorFlow.js tensor of its dtype holds (the same array when no conversion is needed). */
function weightValues(name: string, t: HostTensor): { dtype: DataType; values: Float32Array | Int32Array | Uint8Array | Uint8Array[] } {
  const dtype = tfjsDtype(t.dtype);
  if (!dtype) throw new SavedModelError('UNSUPPORTED', `constant ${name} has dtype ${dtypeName(t.dtype)}, which TensorFlow.js cannot hold`, { key: name });
  const v = t.values;
  if (Array.isArray(v)) return { dtype, values: v };
  let arr: Float32Array | Int32Array | Uint8Array;
  switch (t.dtype) {
    case DT.DT_FLOAT: case DT.DT_COMPLEX64: arr = v as Float32Array; break;
    case DT.DT_DOUBLE: case DT.DT_COMPLEX128: arr = Float32Array.from(v as Float64Array); break;
    case DT.DT_HALF: arr = Float32Array.from(v as Uint16Array, halfToFloat); break;
    case DT.DT_BFLOAT16: {
      const bits = new Uint32Array((v as Uint16Array).length);
      (v as Uint16Array).forEach((b, i) => { bits[i] = b << 16; });
      arr = new Float32Array(bits.buffer);
      break;
    }
    case DT.DT_BOOL: arr = Uint8Array.from(v as Uint8Array, (x) => (x ? 1 : 0)); break;
    case DT.DT_INT32: arr = v as Int32Array; break;
    default: arr = checkedInt32(v as ArrayLike<number | bigint>, name);
  }
  return { dtype, values: arr };
}

/** A constant's bytes in the layout tfjs' decodeWeights reads for its dtype. */
function weightBytes(name: string, t: HostTensor): { dtype: DataType; bytes: Uint8Array } {
  const { dtype, values } = weightValues(name, t);
  if (Array.isArray(values)) {
    let n = 0;
    for (const s of values) n += 4 + s.length;
    const out = new Uint8Array(n);
    const dv = new DataView(out.buffer);
    let o = 0;
    for (const s of values) { dv.setUint32(o, s.length, true); out.set(s, o + 4); o += 4 + s.length; }
    return { dtype, bytes: out };
  }
  return { dtype, bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

/** Every Const of the frozen graph (functions included) with its value, the value count checked against the shape. */
function* constants(g: FrozenGraph): Iterable<{ name: string; t: HostTensor }> {
  for (const n of [...g.nodes, ...g.functions.flatMap((f) => f.node_def ?? [])]) {
    if (n.op !== 'Const') continue;
    const name = n.name ?? '';
    const t = g.constants.get(name);
    if (!t) throw new SavedModelError('INVALID_GRAPH', `constant ${name} has no value`, { key: name });
    if (numElements(t.shape) * (t.dtype === DT.DT_COMPLEX64 || t.dtype === DT.DT_COMPLEX128 ? 2 : 1) !== t.values.length) {
      throw new SavedModelError('INVALID_GRAPH', `constant ${name}: ${t.values.length} values for shape [${t.shape.join(', ')}]`, { key: name });
    }
    yield { name, t };
  }
}

function modelTopology(g: FrozenGraph, program: number): Json {
  return {
    node: g.nodes.map((n) => nodeJson(n, program)),
    versions: { producer: g.producer, minConsumer: 0 },
    library: { function: g.functions.map((f) => functionJson(f, program)) },
  };
}

const ARTIFACT_INFO = { format: 'graph-model', generatedBy: 'savedmodel-js loadSavedModel', convertedBy: null };

/** ModelArtifacts for tf.io / loadGraphModelSync (the weights concatenated into one buffer). */
export function toModelArtifacts(g: FrozenGraph, program = 0): io.ModelArtifacts {
  const specs: io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (const { name, t } of constants(g)) {
    const { dtype, bytes } = weightBytes(name, t);
    specs.push({ name, shape: [...t.shape], dtype: dtype as io.WeightsManifestEntry['dtype'] });
    chunks.push(bytes);
    total += bytes.length;
  }
  const data = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { data.set(c, o); o += c.length; }
  return { modelTopology: modelTopology(g, program), weightSpecs: specs, weightData: data.buffer, ...ARTIFACT_INFO };
}

/**
 * The executor's weight map, each constant's tensor made from its value array directly (on the
 * cpu backend the tensor keeps that array: the checkpoint record read for it is the only copy).
 * Complex values take tfjs' own decoder (a complex tensor is two tensors).
 */
function weightMap(g: FrozenGraph): NamedTensorMap {
  const out: NamedTensorMap = {};
  try {
    for (const { name, t } of constants(g)) {
      const { dtype, values } = weightValues(name, t);
      if (dtype === 'complex64') {
        const { bytes } = weightBytes(name, t);
        const spec = { name, shape: [...t.shape], dtype } as io.WeightsManifestEntry;
        const copy = bytes.slice();
        Object.assign(out, io.decodeWeights(copy.buffer, [spec]));
      } else {
        out[name] = tensor(values, [...t.shape], dtype);
      }
    }
  } catch (e) {
    dispose(Object.values(out));
    throw e;
  }
  return out;
}

/** The GraphModel a frozen signature loads as. */
export type FrozenGraphModel = ReturnType<typeof loadGraphModelSync>;

interface ExecutorNode { op?: string; category?: string }

/** Ops of the frozen graph that tfjs-converter has no kernel mapping for (as its OperationMapper saw them). */
function unsupportedNodes(model: FrozenGraphModel): Array<{ node: string; op: string }> {
  // tfjs-converter records each node's op category at load; an op it does not know has none.
  const nodes = (model as unknown as { executor?: { graph?: { nodes?: Record<string, ExecutorNode> } } }).executor?.graph?.nodes;
  if (!nodes) return [];
  return Object.entries(nodes)
    .filter(([, n]) => n.category === undefined)
    .map(([node, n]) => ({ node, op: n.op ?? '?' }));
}

/** Build the GraphModel; ops TensorFlow.js cannot run → SavedModelError UNSUPPORTED naming them. */
export function createGraphModel(g: FrozenGraph, program = 0): FrozenGraphModel {
  ensureHostOpRegistered();
  const weights = weightMap(g);
  // GraphModel's loader decodes ModelArtifacts.weightData into tensors (a copy of every weight);
  // its decoder is replaced by one that hands over the tensors made above.
  const tfio = { ...io, decodeWeights: () => weights } as typeof io;
  // fewer nodes for the executor: forwarding Identities bypassed, layers fused (executor-graph.ts)
  const topology = modelTopology({ ...g, nodes: withRuntimeOps(executorNodes(g)) }, program);
  const artifacts: io.ModelArtifacts = { modelTopology: topology, weightSpecs: [], weightData: new ArrayBuffer(0), ...ARTIFACT_INFO };
  const model: FrozenGraphModel = new GraphModel(io.fromMemorySync(artifacts), {}, tfio);
  try {
    model.load();
  } catch (e) {
    dispose(Object.values(weights));
    throw e;
  }
  const bad = unsupportedNodes(model);
  if (bad.length > 0) {
    model.dispose();
    const ops = [...new Set(bad.map((b) => b.op))].sort();
    const first = bad[0]!;
    throw new SavedModelError(
      'UNSUPPORTED',
      `signature '${g.signatureKey}' uses op${ops.length > 1 ? 's' : ''} ${ops.join(', ')} that TensorFlow.js cannot run (e.g. node ${first.node})`,
      { key: g.signatureKey },
    );
  }
  return model;
}
